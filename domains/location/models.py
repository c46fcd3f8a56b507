"""The facilities table: one row per place that takes something back.

The position is written as latitude/longitude (WGS84); PostgreSQL generates the PostGIS
``geography`` column from them, GiST-indexed for the radius search (``service.py`` queries it
through SQL). It is declared here so the models describe the table the migration makes; it is
deferred, so loading a facility never fetches it.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Computed,
    Date,
    DateTime,
    Double,
    Identity,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from domains.db import Base

# PostGIS lives in the database's public schema, the tables in the domain schema.
GEOGRAPHY_OF_LAT_LON = "public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326)::public.geography"


class Geography(UserDefinedType[object]):
    """PostGIS ``geography(Point, 4326)``, schema-qualified."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "public.geography(Point, 4326)"


class FacilityRow(Base):
    """A facility. ``(kind, source_key)`` is its identity across re-imports of a source."""

    __tablename__ = "facilities"
    __table_args__ = (
        UniqueConstraint("kind", "source_key"),
        Index("ix_facilities_sigungu", "sido", "sigungu"),
        Index("ix_facilities_geog", "geog", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(200))
    sido: Mapped[str] = mapped_column(String(32))
    sigungu: Mapped[str] = mapped_column(String(32))
    road_address: Mapped[str | None] = mapped_column(Text)
    jibun_address: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)
    accepts: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    weekday_open: Mapped[time | None] = mapped_column(Time)
    weekday_close: Mapped[time | None] = mapped_column(Time)
    saturday_open: Mapped[time | None] = mapped_column(Time)
    saturday_close: Mapped[time | None] = mapped_column(Time)
    holiday_open: Mapped[time | None] = mapped_column(Time)
    holiday_close: Mapped[time | None] = mapped_column(Time)
    closed_days: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    reference_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    geog: Mapped[object] = mapped_column(
        Geography(), Computed(GEOGRAPHY_OF_LAT_LON, persisted=True), deferred=True
    )
