"""The blob store port on both backends: the filesystem and S3 (moto's server over HTTP)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domains.image import (
    BlobStore,
    DirectUploadUnavailable,
    FilesystemBlobStore,
    ImageNotFoundError,
    ImageSettings,
)
from domains.image.blobs import owner_segment
from domains.image.s3 import S3BlobStore


def s3_settings(endpoint: str, bucket: str, **extra: object) -> ImageSettings:
    return ImageSettings(
        backend="s3",
        bucket=bucket,
        endpoint_url=endpoint,
        region="ap-northeast-2",
        access_key_id="test",
        secret_access_key="test",  # type: ignore[arg-type]  # pydantic wraps it
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["filesystem", "s3"])
async def blobs(
    request: pytest.FixtureRequest, tmp_path: Path, unique: str, s3_endpoint: str
) -> AsyncIterator[BlobStore]:
    if request.param == "filesystem":
        yield FilesystemBlobStore(tmp_path / "images")
        return
    store = S3BlobStore(s3_settings(s3_endpoint, unique))
    await store.ensure_bucket()
    try:
        yield store
    finally:
        await store.aclose()


def ref_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def test_put_then_get_and_head(blobs: BlobStore) -> None:
    stored = await blobs.put(b"\x89PNG fake", owner="alice", content_type="image/png")
    assert stored.ref == ref_of(b"\x89PNG fake") and stored.size == 9
    assert await blobs.get(stored.ref, owner="alice") == b"\x89PNG fake"
    head = await blobs.head(stored.ref, owner="alice")
    assert (head.content_type, head.size, head.owner, head.purpose) == (
        "image/png",
        9,
        "alice",
        "scan",
    )


async def test_the_purpose_is_kept(blobs: BlobStore) -> None:
    stored = await blobs.put(b"x", owner="alice", content_type="image/gif", purpose="profile")
    assert (await blobs.head(stored.ref, owner="alice")).purpose == "profile"


async def test_another_owner_finds_nothing(blobs: BlobStore) -> None:
    stored = await blobs.put(b"alice's", owner="alice", content_type="image/png")
    for call in (blobs.get, blobs.head):
        with pytest.raises(ImageNotFoundError):
            await call(stored.ref, owner="bob")
    with pytest.raises(ImageNotFoundError):
        await blobs.url_for_get(stored.ref, owner="bob", expires_s=60)
    assert await blobs.delete(stored.ref, owner="bob") is False
    assert await blobs.get(stored.ref, owner="alice") == b"alice's"  # untouched


async def test_the_same_bytes_are_each_owners_own(blobs: BlobStore) -> None:
    a = await blobs.put(b"same", owner="alice", content_type="image/png")
    b = await blobs.put(b"same", owner="bob", content_type="image/png")
    assert a.ref == b.ref
    assert await blobs.delete(a.ref, owner="alice") is True
    assert await blobs.get(b.ref, owner="bob") == b"same"
    with pytest.raises(ImageNotFoundError):
        await blobs.get(a.ref, owner="alice")


@pytest.mark.parametrize("ref", ["../../etc/passwd", "sha256:../x", "sha256:" + "g" * 64, ""])
async def test_a_malformed_reference_is_not_found(blobs: BlobStore, ref: str) -> None:
    with pytest.raises(ImageNotFoundError):
        await blobs.get(ref, owner="alice")


async def test_an_owner_with_path_characters_is_one_safe_segment(blobs: BlobStore) -> None:
    stored = await blobs.put(b"odd", owner="../root/x", content_type="image/png")
    assert await blobs.get(stored.ref, owner="../root/x") == b"odd"
    with pytest.raises(ImageNotFoundError):
        await blobs.get(stored.ref, owner="root")


def test_a_plain_owner_cannot_pose_as_a_hashed_one() -> None:
    hashed = owner_segment("../root/x")
    assert hashed.startswith("h-")
    assert owner_segment(hashed) != hashed
    assert owner_segment("user-1_A") == "user-1_A"


async def test_delete_owner_removes_only_that_owners_images(blobs: BlobStore) -> None:
    refs = [
        (await blobs.put(bytes([i]), owner="alice", content_type="image/png")).ref for i in range(3)
    ]
    kept = await blobs.put(b"bob's", owner="bob", content_type="image/png")
    assert await blobs.delete_owner("alice") == 3
    for ref in refs:
        with pytest.raises(ImageNotFoundError):
            await blobs.get(ref, owner="alice")
    assert await blobs.get(kept.ref, owner="bob") == b"bob's"
    assert await blobs.delete_owner("alice") == 0


async def test_filesystem_serves_through_the_api(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path)
    stored = await store.put(b"x", owner="alice", content_type="image/png")
    assert await store.url_for_get(stored.ref, owner="alice", expires_s=60) is None
    with pytest.raises(DirectUploadUnavailable):
        await store.url_for_put(owner="alice", content_type="image/png", expires_s=60)
    leftovers = await asyncio.to_thread(lambda: list(tmp_path.rglob("*.tmp")))
    assert not leftovers  # written by rename, nothing left behind
