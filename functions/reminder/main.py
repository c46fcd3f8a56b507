"""The reminder job: on each tick, send the collection reminders that are due.

``kr.eco2.reminder.tick`` (from the CronJob, ``eco2 reminders run``, or any trigger) →
one ``kr.eco2.reminder.due`` per user whose chosen streams go out this evening, published to
the ``eco2:reminders:due`` stream (sharded by user) for a notification sender. The tick itself
gets no reply: it fans out to many users.

Claiming a reminder (``InfoService.due_reminders``) and its event id are both derived from the
user and the date, so a tick that is retried, or two overlapping ticks, never remind twice; an
event published twice after a crash carries the same id, which consumers' dedupe drops.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cloudevents.http import CloudEvent
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.db import DatabaseSettings, engine_from_settings, session_factory, upgrade
from domains.info.events import DUE_TOPIC, INFO_EVENTS, REMINDER_DUE, ReminderTick
from domains.info.service import InfoService
from eventing.bus.base import EventBus
from eventing.events import payload_of
from eventing.settings import BusSettings

_IDS = uuid.UUID("0d3b5a8e-7c41-4f0a-9b8e-5d2c6a1f3e77")


class ReminderJob:
    """The job with its database (opened by ``start``) and the bus it publishes to."""

    def __init__(
        self,
        settings: DatabaseSettings,
        *,
        info: InfoService | None = None,
        bus: EventBus | None = None,
        topic: str = DUE_TOPIC,
    ) -> None:
        self.settings = settings
        self.info = info
        self.bus = bus
        self.topic = topic
        self._engine: AsyncEngine | None = None
        self._owns_bus = False
        self.sent = 0  # reminders published by this instance, for the CLI and the logs

    async def start(self) -> None:
        if self.info is None:
            engine = engine_from_settings(self.settings)
            await upgrade(engine, self.settings.database_schema)  # idempotent, as every stage does
            self._engine, self.info = engine, InfoService(session_factory(engine))
        if self.bus is None:
            from eventing.bus.redis import RedisBus

            bus_settings = (
                self.settings if isinstance(self.settings, BusSettings) else BusSettings()
            )
            self.bus = RedisBus(bus_settings.redis_url, bus_settings.shards)
            self._owns_bus = True

    async def stop(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine, self.info = None, None
        if self._owns_bus and self.bus is not None:
            await self.bus.close()
            self.bus, self._owns_bus = None, False

    def ready(self) -> bool:
        return self.info is not None and self.bus is not None

    async def handle(self, event: CloudEvent) -> None:
        if self.info is None or self.bus is None:
            raise RuntimeError("the reminder job is not started")
        tick = payload_of(event, ReminderTick)
        at = tick.at or datetime.now(UTC)
        if at.tzinfo is None:
            raise ValueError("the tick's time must carry a UTC offset")
        for due in await self.info.due_reminders(at):
            event_id = str(uuid.uuid5(_IDS, f"{due.user_id}:{due.date.isoformat()}"))
            reminder = INFO_EVENTS.make(REMINDER_DUE, due, subject=due.user_id, event_id=event_id)
            await self.bus.publish(self.topic, reminder, key=due.user_id)
            self.sent += 1
        return None


def new(
    settings: DatabaseSettings,
    *,
    info: InfoService | None = None,
    bus: EventBus | None = None,
    topic: str = DUE_TOPIC,
) -> ReminderJob:
    """The reminder job; ``info`` and ``bus`` replace PostgreSQL and Redis Streams."""
    return ReminderJob(settings, info=info, bus=bus, topic=topic)
