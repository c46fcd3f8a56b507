"""A partial index on the scan jobs still active, for the sweeper's periodic look.

Revision ID: scan_active_index
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "scan_active_index"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only the few jobs in flight are indexed: the table grows with every scan ever made.
    op.create_index(
        "ix_scan_jobs_active_updated_at",
        "scan_jobs",
        ["updated_at"],
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index("ix_scan_jobs_active_updated_at", table_name="scan_jobs")
