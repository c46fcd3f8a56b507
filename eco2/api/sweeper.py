"""The sweeper: scans and chat turns whose live state was lost end ``failed`` with a reason the
client sees.

While a scan runs, where it is lives in Redis (its progress log and state); PostgreSQL records
only its state changes and is the record of truth. If Redis comes back empty (a restart without
persistence, a cache node failing over), a job in flight has lost its queued event and its state:
no stage will ever move it, and its SSE stream would answer 404. Every ``interval_s`` the sweeper
looks at the jobs still active after ``grace_s`` and, for each whose Redis state is gone, fails
the job in PostgreSQL and writes a ``failed`` step to the progress log, so a client following it
(or reconnecting) reads why and can submit again.

Chat turns the same way: PostgreSQL holds each turn's user message and, once answered, its
answer; a turn sent more than ``grace_s`` ago (and within the progress log's life) with no
answer, not paused for a question, and no Redis state was lost with it. Its ``failed`` step is
written after the job is registered again, so the next look finds it and leaves it alone.

A job that ENDED shortly before Redis emptied lost its last step too: its client, reconnecting
(with its ``done`` unread: the chaos suite found six scans that finished while their API was
down and then answered 404 for ever), would never learn the end. So the sweeper also looks at
the scans and turns that ended within the progress log's life and, for each whose state is gone,
tells its ending again from the record (a scan's result or reason, a turn's answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from domains.chat.events import ChatFailed
from domains.chat.service import ChatService
from domains.scan.schemas import JobView
from domains.scan.service import ScanJobService
from eventing.progress import ProgressPublisher

log = logging.getLogger("eco2.api.sweeper")

LOST = "진행 상태를 잃어버렸어요(이벤트 버스가 다시 시작됨). 사진을 다시 올려 주세요."
LOST_TURN = "진행 상태를 잃어버렸어요(이벤트 버스가 다시 시작됨). 메시지를 다시 보내 주세요."


class Sweeper:
    """Fails the active jobs (scans, and chat turns when given ``chats``) whose live state Redis
    no longer has."""

    def __init__(
        self,
        jobs: ScanJobService,
        progress: ProgressPublisher,
        *,
        chats: ChatService | None = None,
        grace_s: float = 60.0,
        interval_s: float = 30.0,
    ) -> None:
        self.jobs = jobs
        self.progress = progress
        self.chats = chats
        self.grace_s = grace_s
        self.interval_s = interval_s

    async def sweep(self) -> list[str]:
        """One look; returns the ids of the jobs it failed, or whose ending it told again."""
        now = datetime.now(UTC)
        cutoff = now - timedelta(seconds=self.grace_s)
        # Endings are looked for within the progress log's life: an older job's log expired.
        since = now - timedelta(seconds=max(self.progress.ttl_s - self.grace_s, 0))
        told: list[str] = []
        for job in await self.jobs.active_since(cutoff):
            if await self.progress.redis.exists(self.progress.keys.state(job.job_id)):
                continue  # still followed by the bus: running, or waiting in a queue
            stage = job.stage if job.stage != "done" else "queued"
            await self.jobs.fail(job.job_id, stage, LOST)
            payload = {"stage": stage, "reason": LOST}
            await self._tell_again(job.job_id, "failed", "failed", job.progress, payload)
            told.append(job.job_id)
        ended = await self.jobs.ended_since(since, cutoff)
        for job, lost in zip(ended, await self._lost([j.job_id for j in ended]), strict=True):
            if lost:
                await self._tell_again(job.job_id, *_ending(job.status, job))
                told.append(job.job_id)
        if self.chats is not None:
            told += await self.sweep_turns(self.chats, since, cutoff)
        return told

    async def sweep_turns(self, chats: ChatService, since: datetime, cutoff: datetime) -> list[str]:
        """The chat turns' look (``sweep``): a turn lost before its answer is failed, an answer
        lost before its client read it is told again. Returns the job ids."""
        told: list[str] = []
        turns = await chats.open_turns(since, cutoff)
        for (job_id, chat_id), lost in zip(
            turns, await self._lost([t[0] for t in turns]), strict=True
        ):
            if lost:
                reason = ChatFailed(job_id=job_id, chat_id=chat_id, reason=LOST_TURN)
                await self._tell_again(
                    job_id, "failed", "failed", 0, reason.model_dump(mode="json")
                )
                told.append(job_id)
        answered = await chats.answered_turns(since, cutoff)
        for (job_id, chat_id, text, data), lost in zip(
            answered, await self._lost([a[0] for a in answered]), strict=True
        ):
            if lost:
                # What the turn's ``done`` carried that the record keeps: enough for a client to
                # show the answer (``replace``-free: the log that held its tokens is gone).
                answer = {"job_id": job_id, "chat_id": chat_id, "text": text, **data}
                await self._tell_again(job_id, "done", "completed", 100, answer)
                told.append(job_id)
        return told

    async def _lost(self, job_ids: list[str]) -> list[bool]:
        """Per job, True when Redis has no state for it (one round trip)."""
        if not job_ids:
            return []
        async with self.progress.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.exists(self.progress.keys.state(job_id))
            return [not found for found in await pipe.execute()]

    async def _tell_again(
        self, job_id: str, stage: str, status: str, progress: int, payload: dict[str, Any]
    ) -> None:
        """Write a job's last step in a new seq epoch, after registering the job again: a client
        resuming from before the loss gets it, and the next look finds a state and leaves the
        job alone."""
        await self.progress.restart_lost_log(job_id)
        await self.progress.register_job(job_id)
        await self.progress.emit(job_id, stage, status, progress, payload)
        log.warning("job %s lost its live state (Redis restarted empty?): %s told", job_id, stage)

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


def _ending(status: str, job: JobView) -> tuple[str, str, int, dict[str, Any]]:
    """The last step of an ended scan, from its record: the ``done`` with its result, or the
    ``failed`` with its reason."""
    if status == "done":
        return "done", "completed", 100, job.result or {}
    return "failed", "failed", job.progress, {"stage": job.stage, "reason": job.failure_reason}
