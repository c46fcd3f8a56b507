"""Image uploads are validated as scan uploads are, on both backends, and stay their owner's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from domains.image import FilesystemBlobStore, ImageNotFoundError
from domains.image.s3 import S3BlobStore
from domains.image.service import ImageService
from domains.vision.validation import (
    DecompressionBomb,
    EmptyImage,
    ImageTooLarge,
    NotAnImage,
    UnsupportedFormat,
)
from tests.domains.image.test_blobs import s3_settings
from tests.eco2.api.conftest import bomb_png, png

LIMITS = {"max_bytes": 64 * 1024, "max_pixels": 1_000_000, "presign_expiry_s": 300}


@pytest.fixture(params=["filesystem", "s3"])
async def images(
    request: pytest.FixtureRequest, tmp_path: Path, unique: str, s3_endpoint: str
) -> AsyncIterator[ImageService]:
    if request.param == "filesystem":
        yield ImageService(FilesystemBlobStore(tmp_path), **LIMITS)
        return
    store = S3BlobStore(s3_settings(s3_endpoint, unique))
    await store.ensure_bucket()
    try:
        yield ImageService(store, **LIMITS)
    finally:
        await store.aclose()


async def test_an_image_is_stored_with_its_detected_type(images: ImageService) -> None:
    data = png(fmt="WEBP")
    stored = await images.upload(data, owner="alice", purpose="chat")
    assert stored.content_type == "image/webp" and stored.purpose == "chat"
    head, body = await images.read(stored.ref, owner="alice")
    assert body == data and head.content_type == "image/webp"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyImage),
        (b"plain text, no image", NotAnImage),
        (b"\x00" * (64 * 1024 + 1), ImageTooLarge),
        (bomb_png(), DecompressionBomb),
        (png(fmt="TIFF"), UnsupportedFormat),
    ],
    ids=["empty", "text", "too-large", "bomb", "tiff"],
)
async def test_a_bad_upload_is_refused_and_nothing_is_stored(
    images: ImageService, data: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await images.upload(data, owner="alice", purpose="profile")
    assert await images.delete_owner("alice") == 0


async def test_delete_is_the_owners_alone(images: ImageService) -> None:
    stored = await images.upload(png(), owner="alice", purpose="scan")
    with pytest.raises(ImageNotFoundError):
        await images.delete(stored.ref, owner="bob")
    await images.delete(stored.ref, owner="alice")
    with pytest.raises(ImageNotFoundError):
        await images.delete(stored.ref, owner="alice")


async def test_a_direct_upload_of_a_non_image_type_is_refused(images: ImageService) -> None:
    with pytest.raises(UnsupportedFormat):
        await images.start_upload(owner="alice", content_type="application/pdf")


async def put(url: str, data: bytes, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient() as http:
        (await http.put(url, content=data, headers=headers)).raise_for_status()


async def test_a_direct_upload_is_validated_when_finished(s3_endpoint: str, unique: str) -> None:
    store = S3BlobStore(s3_settings(s3_endpoint, unique))
    await store.ensure_bucket()
    images = ImageService(store, **LIMITS)
    try:
        good = await images.start_upload(owner="alice", content_type="image/png")
        data = png()
        await put(good.url, data, good.headers)
        assert good.upload_id is not None
        stored = await images.finish_upload(good.upload_id, owner="alice", purpose="profile")
        assert (await images.read(stored.ref, owner="alice"))[1] == data

        bad = await images.start_upload(owner="alice", content_type="image/png")
        await put(bad.url, b"not a png at all", bad.headers)
        assert bad.upload_id is not None
        with pytest.raises(NotAnImage):
            await images.finish_upload(bad.upload_id, owner="alice", purpose="profile")
        with pytest.raises(ImageNotFoundError):  # the refused bytes are gone
            await store.take_upload(bad.upload_id, owner="alice")
        assert await images.delete_owner("alice") == 1  # only the good one remains
    finally:
        await store.aclose()
