"""The sweeper on the real PostgreSQL and Redis: a scan whose live state Redis lost ends failed
with a reason its stream shows; one the bus still follows, or one too recent, is left alone."""

from __future__ import annotations

from datetime import timedelta

from redis import asyncio as aioredis
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.scan.models import ScanJobRow
from domains.scan.service import ScanJobService
from eco2.api.sweeper import LOST, Sweeper
from eventing.progress import LOST_EPOCH, ProgressKeys, ProgressPublisher, progress_from_fields


async def test_a_scan_whose_state_redis_lost_is_failed_with_a_reason(
    sessions: async_sessionmaker[AsyncSession], redis: aioredis.Redis, prefix: str, user: str
) -> None:
    jobs = ScanJobService(sessions)
    progress = ProgressPublisher(redis, ProgressKeys(4, prefix))
    lost, followed, recent = [
        (await jobs.create_job(user_id=user, image_ref=f"sha256:{n}"))[0] for n in "abc"
    ]
    await progress.register_job(followed.job_id)  # the bus still has this one
    async with sessions() as session, session.begin():
        await session.execute(
            update(ScanJobRow)
            .where(ScanJobRow.job_id.in_([lost.job_id, followed.job_id]))
            .values(updated_at=ScanJobRow.updated_at - _minutes(5))
        )
    swept = await Sweeper(jobs, progress, grace_s=60).sweep()
    # Other tests' queued jobs in the session's schema may be swept too; ours are what count.
    assert lost.job_id in swept and {followed.job_id, recent.job_id}.isdisjoint(swept)
    failed = await jobs.get_job(lost.job_id)
    assert failed.status == "failed" and failed.failure_reason == LOST
    assert (await jobs.get_job(followed.job_id)).status == "queued"
    assert (await jobs.get_job(recent.job_id)).status == "queued"
    # The client following the job (or reconnecting) reads why it ended.
    keys = progress.keys
    entries = await redis.xrange(keys.stream(keys.shard(lost.job_id)))
    steps = [progress_from_fields(f)[0] for _id, f in entries]
    (step,) = [s for s in steps if s.job_id == lost.job_id]
    assert (step.stage, step.status, step.seq) == ("failed", "failed", LOST_EPOCH + 1)
    assert step.payload == {"stage": "queued", "reason": LOST}
    assert lost.job_id not in await Sweeper(jobs, progress, grace_s=60).sweep()  # once only


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
