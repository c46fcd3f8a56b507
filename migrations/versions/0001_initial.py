"""Initial domain tables: characters, user_characters, scan_jobs.

The character catalogue's rows are not seeded here: they come from
``domains/character/data/characters.yaml`` through ``sync_catalogue`` (``eco2 db upgrade`` or
service start), so editing the catalogue never needs a new migration.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "characters",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("personality", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("likes", JSONB(), nullable=False),
        sa.Column("dialog", JSONB(), nullable=False),
        sa.Column("rarity", sa.String(16), nullable=False),
        sa.Column("is_mascot", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_characters")),
        sa.UniqueConstraint("name", name=op.f("uq_characters_name")),
        sa.UniqueConstraint("category", name=op.f("uq_characters_category")),
    )
    op.create_table(
        "user_characters",
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("character_key", sa.String(64), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("source_job_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["character_key"],
            ["characters.key"],
            name=op.f("fk_user_characters_character_key_characters"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("user_id", "character_key", name=op.f("pk_user_characters")),
    )
    op.create_table(
        "scan_jobs",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=True),
        sa.Column("image_ref", sa.Text(), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=True),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("result", JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_scan_jobs_progress_range")),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_scan_jobs")),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_scan_jobs_user_id_idempotency_key")
        ),
    )
    op.create_index(op.f("ix_scan_jobs_user_id_created_at"), "scan_jobs", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scan_jobs_user_id_created_at"), table_name="scan_jobs")
    op.drop_table("scan_jobs")
    op.drop_table("user_characters")
    op.drop_table("characters")
