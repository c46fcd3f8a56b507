"""The reminder job on the real PostgreSQL and Redis Streams: a tick publishes one
``kr.eco2.reminder.due`` per user due, once, with an id that a retried tick repeats."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from cloudevents.http import CloudEvent
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.info.events import DUE_TOPIC, INFO_EVENTS, REMINDER_TICK, ReminderDue, ReminderTick
from domains.info.importers import SAMPLES, import_info
from domains.info.schemas import ReminderIn
from domains.info.service import InfoService
from domains.location.hours import SEOUL
from eco2.settings import Settings
from eventing.bindings.redis import from_stream_fields
from eventing.bus.redis import RedisBus
from functions.reminder import main as reminder
from tests.domains.location.conftest import fresh

__all__ = ["fresh"]
SHARDS = 2


async def _published(redis: aioredis.Redis, unique: str) -> list[ReminderDue]:
    found = []
    for shard in range(SHARDS):
        for _, fields in await redis.xrange(f"{unique}:{DUE_TOPIC}:{shard}"):
            event = from_stream_fields(fields)
            assert event["type"] == "kr.eco2.reminder.due"
            payload = INFO_EVENTS.payload(event)
            assert isinstance(payload, ReminderDue) and event["subject"] == payload.user_id
            found.append(payload)
    return found


def _tick(day: int, hour: int, minute: int = 0) -> CloudEvent:
    at = datetime(2026, 9, day, hour, minute, tzinfo=SEOUL)
    return INFO_EVENTS.make(REMINDER_TICK, ReminderTick(at=at))


async def test_a_tick_publishes_each_due_reminder_once(
    fresh: async_sessionmaker[AsyncSession], redis: aioredis.Redis, unique: str
) -> None:
    for kind, path in SAMPLES.items():
        await import_info(fresh, kind, path)
    info = InfoService(fresh)
    users = [f"{unique}-a", f"{unique}-b", f"{unique}-c"]
    await info.set_reminder(
        users[0], ReminderIn(sigungu="수원시 영통구", streams=["recyclables"], remind_at=time(19))
    )
    await info.set_reminder(
        users[1], ReminderIn(sigungu="수원시 영통구", streams=["general"], remind_at=time(18))
    )
    await info.set_reminder(  # 22:00: not yet at the tick
        users[2], ReminderIn(sigungu="수원시 영통구", streams=["food"], remind_at=time(22))
    )
    bus = RedisBus("redis://127.0.0.1:6379/0", SHARDS, prefix=f"{unique}:")
    job = reminder.new(Settings(_env_file=None), info=info, bus=bus)  # type: ignore[call-arg]
    await job.start()
    try:
        assert job.ready()
        assert await job.handle(_tick(23, 19, 5)) is None  # the tick fans out, no reply
        assert await job.handle(_tick(23, 19, 10)) is None  # a second tick sends nothing new
        assert job.sent == 2
    finally:
        await job.stop()
        await bus.close()
    published = sorted(await _published(redis, unique), key=lambda due: due.user_id)
    assert [(d.user_id, [s.stream for s in d.streams]) for d in published] == [
        (users[0], ["recyclables"]),
        (users[1], ["general"]),
    ]
    assert published[0].message.startswith("오늘(9월 23일 수) 저녁 배출: 재활용품")


async def test_unstarted_job_and_naive_tick_are_refused(
    fresh: async_sessionmaker[AsyncSession],
) -> None:
    idle = reminder.new(Settings(_env_file=None))  # type: ignore[call-arg]
    assert not idle.ready()
    with pytest.raises(RuntimeError, match="not started"):
        await idle.handle(_tick(23, 19))
    bus = RedisBus("redis://127.0.0.1:6379/0", SHARDS, prefix="unused:")
    job = reminder.new(Settings(_env_file=None), info=InfoService(fresh), bus=bus)  # type: ignore[call-arg]
    naive = INFO_EVENTS.make(REMINDER_TICK, ReminderTick(at=datetime(2026, 9, 23, 19)))
    try:
        with pytest.raises(ValueError, match="UTC offset"):
            await job.handle(naive)
    finally:
        await bus.close()
