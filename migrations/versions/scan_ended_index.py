"""A partial index on the scan jobs that ended, by their last change, for the sweeper's look for
endings whose live copy Redis lost before their client read them.

Revision ID: scan_ended_index
Revises: identity_tables
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "scan_ended_index"
down_revision: str | None = "identity_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The sweeper reads only the last progress-log lifetime of them, newest first.
    op.create_index(
        "ix_scan_jobs_ended_updated_at",
        "scan_jobs",
        ["updated_at"],
        postgresql_where=sa.text("status IN ('done', 'failed')"),
    )


def downgrade() -> None:
    op.drop_index("ix_scan_jobs_ended_updated_at", table_name="scan_jobs")
