"""Places and everyday info: facilities (PostGIS), bulk-waste fees, recyclable prices,
collection zones and reminders.

PostGIS is created once per database in ``public`` (``CREATE EXTENSION IF NOT EXISTS``; an
advisory lock keeps concurrent migrations of several schemas from racing on it) and never
dropped by a downgrade: other schemas of the database use it too. The ``geog`` column is
generated from lat/lon, so importers write plain coordinates and cannot leave it stale.

Revision ID: places_info_tables
Revises: chat_tables (chained after chat_tables when the branches merged: one head)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "places_info_tables"
down_revision: str | None = "chat_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")
GEOG = (
    "ALTER TABLE facilities ADD COLUMN geog public.geography(Point, 4326) "
    "GENERATED ALWAYS AS "
    "(public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326)::public.geography) STORED"
)


def _stamp() -> sa.Column[object]:
    return sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False)


def upgrade() -> None:
    op.execute("SELECT pg_advisory_xact_lock(hashtext('eco2: create extension postgis'))")
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public")
    op.create_table(
        "facilities",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_key", sa.String(300), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sido", sa.String(32), nullable=False),
        sa.Column("sigungu", sa.String(32), nullable=False),
        sa.Column("road_address", sa.Text(), nullable=True),
        sa.Column("jibun_address", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("accepts", sa.ARRAY(sa.String(64)), nullable=False),
        sa.Column("weekday_open", sa.Time(), nullable=True),
        sa.Column("weekday_close", sa.Time(), nullable=True),
        sa.Column("saturday_open", sa.Time(), nullable=True),
        sa.Column("saturday_close", sa.Time(), nullable=True),
        sa.Column("holiday_open", sa.Time(), nullable=True),
        sa.Column("holiday_close", sa.Time(), nullable=True),
        sa.Column("closed_days", sa.Text(), nullable=True),
        sa.Column("operator", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("reference_date", sa.Date(), nullable=True),
        _stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("kind", "source_key", name=op.f("uq_facilities_kind_source_key")),
    )
    op.create_index("ix_facilities_sigungu", "facilities", ["sido", "sigungu"])
    op.execute(GEOG)
    op.execute("CREATE INDEX ix_facilities_geog ON facilities USING gist (geog)")

    op.create_table(
        "bulk_waste_fees",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("sido", sa.String(32), nullable=False),
        sa.Column("sigungu", sa.String(32), nullable=False),
        sa.Column("item", sa.String(100), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("free", sa.Boolean(), nullable=False),
        sa.Column("fee_won", sa.Integer(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=True),
        _stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_waste_fees")),
        sa.UniqueConstraint(
            "sido",
            "sigungu",
            "item",
            "category",
            "spec",
            name=op.f("uq_bulk_waste_fees_sido_sigungu_item_category_spec"),
        ),
    )
    op.create_table(
        "recyclable_prices",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("material", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("price_won", sa.Integer(), nullable=False),
        _stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recyclable_prices")),
        sa.UniqueConstraint(
            "region",
            "month",
            "material",
            "unit",
            name=op.f("uq_recyclable_prices_region_month_material_unit"),
        ),
    )
    op.create_table(
        "collection_zones",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("sido", sa.String(32), nullable=False),
        sa.Column("sigungu", sa.String(32), nullable=False),
        sa.Column("zone", sa.String(100), nullable=False),
        sa.Column("areas", sa.Text(), nullable=True),
        sa.Column("place_type", sa.String(100), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("general_days", sa.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("food_days", sa.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("recyclables_days", sa.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("general_start", sa.Time(), nullable=True),
        sa.Column("general_end", sa.Time(), nullable=True),
        sa.Column("food_start", sa.Time(), nullable=True),
        sa.Column("food_end", sa.Time(), nullable=True),
        sa.Column("recyclables_start", sa.Time(), nullable=True),
        sa.Column("recyclables_end", sa.Time(), nullable=True),
        sa.Column("no_collection", sa.Text(), nullable=True),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("reference_date", sa.Date(), nullable=True),
        _stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_zones")),
        sa.UniqueConstraint(
            "sido", "sigungu", "zone", name=op.f("uq_collection_zones_sido_sigungu_zone")
        ),
    )
    op.create_table(
        "reminders",
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("sido", sa.String(32), nullable=False),
        sa.Column("sigungu", sa.String(32), nullable=False),
        sa.Column("zone", sa.String(100), nullable=False),
        sa.Column("streams", sa.ARRAY(sa.String(16)), nullable=False),
        sa.Column("remind_at", sa.Time(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_sent_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        _stamp(),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminders")),
    )
    op.create_index("ix_reminders_remind_at", "reminders", ["remind_at"])


def downgrade() -> None:
    op.drop_index("ix_reminders_remind_at", table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("collection_zones")
    op.drop_table("recyclable_prices")
    op.drop_table("bulk_waste_fees")
    op.drop_table("facilities")
