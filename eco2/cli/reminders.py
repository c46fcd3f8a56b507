"""``eco2 reminders run``: one tick of the reminder job (what the CronJob runs)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import click

from domains.info.events import INFO_EVENTS, REMINDER_TICK, ReminderTick
from eco2.settings import Settings
from functions.reminder.main import new


@click.group()
def reminders() -> None:
    """Collection reminders: the scheduled job."""


@reminders.command()
@click.option(
    "--at",
    "at",
    default=None,
    help="ISO time with an offset to run as of (default now), e.g. 2026-09-23T19:00:00+09:00.",
)
def run(at: str | None) -> None:
    """Send the reminders due now: publish kr.eco2.reminder.due to eco2:reminders:due."""
    moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
    if moment.tzinfo is None:
        raise click.BadParameter("needs a UTC offset, e.g. +09:00", param_hint="--at")
    settings = Settings()

    async def tick() -> int:
        job = new(settings)
        await job.start()
        try:
            await job.handle(INFO_EVENTS.make(REMINDER_TICK, ReminderTick(at=moment)))
        finally:
            await job.stop()
        return job.sent

    sent = asyncio.run(tick())
    click.echo(f"reminder tick as of {moment.isoformat()}: {sent} reminder(s) published")
