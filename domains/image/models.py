"""Who owns which stored image: images are kept by content hash, so two users uploading the
same photo share the bytes but each owns them; the bytes go only when no owner is left."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from domains.db import Base


class ImageOwnerRow(Base):
    __tablename__ = "image_owners"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    ref: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
