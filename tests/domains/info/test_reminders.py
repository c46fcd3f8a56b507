"""Reminder settings and the scheduled job's choice of due reminders: the evening of 배출, once
per day, never on a 미수거일, only for the chosen streams."""

from __future__ import annotations

import asyncio
from datetime import datetime, time

import pytest

from domains.info.exceptions import InvalidRequest, ReminderNotFound, UnknownDistrict
from domains.info.schemas import ReminderIn
from domains.info.service import InfoService
from domains.location.hours import SEOUL


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute, tzinfo=SEOUL)


async def test_set_get_replace_delete(info: InfoService, user: str) -> None:
    with pytest.raises(ReminderNotFound):
        await info.get_reminder(user)
    settings = ReminderIn(
        sigungu="수원시 영통구",
        zone="매탄동",
        streams=["recyclables", "food", "recyclables"],
        remind_at=time(19),
    )
    reminder = await info.set_reminder(user, settings)
    assert (reminder.sido, reminder.zone) == ("경기도", "영통구 전역")
    assert reminder.streams == ["food", "recyclables"]
    replaced = await info.set_reminder(
        user, settings.model_copy(update={"streams": ["general"], "remind_at": time(20)})
    )
    assert (replaced.streams, replaced.remind_at) == (["general"], time(20))
    assert (await info.get_reminder(user)).remind_at == time(20)
    await info.delete_reminder(user)
    with pytest.raises(ReminderNotFound):
        await info.delete_reminder(user)


async def test_a_reminder_needs_a_known_district_and_zone(info: InfoService, user: str) -> None:
    with pytest.raises(UnknownDistrict):
        await info.set_reminder(
            user, ReminderIn(sigungu="해운대구", streams=["food"], remind_at=time(19))
        )
    with pytest.raises(InvalidRequest, match="give zone"):
        await info.set_reminder(
            user, ReminderIn(sigungu="강남구", streams=["food"], remind_at=time(19))
        )


async def test_due_once_on_the_evening_and_never_on_a_holiday(info: InfoService, user: str) -> None:
    await info.set_reminder(
        user, ReminderIn(sigungu="수원시 영통구", streams=["recyclables"], remind_at=time(19))
    )
    users = [user]
    assert await info.due_reminders(_at(22, 19, 5), users=users) == []  # Tuesday: not chosen
    assert await info.due_reminders(_at(23, 18, 30), users=users) == []  # not yet 19:00
    due = await info.due_reminders(_at(23, 19, 5), users=users)  # Wednesday: recyclables
    assert [(d.user_id, d.date.day, [s.stream for s in d.streams]) for d in due] == [
        (user, 23, ["recyclables"])
    ]
    assert "재활용품 18:00~06:00" in due[0].message
    assert await info.due_reminders(_at(23, 21), users=users) == []  # sent already
    assert await info.due_reminders(_at(26, 19, 5), users=users) == []  # Saturday, 추석 연휴
    assert len(await info.due_reminders(_at(30, 19, 5), users=users)) == 1  # next Wednesday


async def test_concurrent_runs_send_a_reminder_once(info: InfoService, user: str) -> None:
    await info.set_reminder(
        user, ReminderIn(sigungu="수원시 영통구", streams=["general"], remind_at=time(18))
    )
    runs = await asyncio.gather(
        *(info.due_reminders(_at(21, 18, 1), users=[user]) for _ in range(4))
    )
    assert sorted(len(run) for run in runs) == [0, 0, 0, 1]
