"""The image endpoints on the real stores: filesystem by default, S3 through moto's server."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis import asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.image import ImageSettings
from domains.image.s3 import S3BlobStore
from domains.scan.models import ScanJobRow
from eco2.api import create_app
from eco2.settings import Settings
from tests.eco2.api.conftest import SignIn, bomb_png, image_key, png
from tests.s3server import free_port, s3_endpoint

__all__ = ["s3_endpoint"]

IMAGES = "/api/v1/images"


def ref_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def upload(client: httpx.AsyncClient, data: bytes, purpose: str = "chat") -> httpx.Response:
    files = {"image": ("photo.png", data, "image/png")}
    return await client.post(IMAGES, files=files, data={"purpose": purpose})


@pytest.fixture
async def other(sign_in: SignIn, unique: str) -> dict[str, str]:
    return await sign_in(f"other-{unique}")


async def test_an_upload_is_mine_to_read_and_delete(
    client: httpx.AsyncClient, other: dict[str, str], redis: aioredis.Redis
) -> None:
    data = png()
    response = await upload(client, data, "profile")
    assert response.status_code == 201, response.text
    body = response.json()
    ref = ref_of(data)
    assert body == {
        "ref": ref,
        "content_type": "image/png",
        "size": len(data),
        "purpose": "profile",
        "url": f"{IMAGES}/{ref}",
    }
    got = await client.get(body["url"])
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "image/png"
    assert (await client.get(f"{IMAGES}/{ref}/url")).json()["url"] == body["url"]
    # Another user: the same 404 as for no image at all, for every verb.
    for method, path in (
        ("GET", body["url"]),
        ("GET", f"{body['url']}/url"),
        ("DELETE", body["url"]),
    ):
        answer = await client.request(method, path, headers=other)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["error"]["code"] == "not_found"
    assert (await client.delete(body["url"])).status_code == 204
    assert (await client.get(body["url"])).status_code == 404
    assert (await client.delete(body["url"])).status_code == 404
    assert await redis.exists(image_key(data)) == 0


async def test_a_chat_upload_is_staged_for_the_chat_function(
    client: httpx.AsyncClient, app: FastAPI, redis: aioredis.Redis, user: str
) -> None:
    data = png()
    ref = (await upload(client, data, "chat")).json()["ref"]
    try:
        assert await redis.exists(image_key(data)) == 1
        await redis.delete(image_key(data))  # the hand-off's TTL ran out
        assert await app.state.images.stage(ref, user) is True
        assert await redis.exists(image_key(data)) == 1  # put back from the blob store
        assert await app.state.images.stage(ref_of(b"never"), user) is False
    finally:
        await redis.delete(image_key(data))


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 400, "empty"),
        (b"%PDF-1.4 not an image", 415, "not_image"),
        (bomb_png(), 413, "decompression_bomb"),
    ],
    ids=["empty", "pdf", "bomb"],
)
async def test_a_bad_upload_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, api_settings: Settings, data: bytes, status: int, code: str
) -> None:
    response = await upload(client, data)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    root = Path(api_settings.image.root)
    assert not await asyncio.to_thread(lambda: [p for p in root.rglob("*") if p.is_file()])


async def test_an_oversized_upload_is_413_before_it_is_read(client: httpx.AsyncClient) -> None:
    response = await upload(client, b"\xff" * (10 * 1024 * 1024 + 70 * 1024))
    assert response.status_code == 413


async def test_images_need_a_signed_in_user(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as anonymous:
            assert (await upload(anonymous, png())).status_code == 401
            assert (await anonymous.get(f"{IMAGES}/{ref_of(b'x')}")).status_code == 401


async def test_a_scans_upload_lives_in_the_blob_store(
    client: httpx.AsyncClient, api_settings: Settings, stored: list[bytes], user: str
) -> None:
    data = png()
    stored.append(data)
    files = {"image": ("photo.png", data, "image/png")}
    response = await client.post("/api/v1/scans", files=files, data={"hint": "페트병"})
    assert response.status_code == 202, response.text
    got = await client.get(f"{IMAGES}/{ref_of(data)}")
    assert got.status_code == 200 and got.content == data
    files_on_disk = await asyncio.to_thread(
        lambda: [p.name for p in Path(api_settings.image.root).rglob("*") if p.is_file()]
    )
    assert ref_of(data).removeprefix("sha256:") in files_on_disk


async def test_direct_upload_is_unavailable_on_the_filesystem(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{IMAGES}/uploads", json={"content_type": "image/png"})
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "direct_upload_unavailable"


async def test_deleting_my_account_deletes_my_images(
    client: httpx.AsyncClient, api_settings: Settings
) -> None:
    await upload(client, png(), "profile")
    await upload(client, png(), "chat")
    assert (await client.delete("/api/v1/users/me")).status_code == 204
    root = Path(api_settings.image.root)
    assert not await asyncio.to_thread(lambda: [p for p in root.rglob("*") if p.is_file()])


@pytest.fixture
async def s3_client(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    auth_headers: dict[str, str],
    s3_endpoint: str,
    unique: str,
) -> AsyncIterator[httpx.AsyncClient]:
    """The API on the S3 backend (moto's server), signed in as ``user``."""
    blobs = S3BlobStore(
        ImageSettings(
            backend="s3",
            bucket=unique,
            endpoint_url=s3_endpoint,
            access_key_id="test",
            secret_access_key="test",  # type: ignore[arg-type]
        )
    )
    await blobs.ensure_bucket()
    app = create_app(api_settings, redis=redis, sessions=sessions, blobs=blobs)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://api", headers=auth_headers
            ) as http:
                yield http
    finally:
        await blobs.aclose()


async def test_on_s3_a_read_redirects_to_a_presigned_get(s3_client: httpx.AsyncClient) -> None:
    data = png()
    ref = (await upload(s3_client, data, "profile")).json()["ref"]
    response = await s3_client.get(f"{IMAGES}/{ref}")
    assert response.status_code == 307
    target = response.headers["location"]
    assert "X-Amz-Signature=" in target and "X-Amz-Expires=900" in target
    async with httpx.AsyncClient() as browser:
        fetched = await browser.get(target)
    assert fetched.status_code == 200 and fetched.content == data
    link = (await s3_client.get(f"{IMAGES}/{ref}/url")).json()
    assert link["method"] == "GET" and link["expires_at"] is not None


async def test_on_s3_a_direct_upload_is_validated_then_kept(s3_client: httpx.AsyncClient) -> None:
    started = await s3_client.post(f"{IMAGES}/uploads", json={"content_type": "image/png"})
    assert started.status_code == 201, started.text
    put = started.json()
    data = png()
    async with httpx.AsyncClient() as browser:
        sent = await browser.put(put["url"], content=data, headers=put["headers"])
    assert sent.status_code == 200
    finished = await s3_client.post(
        f"{IMAGES}/uploads/{put['upload_id']}", json={"purpose": "profile"}
    )
    assert finished.status_code == 201, finished.text
    assert finished.json()["ref"] == ref_of(data)
    again = await s3_client.post(f"{IMAGES}/uploads/{put['upload_id']}")
    assert again.status_code == 404  # an upload is taken once

    bad = (await s3_client.post(f"{IMAGES}/uploads", json={"content_type": "image/png"})).json()
    async with httpx.AsyncClient() as browser:
        await browser.put(bad["url"], content=b"not a png", headers=bad["headers"])
    refused = await s3_client.post(f"{IMAGES}/uploads/{bad['upload_id']}")
    assert refused.status_code == 415
    wrong_type = await s3_client.post(f"{IMAGES}/uploads", json={"content_type": "text/html"})
    assert wrong_type.status_code == 415


async def test_a_scan_is_refused_with_503_when_the_image_store_is_down(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    auth_headers: dict[str, str],
    user: str,
) -> None:
    down = S3BlobStore(
        ImageSettings(
            backend="s3",
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            access_key_id="test",
            secret_access_key="test",  # type: ignore[arg-type]
            timeout_s=1.0,
        )
    )
    app = create_app(api_settings, redis=redis, sessions=sessions, blobs=down)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api", headers=auth_headers
        ) as http:
            files = {"image": ("photo.png", png(), "image/png")}
            response = await http.post("/api/v1/scans", files=files)
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "image_store_unavailable"
            assert response.headers["retry-after"] == "5"
            assert (await upload(http, png())).status_code == 503
    async with sessions() as session:
        jobs = await session.scalar(
            select(func.count()).select_from(ScanJobRow).where(ScanJobRow.user_id == user)
        )
    assert jobs == 0  # nothing half-written
    await down.aclose()
