"""What the image store refuses."""

from __future__ import annotations


class ImageNotFoundError(LookupError):
    """The reference names no stored image (never stored, expired, or another owner's)."""


class DirectUploadUnavailable(RuntimeError):
    """The store cannot hand out a presigned upload URL (the filesystem backend)."""
