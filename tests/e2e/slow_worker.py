"""A stage worker whose scan observer holds each event after reporting ``started``.

It widens the window in which an end-to-end test kills a worker mid-job; the entry stays unacked
meanwhile, exactly as in a slow handler. It is ``eco2 function …`` with the observer wrapped:

    python -m tests.e2e.slow_worker DELAY_S run SOURCE --trigger redis …
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

from cloudevents.http import CloudEvent

import eco2.cli.function as cli
from eco2.settings import Settings
from eventing.runtime.worker import Observer


class SlowStart:
    """Hold each event ``delay_s`` after its ``started`` step; otherwise the inner observer."""

    def __init__(self, inner: Any, delay_s: float) -> None:
        self.inner = inner
        self.delay_s = delay_s

    async def started(self, event: CloudEvent, attempt: int, *, unless: str | None = None) -> bool:
        told = await self.inner.started(event, attempt, unless=unless)
        await asyncio.sleep(self.delay_s)
        return bool(told)

    async def succeeded(self, event: CloudEvent, reply: CloudEvent | None) -> None:
        await self.inner.succeeded(event, reply)

    async def dead(self, event: CloudEvent, reason: str) -> None:
        await self.inner.dead(event, reason)

    async def reported(self, event: CloudEvent, kind: str, data: dict[str, Any]) -> None:
        await self.inner.reported(event, kind, data)


def main() -> None:
    delay_s = float(sys.argv[1])
    original = cli._observer

    @contextlib.asynccontextmanager
    async def slow(kind: str, settings: Settings) -> AsyncIterator[Observer | None]:
        async with original(kind, settings) as built:
            yield None if built is None else SlowStart(built, delay_s)

    cli._observer = slow
    cli.function(sys.argv[2:])


if __name__ == "__main__":
    main()
