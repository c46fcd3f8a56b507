"""Load shedding at the door: refuse new scans while too many already wait for a worker.

A scan the API accepts waits in the vision stage's queue until a worker takes it. Past some
backlog that wait outlasts any client, and every scan accepted only makes it longer. So the
API looks at the backlog every ``interval_s`` (``ScanPublisher.waiting``: the vision group's
lag on Redis Streams, the vision queue's ready messages on RabbitMQ) and the submit route
answers 503 ``overloaded`` with ``Retry-After`` while it is at ``limit`` or more
(``ECO2_API_MAX_WAITING_SCANS``; 0 admits everything). Scans already running are never
refused: a resumed one (an answer to its question) goes through.

Looking on a timer keeps the check off the upload's path (no round trip per upload), at the
price of up to ``interval_s`` of staleness, which a backlog of thousands does not notice. A
probe that fails admits: a broken measurement must not take the service down, and the upload's
own writes fail loudly if the transport is really gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from prometheus_client import Counter, Gauge

log = logging.getLogger("eco2.api")

WAITING = Gauge("eco2_api_waiting_scans", "Scans waiting for a vision worker, as last measured.")
REFUSED = Counter("eco2_api_scans_refused_total", "New scans refused with 503 overloaded.")


class Admission:
    """The last measured backlog and whether a new scan may join it."""

    def __init__(
        self, probe: Callable[[], Awaitable[int]], limit: int, interval_s: float = 1.0
    ) -> None:
        self.probe = probe
        self.limit = limit
        self.interval_s = interval_s
        self.waiting: int | None = None  # None: not measured (yet, or the probe failed)
        self._failing = False

    def admits(self) -> bool:
        if self.limit <= 0 or self.waiting is None or self.waiting < self.limit:
            return True
        REFUSED.inc()
        return False

    async def measure(self) -> None:
        """Read the backlog once; a failure is logged when it starts and admits meanwhile."""
        try:
            async with asyncio.timeout(max(self.interval_s, 1.0)):  # a hung probe admits too
                waiting = await self.probe()
        except Exception as exc:  # any transport's error: shedding is best effort
            if not self._failing:
                log.warning("cannot read the scan backlog (%s); admitting every scan", exc)
            self.waiting, self._failing = None, True
            return
        self.waiting, self._failing = waiting, False
        WAITING.set(waiting)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Measure every ``interval_s`` for the block's duration (nothing to do at limit 0)."""
        if self.limit <= 0:
            yield
            return
        await self.measure()
        task = asyncio.create_task(self._loop(), name="eco2-admission")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.measure()
