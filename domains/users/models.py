"""The users table and the external (OAuth) identities linked to an account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from domains.db import Base


class UserRow(Base):
    """An account. ``email`` is stored lower-cased; ``password_hash`` is NULL for an account
    that only ever signed in through an OAuth provider (or the dev login)."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    nickname: Mapped[str] = mapped_column(String(64))
    # 시군구 (optionally "시도 시군구"): the calendar's and nearest places' default district.
    district: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserIdentityRow(Base):
    """An account at a provider (``kakao``, ``google``, ``naver``, ``dev``) and its subject."""

    __tablename__ = "user_identities"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
