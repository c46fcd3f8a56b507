"""Every read and write of one user's scans, streams, chats, collection, reminders and images,
tried by another user: 404 each (never 403: ids do not leak), while the owner still gets them.
Then deleting an account removes all of its data and its images, and per-user rate limits."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from langgraph.checkpoint.base import empty_checkpoint
from redis import asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.character.models import UserCharacterRow
from domains.character.service import CharacterService
from domains.chat.models import ChatMessageRow, ChatRow
from domains.image import ImageStore, RedisImageStore
from domains.image.models import ImageOwnerRow
from domains.image.owners import ImageOwners
from domains.info.models import ReminderRow
from domains.scan.models import ScanJobRow
from domains.users.models import UserRow
from eco2.api import create_app
from eco2.settings import Settings
from eventing.bus.redis import connect as connect_binary
from functions.chat.main import open_checkpointer
from tests.eco2.api.conftest import SignIn, image_key, png
from tests.eco2.api.test_places import data

__all__ = ["data"]  # the sample districts a reminder names
from tests.eventing.gateway.support import (
    ECO2,
    Proc,
    env_for,
    free_port,
    read_stream,
    running_router,
    serve_app,
    wait_http,
)

REMINDER = {"sigungu": "마포구", "streams": ["food"], "remind_at": "19:30"}


@dataclass
class Owned:
    """What user A made: a scan, a chat with a turn, a reminder, a character, images."""

    job_id: str
    chat_id: str
    chat_job_id: str
    scan_ref: str
    card_ref: str
    character: str


@pytest.fixture
async def server(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    data: None,
) -> AsyncIterator[str]:
    app = create_app(api_settings, redis=redis, sessions=sessions)
    async with running_router(redis, api_settings), serve_app(app) as base:
        yield base


@pytest.fixture
async def binary() -> AsyncIterator[aioredis.Redis]:
    client = connect_binary("redis://127.0.0.1:6379/0", max_connections=4)
    yield client
    await client.aclose()


async def make_things(
    http: httpx.AsyncClient,
    user: str,
    sessions: async_sessionmaker[AsyncSession],
    binary: aioredis.Redis,
    stored: list[bytes],
) -> Owned:
    photo = png()
    stored.append(photo)
    scan = await http.post(
        "/api/v1/scans",
        files={"image": ("p.png", photo, "image/png")},
        headers={"X-Idempotency-Key": "same-key"},
    )
    assert scan.status_code == 202, scan.text
    chat_id = (await http.post("/api/v1/chats", json={})).json()["chat_id"]
    turn = await http.post(
        f"/api/v1/chats/{chat_id}/messages", json={"text": "페트병 어떻게 버려?"}
    )
    assert turn.status_code == 202, turn.text
    assert (await http.put("/api/v1/users/me/reminders", json=REMINDER)).status_code == 200
    characters = CharacterService(sessions)
    character = next(c for c in await characters.catalogue() if c.category)
    await characters.grant(user, character.category, scan.json()["job_id"])
    card = png()  # a card the chat drew for A: stored, and granted to A
    stored.append(card)
    card_ref = await RedisImageStore(binary).put(card)
    await ImageOwners(sessions).grant(user, card_ref)
    return Owned(
        job_id=scan.json()["job_id"],
        chat_id=chat_id,
        chat_job_id=turn.json()["job_id"],
        scan_ref=ImageStore.ref_of(photo),
        card_ref=card_ref,
        character=character.key,
    )


def attempts(a: Owned) -> list[tuple[str, str, dict | None]]:
    """Every route that names one of A's things: method, path, JSON body."""
    return [
        ("GET", f"/api/v1/scans/{a.job_id}", None),
        ("POST", f"/api/v1/scans/{a.job_id}/answer", {"text": "캔"}),
        ("GET", f"/api/v1/scans/{a.job_id}/events", None),
        ("GET", f"/api/v1/chats/{a.chat_id}", None),
        ("PATCH", f"/api/v1/chats/{a.chat_id}", {"title": "내 것"}),
        ("POST", f"/api/v1/chats/{a.chat_id}/messages", {"text": "안녕"}),
        ("POST", f"/api/v1/chats/{a.chat_id}/input", {"text": "마포구"}),
        ("DELETE", f"/api/v1/chats/{a.chat_id}", None),
        ("GET", f"/api/v1/chat/{a.chat_job_id}/events", None),
        ("GET", f"/api/v1/images/{a.scan_ref}", None),
        ("GET", f"/api/v1/images/{a.card_ref}", None),
        ("GET", f"/api/v1/users/me/characters/{a.character}", None),
        ("GET", "/api/v1/users/me/reminders", None),
        ("DELETE", "/api/v1/users/me/reminders", None),
    ]


async def test_another_user_gets_404_for_everything_the_owner_has(
    server: str,
    sign_in: SignIn,
    user: str,
    sessions: async_sessionmaker[AsyncSession],
    binary: aioredis.Redis,
    stored: list[bytes],
) -> None:
    a_headers, b_headers = await sign_in(user), await sign_in(f"{user}-b")
    async with (
        httpx.AsyncClient(base_url=server, timeout=10, headers=a_headers) as a,
        httpx.AsyncClient(base_url=server, timeout=10, headers=b_headers) as b,
        httpx.AsyncClient(base_url=server, timeout=10) as nobody,
    ):
        owned = await make_things(a, user, sessions, binary, stored)
        for method, path, body in attempts(owned):
            denied = await b.request(method, path, json=body)
            assert denied.status_code == 404, (method, path, denied.status_code, denied.text)
            anonymous = await nobody.request(method, path, json=body)
            assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        # A's image named in B's chat message reads as no image at all.
        b_chat = (await b.post("/api/v1/chats", json={})).json()["chat_id"]
        sneaky = await b.post(
            f"/api/v1/chats/{b_chat}/messages", json={"text": "이거?", "image": owned.scan_ref}
        )
        assert sneaky.status_code == 422
        # B's own lists hold none of A's things.
        listed = [c["chat_id"] for c in (await b.get("/api/v1/chats")).json()["items"]]
        assert listed == [b_chat]
        assert (await b.get("/api/v1/users/me/characters")).json() == []
        # The same idempotency key is B's own: a new job, not a replay of A's.
        photo = png()
        stored.append(photo)
        mine = await b.post(
            "/api/v1/scans",
            files={"image": ("p.png", photo, "image/png")},
            headers={"X-Idempotency-Key": "same-key"},
        )
        assert mine.status_code == 202 and mine.json()["job_id"] != owned.job_id
        assert "Idempotent-Replay" not in mine.headers

        # The owner still has every one of them, unchanged by B's attempts.
        assert (await a.get(f"/api/v1/scans/{owned.job_id}")).status_code == 202
        for ref in (owned.scan_ref, owned.card_ref):
            image = await a.get(f"/api/v1/images/{ref}")
            assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        chat = await a.get(f"/api/v1/chats/{owned.chat_id}")
        assert chat.status_code == 200 and chat.json()["chat"]["title"] != "내 것"
        owned_character = await a.get(f"/api/v1/users/me/characters/{owned.character}")
        assert owned_character.status_code == 200
        assert (await a.get("/api/v1/users/me/reminders")).json()["sigungu"] == "마포구"
        for url in (
            f"/api/v1/scans/{owned.job_id}/events",
            f"/api/v1/chat/{owned.chat_job_id}/events",
        ):
            stream = await read_stream(a, url, stop_after=1, within=10)
            assert stream.status == 200 and stream.events[0].event == "queued"
        # The web page's EventSource sends the cookie, not a header.
        async with httpx.AsyncClient(base_url=server, timeout=10) as page:
            page.cookies.set("eco2_access", a_headers["Authorization"].removeprefix("Bearer "))
            stream = await read_stream(page, f"/api/v1/scans/{owned.job_id}/events", stop_after=1)
            assert stream.status == 200


async def count(sessions: async_sessionmaker[AsyncSession], table: type, user_id: str) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(table).where(table.user_id == user_id)
        return int(await session.scalar(query) or 0)


async def test_deleting_my_account_removes_all_my_data_and_images(
    server: str,
    sign_in: SignIn,
    user: str,
    sessions: async_sessionmaker[AsyncSession],
    binary: aioredis.Redis,
    stored: list[bytes],
    api_settings: Settings,
) -> None:
    a_headers, b_headers = await sign_in(user), await sign_in(f"{user}-b")
    async with (
        httpx.AsyncClient(base_url=server, timeout=10, headers=a_headers) as a,
        httpx.AsyncClient(base_url=server, timeout=10, headers=b_headers) as b,
    ):
        owned = await make_things(a, user, sessions, binary, stored)
        # B uploaded the very same card bytes: they must outlive A's account.
        shared = png()
        stored.append(shared)
        await a.post("/api/v1/scans", files={"image": ("s.png", shared, "image/png")})
        await b.post("/api/v1/scans", files={"image": ("s.png", shared, "image/png")})
        tables = (ScanJobRow, ChatRow, UserCharacterRow, ReminderRow, ImageOwnerRow, UserRow)
        for table in tables:
            assert await count(sessions, table, user) > 0, table
        # The chat's memory, as the chat worker keeps it (LangGraph's checkpoint tables).
        saver, pool = await open_checkpointer(api_settings)
        memory = {"configurable": {"thread_id": owned.chat_id, "checkpoint_ns": ""}}
        await saver.aput(memory, empty_checkpoint(), {}, {})
        assert await saver.aget_tuple(memory) is not None

        gone = await a.delete("/api/v1/users/me")
        assert gone.status_code == 204
        assert await saver.aget_tuple(memory) is None
        await pool.close()

        for table in tables:
            assert await count(sessions, table, user) == 0, table
        async with sessions() as session:
            messages = await session.scalar(
                select(func.count())
                .select_from(ChatMessageRow)
                .where(ChatMessageRow.chat_id == owned.chat_id)
            )
        assert messages == 0
        assert not await binary.exists(image_key_of(owned.scan_ref), image_key_of(owned.card_ref))
        assert await binary.exists(image_key(shared))
        assert (await b.get(f"/api/v1/images/{ImageStore.ref_of(shared)}")).status_code == 200
        # Every token A held is void; B is untouched.
        assert (await a.get("/api/v1/users/me")).status_code == 401
        assert (await b.get("/api/v1/users/me")).status_code == 200
        assert await count(sessions, ScanJobRow, f"{user}-b") == 1


def image_key_of(ref: str) -> str:
    return f"eco2:image:{ref}"


async def test_scans_and_chat_turns_are_rate_limited_per_user(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    sign_in: SignIn,
    user: str,
    stored: list[bytes],
) -> None:
    limits = {"scan_burst": 2, "scan_per_minute": 1, "chat_burst": 1, "chat_per_minute": 2}
    auth = api_settings.auth.model_copy(update=limits)
    settings = api_settings.model_copy(update={"auth": auth})
    app = create_app(settings, redis=redis, sessions=sessions)
    a_headers, b_headers = await sign_in(user), await sign_in(f"{user}-b")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://api", headers=a_headers) as a,
            httpx.AsyncClient(transport=transport, base_url="http://api", headers=b_headers) as b,
        ):

            async def scan(client: httpx.AsyncClient) -> httpx.Response:
                photo = png()
                stored.append(photo)
                return await client.post(
                    "/api/v1/scans", files={"image": ("p.png", photo, "image/png")}
                )

            assert [(await scan(a)).status_code for _ in range(2)] == [202, 202]
            limited = await scan(a)
            assert limited.status_code == 429
            assert limited.json()["error"]["code"] == "rate_limited"
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
            assert (await scan(b)).status_code == 202  # per user: B has its own bucket
            assert await count(sessions, ScanJobRow, user) == 2  # the refused one wrote nothing

            chat_id = (await a.post("/api/v1/chats", json={})).json()["chat_id"]
            first = await a.post(f"/api/v1/chats/{chat_id}/messages", json={"text": "안녕"})
            second = await a.post(f"/api/v1/chats/{chat_id}/messages", json={"text": "안녕"})
            assert first.status_code == 202 and second.status_code == 429
            assert 1 <= int(second.headers["Retry-After"]) <= 30


def spawn_gateway_process(port: int, env: dict[str, str]) -> Proc:
    argv = [ECO2, "gateway", "--port", str(port)]
    return Proc(
        subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
    )


async def test_the_standalone_gateway_authorizes_like_the_api(
    server: str,
    sign_in: SignIn,
    user: str,
    api_settings: Settings,
    stored: list[bytes],
) -> None:
    """``eco2 gateway`` (the deployment's SSE service) asks the owner, as the API does."""
    a_headers, b_headers = await sign_in(user), await sign_in(f"{user}-b")
    photo = png()
    stored.append(photo)
    async with httpx.AsyncClient(base_url=server, timeout=10, headers=a_headers) as a:
        scan = await a.post("/api/v1/scans", files={"image": ("p.png", photo, "image/png")})
    env = env_for(api_settings) | {
        "ECO2_DATABASE_SCHEMA": api_settings.database_schema,
        "ECO2_AUTH__REDIS_PREFIX": api_settings.auth.redis_prefix,
    }
    port = free_port()
    gateway = spawn_gateway_process(port, env)
    url = f"http://127.0.0.1:{port}"
    events = f"/api/v1/scans/{scan.json()['job_id']}/events"
    try:
        await wait_http(gateway, url)
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            assert (await http.get(events)).status_code == 401
            assert (await http.get(events, headers=b_headers)).status_code == 404
            http.headers.update(a_headers)
            stream = await read_stream(http, events, stop_after=1)
            assert stream.status == 200 and stream.events[0].event == "queued"
    finally:
        gateway.kill(signal.SIGTERM)
