"""What the image store says about a stored image and its presigned URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Purpose = Literal["scan", "chat", "profile"]


class StoredImage(BaseModel):
    """An image in the blob store: its content reference, owner and what it is."""

    model_config = ConfigDict(frozen=True)

    ref: str  # sha256:<hex>, the same reference the scan pipeline's Redis hand-off uses
    owner: str
    content_type: str
    size: int
    purpose: Purpose = "scan"


class PresignedUrl(BaseModel):
    """A URL the client uses directly against the bucket, valid until ``expires_at``."""

    model_config = ConfigDict(frozen=True)

    method: Literal["GET", "PUT"]
    url: str
    expires_at: datetime | None  # None: the API's own URL, valid while the image exists
    headers: dict[str, str] = {}  # a PUT must send these (the signed Content-Type)
    upload_id: str | None = None  # a PUT's id, for ``ImageService.finish_upload``
