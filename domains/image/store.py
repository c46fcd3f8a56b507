"""Where an uploaded image waits for the vision stage.

The API stores the bytes once under their SHA-256 and puts only the reference in the CloudEvent,
so a 10 MiB photo never travels through the event streams. Redis keeps them with a TTL (a scan
takes seconds; the TTL only has to outlive retries); the in-process store serves the embedded
default.
"""

from __future__ import annotations

import abc
import hashlib
from typing import cast

from redis import asyncio as aioredis

from domains.image.exceptions import ImageNotFoundError
from eventing.bus.batch import joined


class ImageStore(abc.ABC):
    """Port: put bytes, get a reference; get the bytes back by reference."""

    @abc.abstractmethod
    async def put(self, data: bytes, *, ref: str | None = None) -> str:
        """Store ``data``; returns its reference (``sha256:<hex>``). ``ref``, when the caller
        already hashed the bytes (``ref_for``), spares hashing them again."""

    @abc.abstractmethod
    async def get(self, ref: str) -> bytes:
        """The bytes of ``ref``; ``ImageNotFoundError`` when missing."""

    @abc.abstractmethod
    async def size(self, ref: str) -> int:
        """How many bytes ``ref`` holds, without fetching them; ``ImageNotFoundError`` when
        missing."""

    @abc.abstractmethod
    async def delete(self, ref: str) -> None:
        """Remove ``ref``'s bytes; a missing ref is no error (deleting is idempotent)."""

    @staticmethod
    def ref_of(data: bytes) -> str:
        return ImageStore.ref_for(hashlib.sha256(data).hexdigest())

    @staticmethod
    def ref_for(sha256_hex: str) -> str:
        return f"sha256:{sha256_hex}"


class MemoryImageStore(ImageStore):
    """Images in a dict: for the embedded default and tests of the pure handlers."""

    def __init__(self) -> None:
        self._images: dict[str, bytes] = {}

    async def put(self, data: bytes, *, ref: str | None = None) -> str:
        ref = ref or self.ref_of(data)
        self._images[ref] = data
        return ref

    async def get(self, ref: str) -> bytes:
        try:
            return self._images[ref]
        except KeyError:
            raise ImageNotFoundError(f"no image {ref}") from None

    async def size(self, ref: str) -> int:
        return len(await self.get(ref))

    async def delete(self, ref: str) -> None:
        self._images.pop(ref, None)


class RedisImageStore(ImageStore):
    """Images as Redis strings under ``{prefix}image:{ref}`` with a TTL."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str = "eco2:", ttl_s: int = 3_600) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_s = ttl_s

    def _key(self, ref: str) -> str:
        return f"{self._prefix}image:{ref}"

    async def put(self, data: bytes, *, ref: str | None = None) -> str:
        """Store ``data``; inside a write batch (``eventing.bus.batch``) it is queued there."""
        ref = ref or self.ref_of(data)
        if (batch := joined(self._redis)) is not None:
            batch.set(self._key(ref), data, ex=self._ttl_s)
        else:
            await self._redis.set(self._key(ref), data, ex=self._ttl_s)
        return ref

    async def get(self, ref: str) -> bytes:
        data = await self._redis.get(self._key(ref))
        if data is None:
            raise ImageNotFoundError(f"no image {ref} (expired or never stored)")
        return cast(bytes, data)  # the image client does not decode responses

    async def size(self, ref: str) -> int:
        size = await self._redis.strlen(self._key(ref))
        if not size:  # STRLEN of a missing key is 0, and no stored image is empty
            raise ImageNotFoundError(f"no image {ref} (expired or never stored)")
        return int(size)

    async def delete(self, ref: str) -> None:
        await self._redis.delete(self._key(ref))
