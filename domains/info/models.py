"""The info tables: bulk-waste fees, recyclable prices, collection zones and reminders."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from domains.db import Base


class BulkWasteFeeRow(Base):
    """One fee of a district's bulk-waste list (전국대형폐기물수거수수료정보표준데이터)."""

    __tablename__ = "bulk_waste_fees"
    __table_args__ = (UniqueConstraint("sido", "sigungu", "item", "category", "spec"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    sido: Mapped[str] = mapped_column(String(32))
    sigungu: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(100), default="")
    spec: Mapped[str] = mapped_column(String(200), default="")
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_won: Mapped[int] = mapped_column(Integer)
    reference_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecyclablePriceRow(Base):
    """The price paid for a recyclable material in a region and month (won per unit)."""

    __tablename__ = "recyclable_prices"
    __table_args__ = (UniqueConstraint("region", "month", "material", "unit"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    material: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(16))
    price_won: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CollectionZoneRow(Base):
    """A 관리구역's collection schedule (전국생활쓰레기배출정보표준데이터). Days are 0 = Monday."""

    __tablename__ = "collection_zones"
    __table_args__ = (UniqueConstraint("sido", "sigungu", "zone"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    sido: Mapped[str] = mapped_column(String(32))
    sigungu: Mapped[str] = mapped_column(String(32))
    zone: Mapped[str] = mapped_column(String(100))
    areas: Mapped[str | None] = mapped_column(Text)
    place_type: Mapped[str | None] = mapped_column(String(100))
    place: Mapped[str | None] = mapped_column(Text)
    general_days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    food_days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    recyclables_days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    general_start: Mapped[time | None] = mapped_column(Time)
    general_end: Mapped[time | None] = mapped_column(Time)
    food_start: Mapped[time | None] = mapped_column(Time)
    food_end: Mapped[time | None] = mapped_column(Time)
    recyclables_start: Mapped[time | None] = mapped_column(Time)
    recyclables_end: Mapped[time | None] = mapped_column(Time)
    no_collection: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    reference_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReminderRow(Base):
    """A user's collection reminder: which streams, where, and at what time of the evening.

    ``last_sent_on`` is the 배출 date the last reminder was sent for: the scheduled job claims
    a date by moving it forward, so a rerun or a second replica never reminds twice.
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_remind_at", "remind_at"),)

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    sido: Mapped[str] = mapped_column(String(32))
    sigungu: Mapped[str] = mapped_column(String(32))
    zone: Mapped[str] = mapped_column(String(100))
    streams: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    remind_at: Mapped[time] = mapped_column(Time)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
