"""Everyday info for the API and the chat's bulk_waste, recyclable_price and calendar answers:
bulk-waste fees with fuzzy item matching, recyclable prices, the collection calendar (holidays
applied, also as iCalendar), "what goes out tonight", and reminder settings with the scheduled
job's selection of due reminders.

Districts are named as the standard data names them: ``sigungu`` ("강남구", "수원시 영통구"),
with ``sido`` ("서울특별시" or "서울") when the 시군구 name alone is ambiguous. A district or zone
we have no data for raises ``UnknownDistrict`` naming what exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.info.calendar import (
    Times,
    calendar_days,
    collection_day,
    describe,
    to_ical,
    zone_of,
)
from domains.info.events import DueStream, ReminderDue
from domains.info.exceptions import InvalidRequest, ReminderNotFound, UnknownDistrict
from domains.info.matching import rank
from domains.info.models import (
    BulkWasteFeeRow,
    CollectionZoneRow,
    RecyclablePriceRow,
    ReminderRow,
)
from domains.info.schemas import (
    Calendar,
    FeeMatch,
    Price,
    Reminder,
    ReminderIn,
    Tonight,
    Zone,
)
from domains.location.hours import SEOUL
from domains.location.importers import normalise_sido

MAX_DAYS = 366
NEXT_DAY_WITHIN = 14


class InfoService:
    """Reads the info tables; one short transaction per call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # Districts -----------------------------------------------------------------------------

    async def _district(
        self, session: AsyncSession, table: Any, sigungu: str, sido: str | None
    ) -> tuple[str, str]:
        """The (시도, 시군구) ``table`` has for the given names; ``UnknownDistrict`` otherwise."""
        sigungu = sigungu.strip()
        query = select(table.sido, table.sigungu).distinct().where(table.sigungu == sigungu)
        if sido:
            query = query.where(table.sido == normalise_sido(sido))
        found = sorted((row.sido, row.sigungu) for row in await session.execute(query))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            options = ", ".join(f"{a} {b}" for a, b in found)
            raise UnknownDistrict(f"{sigungu!r} is in several 시도 ({options}); give sido")
        known = await session.execute(
            select(table.sido, table.sigungu).distinct().order_by(table.sido, table.sigungu)
        )
        names = ", ".join(f"{row.sido} {row.sigungu}" for row in known) or "none imported yet"
        where = f"{normalise_sido(sido)} {sigungu}" if sido else sigungu
        raise UnknownDistrict(f"no data for district {where!r}; districts with data: {names}")

    async def districts(self) -> list[tuple[str, str]]:
        """Every (시도, 시군구) with fees or a collection schedule, sorted."""
        async with self._sessions() as session:
            found: set[tuple[str, str]] = set()
            for table in (BulkWasteFeeRow, CollectionZoneRow):
                rows = await session.execute(select(table.sido, table.sigungu).distinct())
                found.update((row.sido, row.sigungu) for row in rows)
        return sorted(found)

    # Bulk-waste fees -----------------------------------------------------------------------

    async def bulk_waste_fees(
        self, sigungu: str, *, sido: str | None = None, query: str | None = None, limit: int = 10
    ) -> list[FeeMatch]:
        """The district's fees; with ``query`` ("3인용 소파", "장롱 큰 거") the best matches
        first (an empty list when nothing matches), else the whole list by item."""
        if not 1 <= limit <= 200:
            raise InvalidRequest(f"limit={limit} must be between 1 and 200")
        async with self._sessions() as session:
            sido_, sigungu_ = await self._district(session, BulkWasteFeeRow, sigungu, sido)
            rows = (
                await session.scalars(
                    select(BulkWasteFeeRow)
                    .where(BulkWasteFeeRow.sido == sido_, BulkWasteFeeRow.sigungu == sigungu_)
                    .order_by(BulkWasteFeeRow.item, BulkWasteFeeRow.fee_won, BulkWasteFeeRow.id)
                )
            ).all()
        fees = [
            FeeMatch(
                sido=row.sido,
                sigungu=row.sigungu,
                item=row.item,
                category=row.category,
                spec=row.spec,
                free=row.free,
                fee_won=row.fee_won,
                reference_date=row.reference_date,
                score=1.0,
            )
            for row in rows
        ]
        if query and query.strip():
            return rank(query, fees, limit)
        return fees[:limit]

    # Recyclable prices ---------------------------------------------------------------------

    async def prices(
        self,
        *,
        region: str | None = None,
        material: str | None = None,
        month: date | None = None,
    ) -> list[Price]:
        """Prices of ``month`` (default: the latest month with data, per region), filtered by
        region and by a material word ("캔", "폐지" …), cheapest material name first."""
        async with self._sessions() as session:
            query = select(RecyclablePriceRow)
            if region:
                query = query.where(RecyclablePriceRow.region == region.strip())
            if material:
                query = query.where(RecyclablePriceRow.material.contains(material.strip()))
            if month is not None:
                query = query.where(RecyclablePriceRow.month == month.replace(day=1))
            rows = (await session.scalars(query)).all()
        if month is None:
            latest: dict[str, date] = {}
            for row in rows:
                latest[row.region] = max(latest.get(row.region, row.month), row.month)
            rows = [row for row in rows if row.month == latest[row.region]]
        prices = [
            Price(
                region=row.region,
                month=row.month,
                material=row.material,
                unit=row.unit,
                price_won=row.price_won,
            )
            for row in rows
        ]
        return sorted(prices, key=lambda p: (p.region, p.material, p.unit))

    # Collection calendar -------------------------------------------------------------------

    async def zones(self, sigungu: str, *, sido: str | None = None) -> list[Zone]:
        async with self._sessions() as session:
            sido_, sigungu_ = await self._district(session, CollectionZoneRow, sigungu, sido)
            rows = (
                await session.scalars(
                    select(CollectionZoneRow)
                    .where(CollectionZoneRow.sido == sido_, CollectionZoneRow.sigungu == sigungu_)
                    .order_by(CollectionZoneRow.zone)
                )
            ).all()
        return [zone_of(row)[0] for row in rows]

    async def zone(
        self, sigungu: str, *, sido: str | None = None, zone: str | None = None
    ) -> tuple[Zone, Times]:
        """One zone of a district: by 관리구역명, or by a place named in its 관리구역대상지역명
        ("역삼동"); the district's only zone when ``zone`` is None."""
        async with self._sessions() as session:
            sido_, sigungu_ = await self._district(session, CollectionZoneRow, sigungu, sido)
            rows = (
                await session.scalars(
                    select(CollectionZoneRow)
                    .where(CollectionZoneRow.sido == sido_, CollectionZoneRow.sigungu == sigungu_)
                    .order_by(CollectionZoneRow.zone)
                )
            ).all()
        names = ", ".join(row.zone for row in rows)
        if zone is None or not zone.strip():
            if len(rows) == 1:
                return zone_of(rows[0])
            raise InvalidRequest(f"{sigungu_} has {len(rows)} zones ({names}); give zone")
        wanted = zone.strip()
        for row in rows:
            if row.zone == wanted:
                return zone_of(row)
        by_area = [row for row in rows if row.areas and wanted in row.areas]
        if len(by_area) == 1:
            return zone_of(by_area[0])
        raise UnknownDistrict(f"no zone {wanted!r} in {sido_} {sigungu_}; zones: {names}")

    @staticmethod
    def _range(days: int) -> None:
        if not 1 <= days <= MAX_DAYS:
            raise InvalidRequest(f"days={days} must be between 1 and {MAX_DAYS}")

    async def calendar(
        self,
        sigungu: str,
        *,
        sido: str | None = None,
        zone: str | None = None,
        start: date | None = None,
        days: int = 31,
    ) -> Calendar:
        """The zone's 배출 days from ``start`` (default today, Korean time) for ``days`` days,
        holidays and 미수거일 applied."""
        first = start or datetime.now(SEOUL).date()
        self._range(days)
        found, times = await self.zone(sigungu, sido=sido, zone=zone)
        return Calendar(zone=found, days=calendar_days(found, times, first, days))

    async def ics(
        self,
        sigungu: str,
        *,
        sido: str | None = None,
        zone: str | None = None,
        start: date | None = None,
        days: int = 92,
    ) -> bytes:
        """The same calendar as an iCalendar feed a phone can subscribe to."""
        calendar = await self.calendar(sigungu, sido=sido, zone=zone, start=start, days=days)
        return to_ical(calendar.zone, calendar.days)

    async def tonight(
        self,
        sigungu: str,
        *,
        sido: str | None = None,
        zone: str | None = None,
        at: datetime | None = None,
    ) -> Tonight:
        """What goes out this evening (Korean time) in the zone, or why nothing does, and the
        next day something goes out."""
        found, times = await self.zone(sigungu, sido=sido, zone=zone)
        today = (at or datetime.now(SEOUL)).astimezone(SEOUL).date()
        day = collection_day(found, times, today)
        upcoming = None
        for offset in range(1, NEXT_DAY_WITHIN + 1):
            candidate = collection_day(found, times, today + timedelta(days=offset))
            if candidate.streams:
                upcoming = candidate
                break
        message = describe(day)
        if not day.streams and upcoming is not None:
            message += "; 다음 배출: " + describe(upcoming, today=False)
        return Tonight(
            zone=found,
            date=today,
            streams=day.streams,
            skipped=day.skipped,
            next_day=upcoming,
            message=message,
        )

    # Reminders -----------------------------------------------------------------------------

    @staticmethod
    def _reminder(row: ReminderRow) -> Reminder:
        return Reminder.model_validate(row, from_attributes=True)

    async def set_reminder(self, user_id: str, settings: ReminderIn) -> Reminder:
        """Create or replace the user's reminder; the district and zone must have a schedule."""
        found, _ = await self.zone(settings.sigungu, sido=settings.sido, zone=settings.zone)
        values = {
            "user_id": user_id,
            "sido": found.sido,
            "sigungu": found.sigungu,
            "zone": found.zone,
            "streams": list(settings.streams),
            "remind_at": settings.remind_at,
            "enabled": settings.enabled,
        }
        changed = {key: value for key, value in values.items() if key != "user_id"}
        statement = (
            insert(ReminderRow)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["user_id"],
                set_={**changed, "updated_at": datetime.now(SEOUL)},
            )
            .returning(ReminderRow)
        )
        async with self._sessions() as session, session.begin():
            row = (await session.scalars(statement)).one()
            return self._reminder(row)

    async def get_reminder(self, user_id: str) -> Reminder:
        async with self._sessions() as session:
            row = await session.get(ReminderRow, user_id)
        if row is None:
            raise ReminderNotFound(f"no reminder set for user {user_id!r}")
        return self._reminder(row)

    async def delete_reminder(self, user_id: str) -> None:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(ReminderRow)
                .where(ReminderRow.user_id == user_id)
                .returning(ReminderRow.user_id)
            )
            if result.first() is None:
                raise ReminderNotFound(f"no reminder set for user {user_id!r}")

    async def due_reminders(
        self, at: datetime, *, users: Sequence[str] | None = None
    ) -> list[ReminderDue]:
        """Claim and return the reminders due at ``at``: enabled, their time reached this
        evening (Korean time), not yet sent for today, and with at least one chosen stream
        going out tonight. Claiming moves ``last_sent_on`` to today in the same statement that
        checks it, so two runs (or replicas) never send one twice. ``users`` limits the run to
        those users (tests, and a user's "send me a test reminder")."""
        local = at.astimezone(SEOUL)
        today, moment = local.date(), local.time().replace(tzinfo=None)
        not_sent = or_(ReminderRow.last_sent_on.is_(None), ReminderRow.last_sent_on < today)
        query = select(ReminderRow).where(
            ReminderRow.enabled, ReminderRow.remind_at <= moment, not_sent
        )
        if users is not None:
            query = query.where(ReminderRow.user_id.in_(list(users)))
        async with self._sessions() as session:
            rows = (await session.scalars(query.order_by(ReminderRow.user_id))).all()
            zones: dict[tuple[str, str, str], tuple[Zone, Times] | None] = {}
            due: list[ReminderDue] = []
            for row in rows:
                key = (row.sido, row.sigungu, row.zone)
                if key not in zones:
                    zone_row = await session.scalar(
                        select(CollectionZoneRow).where(
                            CollectionZoneRow.sido == row.sido,
                            CollectionZoneRow.sigungu == row.sigungu,
                            CollectionZoneRow.zone == row.zone,
                        )
                    )
                    zones[key] = zone_of(zone_row) if zone_row is not None else None
                found = zones[key]
                if found is None:  # the zone left the data since the reminder was set
                    continue
                day = collection_day(found[0], found[1], today)
                streams = [w for w in day.streams if w.stream in row.streams]
                if not streams:
                    continue
                claimed = await session.execute(
                    update(ReminderRow)
                    .where(ReminderRow.user_id == row.user_id, not_sent)
                    .values(last_sent_on=today)
                    .returning(ReminderRow.user_id)
                    .execution_options(synchronize_session=False)
                )
                won = claimed.first() is not None
                await session.commit()
                if not won:
                    continue
                shown = day.model_copy(update={"streams": streams, "skipped": []})
                due.append(
                    ReminderDue(
                        user_id=row.user_id,
                        date=today,
                        sido=row.sido,
                        sigungu=row.sigungu,
                        zone=row.zone,
                        streams=[
                            DueStream(stream=w.stream, label=w.label, start=w.start, end=w.end)
                            for w in streams
                        ],
                        message=describe(shown),
                    )
                )
        return due
