"""The S3 store's presigned URLs, used with a plain HTTP client against moto's server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from domains.image import ImageNotFoundError, ImageStoreUnavailable
from domains.image.s3 import S3BlobStore
from tests.domains.image.test_blobs import s3_settings
from tests.s3server import free_port


@pytest.fixture
async def s3(s3_endpoint: str, unique: str) -> AsyncIterator[S3BlobStore]:
    store = S3BlobStore(s3_settings(s3_endpoint, unique, presign_expiry_s=600))
    await store.ensure_bucket()
    try:
        yield store
    finally:
        await store.aclose()


async def test_a_presigned_get_fetches_the_image(s3: S3BlobStore) -> None:
    stored = await s3.put(b"bytes of a photo", owner="alice", content_type="image/jpeg")
    url = await s3.url_for_get(stored.ref, owner="alice", expires_s=60)
    assert url is not None and url.method == "GET"
    assert "X-Amz-Signature=" in url.url and "X-Amz-Expires=60" in url.url
    assert 55 <= (url.expires_at - datetime.now(UTC)).total_seconds() <= 60
    async with httpx.AsyncClient() as http:
        response = await http.get(url.url)
    assert response.status_code == 200
    assert response.content == b"bytes of a photo"
    assert response.headers["content-type"] == "image/jpeg"


async def test_a_presigned_url_never_outlives_the_setting(s3: S3BlobStore) -> None:
    stored = await s3.put(b"x", owner="alice", content_type="image/png")
    url = await s3.url_for_get(stored.ref, owner="alice", expires_s=86_400)
    assert url is not None and "X-Amz-Expires=600" in url.url


async def test_a_presigned_url_signs_its_date_and_lifetime(s3: S3BlobStore) -> None:
    # moto serves presigned URLs without checking their signature or expiry (real S3 and
    # MinIO do): what this can check is that the URL states both, signed, for S3 to enforce.
    stored = await s3.put(b"x", owner="alice", content_type="image/png")
    url = await s3.url_for_get(stored.ref, owner="alice", expires_s=1)
    assert url is not None
    query = parse_qs(urlsplit(url.url).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 5
    assert query["X-Amz-Expires"] == ["1"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert len(query["X-Amz-Signature"][0]) == 64


async def test_a_presigned_put_signs_the_content_type(s3: S3BlobStore) -> None:
    url = await s3.url_for_put(owner="alice", content_type="image/webp", expires_s=60)
    signed = parse_qs(urlsplit(url.url).query)["X-Amz-SignedHeaders"][0].split(";")
    assert "content-type" in signed and "host" in signed


async def test_a_presigned_put_uploads_to_the_owners_upload_area(s3: S3BlobStore) -> None:
    url = await s3.url_for_put(owner="alice", content_type="image/png", expires_s=60)
    assert url.method == "PUT" and url.upload_id and url.headers == {"Content-Type": "image/png"}
    async with httpx.AsyncClient() as http:
        response = await http.put(url.url, content=b"direct", headers=url.headers)
    assert response.status_code == 200
    assert await s3.take_upload(url.upload_id, owner="alice") == b"direct"
    with pytest.raises(ImageNotFoundError):  # taken once
        await s3.take_upload(url.upload_id, owner="alice")


async def test_another_owner_cannot_take_an_upload(s3: S3BlobStore) -> None:
    url = await s3.url_for_put(owner="alice", content_type="image/png", expires_s=60)
    assert url.upload_id is not None
    async with httpx.AsyncClient() as http:
        await http.put(url.url, content=b"direct", headers=url.headers)
    with pytest.raises(ImageNotFoundError):
        await s3.take_upload(url.upload_id, owner="bob")
    with pytest.raises(ImageNotFoundError):
        await s3.take_upload("../../x", owner="alice")


async def test_an_unreachable_store_fails_fast_and_says_so(unique: str) -> None:
    settings = s3_settings(f"http://127.0.0.1:{free_port()}", unique, timeout_s=1.0)
    store = S3BlobStore(settings)
    try:
        async with asyncio.timeout(15):
            with pytest.raises(ImageStoreUnavailable, match="did not answer"):
                await store.put(b"x", owner="alice", content_type="image/png")
            with pytest.raises(ImageStoreUnavailable):
                await store.get("sha256:" + "0" * 64, owner="alice")
    finally:
        await store.aclose()


async def test_a_missing_bucket_is_unavailable_not_missing(s3_endpoint: str, unique: str) -> None:
    store = S3BlobStore(s3_settings(s3_endpoint, f"{unique}-none"))
    try:
        with pytest.raises(ImageStoreUnavailable, match="NoSuchBucket"):
            await store.put(b"x", owner="alice", content_type="image/png")
    finally:
        await store.aclose()
