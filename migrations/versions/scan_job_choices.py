"""scan_jobs.choices: the categories offered with a needs_input question.

Revision ID: scan_job_choices
Revises: places_info_tables (chained after it when the branches merged: one head)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "scan_job_choices"
# Written on "0001"; chained after main's scan_active_index when rebasing, so one head stays.
down_revision: str | None = "places_info_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("scan_jobs", sa.Column("choices", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("scan_jobs", "choices")
