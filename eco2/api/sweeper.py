"""The sweeper: scans whose live state was lost end ``failed`` with a reason the client sees.

While a scan runs, where it is lives in Redis (its progress log and state); PostgreSQL records
only its state changes and is the record of truth. If Redis comes back empty (a restart without
persistence, a cache node failing over), a job in flight has lost its queued event and its state:
no stage will ever move it, and its SSE stream would answer 404. Every ``interval_s`` the sweeper
looks at the jobs still active after ``grace_s`` and, for each whose Redis state is gone, fails
the job in PostgreSQL and writes a ``failed`` step to the progress log, so a client following it
(or reconnecting) reads why and can submit again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from domains.scan.service import ScanJobService
from eventing.progress import ProgressPublisher

log = logging.getLogger("eco2.api.sweeper")

LOST = "진행 상태를 잃어버렸어요(이벤트 버스가 다시 시작됨). 사진을 다시 올려 주세요."


class Sweeper:
    """Fails the active jobs whose live state Redis no longer has."""

    def __init__(
        self,
        jobs: ScanJobService,
        progress: ProgressPublisher,
        *,
        grace_s: float = 60.0,
        interval_s: float = 30.0,
    ) -> None:
        self.jobs = jobs
        self.progress = progress
        self.grace_s = grace_s
        self.interval_s = interval_s

    async def sweep(self) -> list[str]:
        """One look; returns the ids of the jobs it failed."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self.grace_s)
        failed: list[str] = []
        for job in await self.jobs.active_since(cutoff):
            if await self.progress.redis.exists(self.progress.keys.state(job.job_id)):
                continue  # still followed by the bus: running, or waiting in a queue
            stage = job.stage if job.stage != "done" else "queued"
            await self.jobs.fail(job.job_id, stage, LOST)
            # Its seqs start a new epoch: a client resuming from before the loss still gets it.
            await self.progress.restart_lost_log(job.job_id)
            await self.progress.emit(
                job.job_id, "failed", "failed", job.progress, {"stage": stage, "reason": LOST}
            )
            log.warning("job %s lost its live state (Redis restarted empty?): failed", job.job_id)
            failed.append(job.job_id)
        return failed

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Sweep every ``interval_s`` while the block runs; a failing look is retried later."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(self.interval_s)
                try:
                    await self.sweep()
                except Exception as exc:  # Redis or PostgreSQL away: the next look retries
                    log.warning("sweep failed (%s); retrying in %.0fs", exc, self.interval_s)

        task = asyncio.create_task(loop(), name="scan-sweeper")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
