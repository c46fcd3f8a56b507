"""The chats and chat_messages tables: a user's conversations and what was said in them.

The LangGraph checkpoint (its own tables, ``AsyncPostgresSaver``) holds the graph's state per
chat; these rows are what the API lists and pages through.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domains.db import Base


class ChatRow(Base):
    """A conversation; ``waiting_job`` is the turn paused on a question, if any."""

    __tablename__ = "chats"
    __table_args__ = (Index("ix_chats_user_id_updated_at", "user_id", "updated_at"),)

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    waiting_job: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChatMessageRow(Base):
    """One message; ``seq`` orders a chat's messages and is the page cursor."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_chat_id_seq", "chat_id", "seq"),
        # A turn's two messages are recorded once even if its completion is redelivered.
        Index(
            "uq_chat_messages_job_id_role",
            "job_id",
            "role",
            unique=True,
            postgresql_where=text("job_id IS NOT NULL"),
        ),
        # The sweeper's looks at the turns of the last hour (eco2/api/sweeper.py).
        Index(
            "ix_chat_messages_turn_created_at",
            "created_at",
            postgresql_where=text("job_id IS NOT NULL"),
        ),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    chat_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("chats.chat_id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
