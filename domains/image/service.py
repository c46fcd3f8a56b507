"""Owned image uploads: validated as the scan upload is, stored in the blob store.

Validation is the scan upload's own (``domains.vision.validation``: size, pixels, format,
corruption), so an image is refused the same way wherever it comes from, including one a
client PUT straight to the bucket (``finish_upload`` reads it back, checks it, and keeps it
under its content reference only if it passes; a refused upload is gone either way).
"""

from __future__ import annotations

import asyncio

from domains.image.blobs import BlobStore, FilesystemBlobStore
from domains.image.exceptions import ImageNotFoundError
from domains.image.schemas import PresignedUrl, Purpose, StoredImage
from domains.image.settings import ImageSettings
from domains.vision.validation import ALLOWED_FORMATS, UnsupportedFormat, validate_image

# Above this an upload is checked in a thread (as eco2/api/routes.py does for scans).
INLINE_CHECK_BYTES = 256 * 1024


def blob_store(settings: ImageSettings) -> BlobStore:
    """The store ``settings.backend`` names."""
    if settings.backend == "s3":
        from domains.image.s3 import S3BlobStore  # aioboto3 only where S3 is used

        return S3BlobStore(settings)
    return FilesystemBlobStore(settings.root)


class ImageService:
    """Upload, read, link and delete a user's images; another user's answers not found."""

    def __init__(
        self, blobs: BlobStore, *, max_bytes: int, max_pixels: int, presign_expiry_s: int
    ) -> None:
        self.blobs = blobs
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.presign_expiry_s = presign_expiry_s

    async def check(self, data: bytes) -> str:
        """The MIME type of an acceptable image; ``InvalidImage`` (with its 4xx) otherwise."""
        if len(data) > INLINE_CHECK_BYTES:
            info = await asyncio.to_thread(
                validate_image, data, max_bytes=self.max_bytes, max_pixels=self.max_pixels
            )
        else:
            info = validate_image(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
        return info.mime

    async def upload(
        self, data: bytes, *, owner: str, purpose: Purpose, ref: str | None = None
    ) -> StoredImage:
        """Validate and store ``data`` as ``owner``'s image."""
        mime = await self.check(data)
        return await self.blobs.put(data, owner=owner, content_type=mime, ref=ref, purpose=purpose)

    async def read(self, ref: str, *, owner: str) -> tuple[StoredImage, bytes]:
        image = await self.blobs.head(ref, owner=owner)
        return image, await self.blobs.get(ref, owner=owner)

    async def link(self, ref: str, *, owner: str) -> PresignedUrl | None:
        """A presigned GET of the image, or None when the API serves it itself."""
        return await self.blobs.url_for_get(ref, owner=owner, expires_s=self.presign_expiry_s)

    async def start_upload(self, *, owner: str, content_type: str) -> PresignedUrl:
        """A presigned PUT for a direct upload; ``DirectUploadUnavailable`` on the filesystem."""
        if content_type not in ALLOWED_FORMATS.values():
            allowed = ", ".join(sorted(ALLOWED_FORMATS.values()))
            raise UnsupportedFormat(f"content type {content_type!r} is not one of {allowed}")
        return await self.blobs.url_for_put(
            owner=owner, content_type=content_type, expires_s=self.presign_expiry_s
        )

    async def finish_upload(self, upload_id: str, *, owner: str, purpose: Purpose) -> StoredImage:
        """Take what the client PUT, validate it and keep it under its content reference."""
        data = await self.blobs.take_upload(upload_id, owner=owner)
        return await self.upload(data, owner=owner, purpose=purpose)

    async def delete(self, ref: str, *, owner: str) -> None:
        if not await self.blobs.delete(ref, owner=owner):
            raise ImageNotFoundError(f"no image {ref}")

    async def delete_owner(self, owner: str) -> int:
        return await self.blobs.delete_owner(owner)
