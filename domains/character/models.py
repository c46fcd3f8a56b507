"""The character tables: the catalogue and each user's collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domains.db import Base


class CharacterRow(Base):
    """One collectible character. ``category`` is NULL only for the mascot (이코)."""

    __tablename__ = "characters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str | None] = mapped_column(String(32), unique=True)
    personality: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    likes: Mapped[list[Any]] = mapped_column(JSONB)
    dialog: Mapped[list[Any]] = mapped_column(JSONB)
    rarity: Mapped[str] = mapped_column(String(16))
    is_mascot: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserCharacterRow(Base):
    """A character in a user's collection; the primary key makes owning it twice impossible."""

    __tablename__ = "user_characters"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    character_key: Mapped[str] = mapped_column(
        ForeignKey("characters.key", ondelete="RESTRICT"), primary_key=True
    )
    acquired_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # The scan that first gave it: a replay of that same scan is recognised as "not a repeat".
    source_job_id: Mapped[str | None] = mapped_column(String(64))
