from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis import asyncio as aioredis

from domains.image import ImageNotFoundError, ImageStore, MemoryImageStore, RedisImageStore


@pytest.fixture(params=["redis", "memory"])
async def store(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[ImageStore]:
    if request.param == "memory":
        yield MemoryImageStore()
        return
    client = aioredis.from_url("redis://127.0.0.1:6379/0")
    yield RedisImageStore(client, prefix=f"{unique}:", ttl_s=60)
    keys = [k async for k in client.scan_iter(f"{unique}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_put_then_get_returns_the_same_bytes(store: ImageStore) -> None:
    data = b"\x89PNG fake bytes \x00\x01"
    ref = await store.put(data)
    assert ref.startswith("sha256:") and len(ref) == 71
    assert await store.get(ref) == data
    assert await store.put(data) == ref  # content-addressed: same bytes, same reference


async def test_missing_reference_is_a_clear_error(store: ImageStore) -> None:
    with pytest.raises(ImageNotFoundError, match="sha256:00"):
        await store.get("sha256:" + "0" * 64)
    with pytest.raises(ImageNotFoundError, match="sha256:00"):
        await store.size("sha256:" + "0" * 64)


async def test_size_is_the_stored_byte_count(store: ImageStore) -> None:
    ref = await store.put(b"x" * 1234)
    assert await store.size(ref) == 1234
