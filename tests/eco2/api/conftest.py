"""Fixtures of the scan API tests: a running app on real Redis and a migrated PG schema.

Every test gets its own key prefix (progress log, gateway, stage topics); the uploaded images
live under the fixed ``eco2:image:`` prefix the vision function reads, keyed by content hash,
so tests delete exactly the images they stored (``stored`` fixture).
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from redis import asyncio as aioredis
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.auth.service import AuthService
from domains.image import ImageStore
from domains.users.models import UserRow
from domains.users.service import UserService
from eco2.api import create_app
from eco2.settings import Settings
from tests.domains.conftest import engine, pg_schema, sessions, user

__all__ = ["engine", "pg_schema", "sessions", "user"]

IMAGE_KEY = "eco2:image:{ref}"


def png(seed: int | None = None, size: tuple[int, int] = (64, 48), fmt: str = "PNG") -> bytes:
    """A small image unique to ``seed`` (so its content-addressed key is the test's own)."""
    seed = uuid.uuid4().int if seed is None else seed
    image = Image.new("RGB", size, (200, 210, 220))
    for x in range(4):  # 96 random bits in the pixels: no two tests share an image
        image.putpixel((x, 0), ((seed >> (24 * x)) & 255, (seed >> (24 * x + 8)) & 255, 0))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (400 MP by default)."""
    data = png(7)
    ihdr = data[16:29]  # width, height, depth, colour type, compression, filter, interlace
    patched = struct.pack(">II", width, height) + ihdr[8:]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + patched) & 0xFFFFFFFF)
    return data[:16] + patched + crc + data[33:]


def image_key(data: bytes) -> str:
    return IMAGE_KEY.format(ref=ImageStore.ref_of(data))


@pytest.fixture
def api_settings(prefix: str, pg_schema: str, tmp_path: Path) -> Settings:
    """Settings isolating this test: key prefix, topic prefix, the session's PG schema and a
    directory of its own for the images."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_schema=pg_schema,
        gateway={"client_name": f"{prefix}api", "ping_s": 5.0, "gap_check_s": 0.2},
        progress={"key_prefix": prefix},
        router={"block_ms": 100},
        pipeline={"topic_prefix": prefix},
        auth={"redis_prefix": f"{prefix}auth:"},
        image={"root": str(tmp_path / "images")},
        oauth={"redis_prefix": f"{prefix}oauth:"},
    )


@pytest.fixture
async def stored(redis: aioredis.Redis) -> AsyncIterator[list[bytes]]:
    """Images a test uploads successfully; their keys are deleted afterwards."""
    images: list[bytes] = []
    yield images
    if images:
        await redis.delete(*[image_key(data) for data in images])


SignIn = Callable[[str], Awaitable[dict[str, str]]]


@pytest.fixture
def sign_in(
    redis: aioredis.Redis, sessions: async_sessionmaker[AsyncSession], api_settings: Settings
) -> SignIn:
    """``await sign_in(user_id)``: the account ``user_id`` (created if new) and the headers of a
    fresh access token for it, as the API's login would issue it (without argon2's cost)."""

    async def sign(user_id: str) -> dict[str, str]:
        async with sessions.begin() as session:
            await session.execute(
                insert(UserRow)
                .values(user_id=user_id, nickname=user_id[:64])
                .on_conflict_do_nothing()
            )
        auth = AuthService(api_settings.auth, redis, UserService(sessions))
        pair = await auth.issue_tokens(user_id)
        return {"Authorization": f"Bearer {pair.access_token}"}

    return sign


@pytest.fixture
async def auth_headers(sign_in: SignIn, user: str) -> dict[str, str]:
    """The ``user`` fixture's account, signed in."""
    return await sign_in(user)


@pytest.fixture
def make_app(
    redis: aioredis.Redis, sessions: async_sessionmaker[AsyncSession]
) -> Callable[[Settings], FastAPI]:
    def make(settings: Settings) -> FastAPI:
        return create_app(settings, redis=redis, sessions=sessions)

    return make


@pytest.fixture
async def app(make_app: Callable[[Settings], FastAPI], api_settings: Settings) -> FastAPI:
    return make_app(api_settings)


@pytest.fixture
async def client(app: FastAPI, auth_headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client with the app's lifespan running, signed in as ``user``."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api", headers=auth_headers
        ) as http:
            yield http
