"""The scan observer a stage worker runs with (``eco2 function run --observer scan``).

It reports each stage's progress to the Redis progress log (router → gateway → SSE) and, when
PostgreSQL answers, records the job there too. Without PostgreSQL the worker still reports
progress: a developer can follow a scan with only Redis up, the API then has no record to serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from cloudevents.http import CloudEvent
from sqlalchemy import text

from domains.db import engine_from_settings, session_factory
from domains.scan.pipeline import ScanProgress
from domains.scan.service import ScanJobService
from eco2.settings import Settings
from eventing.progress import ProgressKeys, ProgressPublisher, connect

log = logging.getLogger("eco2.scan_observer")

DB_PROBE_TIMEOUT_S = 3.0


class SlowStart:
    """Test hook (``ECO2_PIPELINE__TEST_STAGE_DELAY_S``): hold each event after ``started``.

    It widens the window in which an end-to-end test kills a worker mid-job; the entry stays
    unacked meanwhile, exactly as in a slow handler.
    """

    def __init__(self, inner: ScanProgress, delay_s: float) -> None:
        self.inner = inner
        self.delay_s = delay_s

    async def started(self, event: CloudEvent, attempt: int, *, unless: str | None = None) -> bool:
        told = await self.inner.started(event, attempt, unless=unless)
        await asyncio.sleep(self.delay_s)
        return told

    async def succeeded(self, event: CloudEvent, reply: CloudEvent | None) -> None:
        await self.inner.succeeded(event, reply)

    async def dead(self, event: CloudEvent, reason: str) -> None:
        await self.inner.dead(event, reason)

    async def reported(self, event: CloudEvent, kind: str, data: dict[str, Any]) -> None:
        await self.inner.reported(event, kind, data)


async def _jobs(settings: Settings) -> tuple[ScanJobService | None, Any]:
    """The job service when PostgreSQL answers, else None (and the engine to dispose)."""
    engine = engine_from_settings(settings)
    try:
        async with asyncio.timeout(DB_PROBE_TIMEOUT_S):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except (Exception, TimeoutError) as exc:  # any failure means "not reachable" here
        log.warning("PostgreSQL unreachable (%s): progress only, no job records", exc)
        await engine.dispose()
        return None, None
    return ScanJobService(session_factory(engine)), engine


@contextlib.asynccontextmanager
async def scan_observer(settings: Settings) -> AsyncIterator[ScanProgress | SlowStart]:
    """Build the observer on the running loop; close its connections on exit."""
    redis = connect(settings.redis_url, max_connections=8)
    publisher = ProgressPublisher(
        redis,
        ProgressKeys(settings.shards, settings.gateway.key_prefix),
        maxlen=settings.gateway.stream_maxlen,
        ttl_s=settings.gateway.replay_ttl_s,
        linger_s=settings.gateway.token_linger_ms / 1000,
    )
    jobs, engine = await _jobs(settings)
    observer = ScanProgress(publisher, jobs)
    delay = settings.pipeline.test_stage_delay_s
    try:
        yield SlowStart(observer, delay) if delay > 0 else observer
    finally:
        await publisher.aclose()
        await redis.aclose()
        if engine is not None:
            await engine.dispose()
