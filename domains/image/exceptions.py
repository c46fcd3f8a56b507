"""What the image store refuses."""

from __future__ import annotations


class ImageNotFoundError(LookupError):
    """The reference names no stored image (never stored, expired, or another owner's)."""


class DirectUploadUnavailable(RuntimeError):
    """The store cannot hand out a presigned upload URL (the filesystem backend)."""


class ImageStoreUnavailable(RuntimeError):
    """The image store failed or did not answer in time (503; nothing was kept)."""
