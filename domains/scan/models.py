"""The scan_jobs table: one row per scan, from acceptance to its result or failure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domains.db import Base


class ScanJobRow(Base):
    """A scan job. ``status`` is the lifecycle, ``stage`` the pipeline step it last reached."""

    __tablename__ = "scan_jobs"
    __table_args__ = (
        # NULL keys never collide in PostgreSQL, so requests without a key are all distinct.
        UniqueConstraint("user_id", "idempotency_key"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        Index("ix_scan_jobs_user_id_created_at", "user_id", "created_at"),
        Index(
            "ix_scan_jobs_active_updated_at",
            "updated_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        Index(
            "ix_scan_jobs_ended_updated_at",
            "updated_at",
            postgresql_where=text("status IN ('done', 'failed')"),
        ),
    )

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    hint: Mapped[str | None] = mapped_column(Text)
    image_ref: Mapped[str] = mapped_column(Text)
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str | None] = mapped_column(Text)
    # The categories offered with the question ({category, name} each), null when none were.
    choices: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    answer: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
