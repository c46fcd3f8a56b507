"""An index on the chat messages of turns by their time, for the sweeper's looks at the turns of
the progress log's life (unanswered, and answered).

Revision ID: chat_turns_index
Revises: scan_ended_index
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chat_turns_index"
down_revision: str | None = "scan_ended_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_chat_messages_turn_created_at",
        "chat_messages",
        ["created_at"],
        postgresql_where=sa.text("job_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_chat_messages_turn_created_at", table_name="chat_messages")
