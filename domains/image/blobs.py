"""Where images live: the ``BlobStore`` port and its local-filesystem implementation.

Every image belongs to one owner, and the owner is part of its key
(``<owner>/<sha256 hex>``): a lookup with another user's id finds nothing, so ownership needs no
extra read and a foreign id answers 404 like an unknown one. The reference stays the content
hash the scan pipeline already uses (``sha256:<hex>``); the Redis store (``store.py``) remains
the pipeline's short-lived hand-off, this is the image's home. ``delete_owner`` removes all of
a user's images (account deletion).

Subclasses implement raw object operations on keys; the owner-scoped API is written once here.
"""

from __future__ import annotations

import abc
import asyncio
import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from domains.image.exceptions import (
    DirectUploadUnavailable,
    ImageNotFoundError,
    ImageStoreUnavailable,
)
from domains.image.schemas import PresignedUrl, Purpose, StoredImage

REF = re.compile(r"sha256:([0-9a-f]{64})")
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_SAFE_OWNER = re.compile(r"[A-Za-z0-9_-]{1,100}")


def owner_segment(owner: str) -> str:
    """The owner as one safe key segment: itself when plain, else a hash (no ``/`` or ``..``)."""
    if not owner:
        raise ValueError("an image needs an owner")
    if _SAFE_OWNER.fullmatch(owner) and not owner.startswith("h-"):  # "h-": hashed ones
        return owner
    return "h-" + hashlib.sha256(owner.encode()).hexdigest()[:40]


def content_key(owner: str, ref: str) -> str:
    match = REF.fullmatch(ref)
    if match is None:  # never a path built from arbitrary input
        raise ImageNotFoundError(f"no image {ref}")
    return f"{owner_segment(owner)}/{match.group(1)}"


def upload_key(owner: str, upload_id: str) -> str:
    if UPLOAD_ID.fullmatch(upload_id) is None:
        raise ImageNotFoundError(f"no upload {upload_id}")
    return f"{owner_segment(owner)}/uploads/{upload_id}"


@dataclass(frozen=True)
class Blob:
    """What a raw store knows of an object."""

    size: int
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)


class BlobStore(abc.ABC):
    """Port: owned images by content reference, plus presigned URLs where the backend has them."""

    async def put(
        self,
        data: bytes,
        *,
        owner: str,
        content_type: str,
        ref: str | None = None,
        purpose: Purpose = "scan",
    ) -> StoredImage:
        """Store ``data`` as ``owner``'s; the same bytes twice are one image (same ref)."""
        ref = ref or "sha256:" + hashlib.sha256(data).hexdigest()
        meta = {"owner": owner, "purpose": purpose}
        await self._write(content_key(owner, ref), data, content_type, meta)
        return StoredImage(
            ref=ref, owner=owner, content_type=content_type, size=len(data), purpose=purpose
        )

    async def get(self, ref: str, *, owner: str) -> bytes:
        """The bytes of ``owner``'s image ``ref``; ``ImageNotFoundError`` otherwise."""
        return await self._read(content_key(owner, ref))

    async def head(self, ref: str, *, owner: str) -> StoredImage:
        blob = await self._stat(content_key(owner, ref))
        purpose = blob.metadata.get("purpose", "scan")
        return StoredImage(
            ref=ref,
            owner=owner,
            content_type=blob.content_type,
            size=blob.size,
            purpose=purpose if purpose in ("scan", "chat", "profile") else "scan",
        )

    async def delete(self, ref: str, *, owner: str) -> bool:
        """Remove one image; False when ``owner`` had no such image."""
        return await self._remove(content_key(owner, ref))

    async def delete_owner(self, owner: str) -> int:
        """Remove every image (and pending upload) of ``owner``; how many objects went."""
        return await self._remove_prefix(owner_segment(owner) + "/")

    async def url_for_get(self, ref: str, *, owner: str, expires_s: int) -> PresignedUrl | None:
        """A presigned GET of ``owner``'s image, or None when the API must serve the bytes."""
        key = content_key(owner, ref)
        await self._stat(key)  # a URL only for an image that exists and is the owner's
        return await self._presign(key, "GET", None, expires_s)

    async def url_for_put(self, *, owner: str, content_type: str, expires_s: int) -> PresignedUrl:
        """A presigned PUT of a new upload; ``DirectUploadUnavailable`` on the filesystem."""
        upload_id = uuid.uuid4().hex
        url = await self._presign(upload_key(owner, upload_id), "PUT", content_type, expires_s)
        if url is None:
            raise DirectUploadUnavailable("this image store takes uploads through the API only")
        return url.model_copy(update={"upload_id": upload_id})

    async def take_upload(self, upload_id: str, *, owner: str) -> bytes:
        """The bytes a client PUT to its presigned URL, removed from the upload area."""
        key = upload_key(owner, upload_id)
        data = await self._read(key)
        await self._remove(key)
        return data

    async def aclose(self) -> None:
        """Release connections (none on the filesystem)."""
        return None

    # The raw operations each backend implements.
    @abc.abstractmethod
    async def _write(
        self, key: str, data: bytes, content_type: str, meta: dict[str, str]
    ) -> None: ...

    @abc.abstractmethod
    async def _read(self, key: str) -> bytes: ...

    @abc.abstractmethod
    async def _stat(self, key: str) -> Blob: ...

    @abc.abstractmethod
    async def _remove(self, key: str) -> bool: ...

    @abc.abstractmethod
    async def _remove_prefix(self, prefix: str) -> int: ...

    @abc.abstractmethod
    async def _presign(
        self, key: str, method: str, content_type: str | None, expires_s: int
    ) -> PresignedUrl | None: ...


class FilesystemBlobStore(BlobStore):
    """Images as files under ``root`` with a JSON sidecar (type, owner); written atomically."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key

    async def _write(self, key: str, data: bytes, content_type: str, meta: dict[str, str]) -> None:
        try:
            await asyncio.to_thread(self._write_sync, self._path(key), data, content_type, meta)
        except OSError as exc:  # disk full, read-only, permissions
            raise ImageStoreUnavailable(f"the image could not be written ({exc})") from exc

    @staticmethod
    def _write_sync(path: Path, data: bytes, content_type: str, meta: dict[str, str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        sidecar = {"content_type": content_type, "metadata": meta}
        # Write-then-rename: a reader never sees half an image, a crash leaves only a .tmp.
        for target, payload in (
            (path.with_suffix(".json"), json.dumps(sidecar).encode()),
            (path, data),
        ):
            tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(payload)
            os.replace(tmp, target)

    async def _read(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise ImageNotFoundError(f"no image {key}") from None

    async def _stat(self, key: str) -> Blob:
        return await asyncio.to_thread(self._stat_sync, self._path(key))

    @staticmethod
    def _stat_sync(path: Path) -> Blob:
        try:
            size = path.stat().st_size
            sidecar = json.loads(path.with_suffix(".json").read_text())
        except FileNotFoundError:
            raise ImageNotFoundError(f"no image {path.name}") from None
        return Blob(size, sidecar["content_type"], sidecar.get("metadata", {}))

    async def _remove(self, key: str) -> bool:
        return await asyncio.to_thread(self._remove_sync, self._path(key))

    @staticmethod
    def _remove_sync(path: Path) -> bool:
        path.with_suffix(".json").unlink(missing_ok=True)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    async def _remove_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._remove_tree, self._path(prefix.rstrip("/")))

    @staticmethod
    def _remove_tree(directory: Path) -> int:
        if not directory.is_dir():
            return 0
        count = sum(1 for p in directory.rglob("*") if p.is_file() and p.suffix != ".json")
        shutil.rmtree(directory)
        return count

    async def _presign(
        self, key: str, method: str, content_type: str | None, expires_s: int
    ) -> PresignedUrl | None:
        return None  # files have no URL of their own: the API serves them
