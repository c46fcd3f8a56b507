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

from sqlalchemy import text

from domains.db import engine_from_settings, session_factory
from domains.scan.pipeline import ScanProgress
from domains.scan.service import ScanJobService
from eco2.settings import Settings
from eventing.progress import ProgressKeys, ProgressPublisher, connect

log = logging.getLogger("eco2.scan_observer")

DB_PROBE_TIMEOUT_S = 3.0


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
async def scan_observer(settings: Settings) -> AsyncIterator[ScanProgress]:
    """Build the observer on the running loop; close its connections on exit."""
    redis = connect(settings.redis_url, max_connections=8)
    publisher = ProgressPublisher(
        redis,
        ProgressKeys(settings.shards, settings.progress.key_prefix),
        maxlen=settings.progress.stream_maxlen,
        ttl_s=settings.progress.replay_ttl_s,
        linger_s=settings.progress.token_linger_ms / 1000,
        registered=True,  # the API registers every job before its first step
    )
    jobs, engine = await _jobs(settings)
    try:
        yield ScanProgress(publisher, jobs)
    finally:
        await publisher.aclose()
        await redis.aclose()
        if engine is not None:
            await engine.dispose()
