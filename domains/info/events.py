"""The info domain's events: the reminder job's tick and the reminders it sends."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Final

from pydantic import Field

from eventing.events import EventCatalog, Payload

REMINDER_TICK: Final = "kr.eco2.reminder.tick"
REMINDER_DUE: Final = "kr.eco2.reminder.due"
# The Redis stream (sharded by user) the reminder job publishes due reminders to; a
# notification sender consumes it.
DUE_TOPIC: Final = "eco2:reminders:due"


class ReminderTick(Payload):
    """Run the reminder job as of ``at`` (the scheduler's time; now when omitted)."""

    at: datetime | None = None


class DueStream(Payload):
    stream: str
    label: str
    start: time
    end: time


class ReminderDue(Payload):
    """Tell a user what to put out this evening (the night before it is collected)."""

    user_id: str = Field(min_length=1)
    date: date
    sido: str
    sigungu: str
    zone: str
    streams: list[DueStream] = Field(min_length=1)
    message: str


INFO_EVENTS = EventCatalog({REMINDER_TICK: ReminderTick, REMINDER_DUE: ReminderDue})
