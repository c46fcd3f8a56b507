"""The sweeper on the real PostgreSQL and Redis: a scan or chat turn whose live state Redis lost
ends failed with a reason its stream shows; one the bus still follows, one too recent, an
answered turn or one paused for a question is left alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

from redis import asyncio as aioredis
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.chat.models import ChatMessageRow
from domains.chat.service import ChatService
from domains.scan.models import ScanJobRow
from domains.scan.service import ScanJobService
from eco2.api.sweeper import LOST, LOST_TURN, Sweeper
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


async def test_a_chat_turn_whose_state_redis_lost_is_failed_with_a_reason(
    sessions: async_sessionmaker[AsyncSession], redis: aioredis.Redis, prefix: str, user: str
) -> None:
    chats = ChatService(sessions)
    progress = ProgressPublisher(redis, ProgressKeys(4, prefix), registered=True)
    chat = await chats.create(user)
    paused_chat = await chats.create(user)
    lost, followed, answered, paused, recent = (uuid.uuid4().hex for _ in range(5))
    for job_id in (lost, followed, answered, recent):
        await chats.add_user_message(user, chat.chat_id, "페트병은?", job_id, {})
    await chats.add_user_message(user, paused_chat.chat_id, "이거 뭐야?", paused, {})
    await chats.record_answer(chat.chat_id, answered, "투명 페트병으로", {})
    await chats.wait_for_input(paused_chat.chat_id, paused, "어떤 병이에요?")
    await progress.register_job(followed)  # the bus still has this one
    async with sessions() as session, session.begin():
        await session.execute(
            update(ChatMessageRow)
            .where(ChatMessageRow.job_id.in_([lost, followed, answered, paused]))
            .values(created_at=ChatMessageRow.created_at - _minutes(5))
        )
    sweeper = Sweeper(ScanJobService(sessions), progress, chats=chats, grace_s=60)
    swept = await sweeper.sweep()
    # Other tests' turns in the session's schema may be swept too; ours are what count.
    # The answered one lost its log too: its answer is told again (the test below).
    assert {lost, answered} <= set(swept) and {followed, paused, recent}.isdisjoint(swept)
    keys = progress.keys
    entries = await redis.xrange(keys.stream(keys.shard(lost)))
    steps = [progress_from_fields(f)[0] for _id, f in entries]
    (step,) = [s for s in steps if s.job_id == lost]
    assert (step.stage, step.status, step.seq) == ("failed", "failed", LOST_EPOCH + 1)
    assert step.payload == {"job_id": lost, "chat_id": chat.chat_id, "reason": LOST_TURN}
    # Its state is back (registered), so the next look leaves it alone, router or not.
    assert lost not in await sweeper.sweep()


async def test_an_ending_redis_lost_before_its_client_read_it_is_told_again(
    sessions: async_sessionmaker[AsyncSession], redis: aioredis.Redis, prefix: str, user: str
) -> None:
    """A scan done and a turn answered shortly before Redis emptied: their clients, reconnecting,
    would get 404 for ever; the record tells their ending again, once."""
    jobs, chats = ScanJobService(sessions), ChatService(sessions)
    progress = ProgressPublisher(redis, ProgressKeys(4, prefix), registered=True)
    done, kept, old = [
        (await jobs.create_job(user_id=user, image_ref=f"sha256:{n}"))[0] for n in "def"
    ]
    for job in (done, kept, old):
        await jobs.complete(job.job_id, {"rule": {"item": "생수병"}})
    await progress.register_job(kept.job_id)  # its log is still there
    chat = await chats.create(user)
    turn = uuid.uuid4().hex
    await chats.add_user_message(user, chat.chat_id, "페트병은?", turn, {})
    await chats.record_answer(chat.chat_id, turn, "투명 페트병으로", {"message_id": "m1"})
    async with sessions() as session, session.begin():
        await session.execute(
            update(ScanJobRow)
            .where(ScanJobRow.job_id.in_([done.job_id, kept.job_id]))
            .values(updated_at=ScanJobRow.updated_at - _minutes(5))
        )
        # Older than the progress log's life: its log expired, it was not lost.
        await session.execute(
            update(ScanJobRow)
            .where(ScanJobRow.job_id == old.job_id)
            .values(updated_at=ScanJobRow.updated_at - _minutes(120))
        )
        await session.execute(
            update(ChatMessageRow)
            .where(ChatMessageRow.job_id == turn)
            .values(created_at=ChatMessageRow.created_at - _minutes(5))
        )
    sweeper = Sweeper(jobs, progress, chats=chats, grace_s=60)
    told = await sweeper.sweep()
    assert {done.job_id, turn} <= set(told) and {kept.job_id, old.job_id}.isdisjoint(told)
    keys = progress.keys
    steps = {}
    for job_id in (done.job_id, turn):
        entries = await redis.xrange(keys.stream(keys.shard(job_id)))
        (steps[job_id],) = [
            s for s in (progress_from_fields(f)[0] for _id, f in entries) if s.job_id == job_id
        ]
    assert (steps[done.job_id].stage, steps[done.job_id].seq) == ("done", LOST_EPOCH + 1)
    assert steps[done.job_id].payload == {"rule": {"item": "생수병"}}
    assert (steps[turn].stage, steps[turn].seq) == ("done", LOST_EPOCH + 1)
    assert steps[turn].payload == {
        "job_id": turn,
        "chat_id": chat.chat_id,
        "text": "투명 페트병으로",
        "message_id": "m1",
    }
    assert {done.job_id, turn}.isdisjoint(await sweeper.sweep())  # once only
