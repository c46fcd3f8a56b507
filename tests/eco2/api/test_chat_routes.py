"""The chat API end to end on the real servers: API + router + gateway + the chat function's
worker on Redis Streams, PostgreSQL for chats and LangGraph's checkpoints.

A turn is posted, paused on a question (near me, no location), resumed over the API, and its
answer streamed: phases, then tokens that join to the recorded answer, with Last-Event-ID
resume that neither skips nor repeats an event."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.character.memory import MemoryCharacterService
from domains.chat.pipeline import GROUP, TOPIC, ChatProgress
from domains.chat.service import ChatService
from domains.image import MemoryImageStore
from eco2.api import create_app
from eco2.settings import Settings
from eventing.bus.redis import RedisBus
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.runtime.dedupe import MemoryDedupe
from eventing.runtime.loader import load_function
from eventing.runtime.redis_trigger import RedisTrigger
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import serve
from functions.chat.graph import NoScans
from functions.chat.main import open_checkpointer
from tests.eco2.api.conftest import SignIn
from tests.eventing.gateway.support import read_stream, running_router, serve_app

SOURCE = Path(__file__).resolve().parents[3] / "functions" / "chat" / "main.py"
RUNTIME = RuntimeSettings(
    max_attempts=2, block_ms=100, handler_timeout_s=60, claim_idle_ms=120_000, shutdown_grace_s=5
)


@contextlib.asynccontextmanager
async def chat_worker(
    settings: Settings, redis: aioredis.Redis, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[None]:
    """The chat function behind the same trigger a deployment runs, in this loop."""
    saver, pool = await open_checkpointer(settings)
    bus = RedisBus(settings.redis_url, settings.shards, prefix=settings.pipeline.topic_prefix)
    fn = load_function(
        SOURCE,
        settings,
        characters=MemoryCharacterService(),
        images=MemoryImageStore(),
        checkpointer=saver,
        scans=NoScans(),
    )
    keys = ProgressKeys(settings.shards, settings.progress.key_prefix)
    observer = ChatProgress(ProgressPublisher(redis, keys), ChatService(sessions))
    trigger = RedisTrigger(
        bus,
        fn,
        RUNTIME,
        topic=TOPIC,
        group=GROUP,
        consumer="test-chat",
        dedupe=MemoryDedupe(),
        observer=observer,
    )
    await bus.ensure_group(TOPIC, GROUP)
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(trigger, fn, grace_s=5, stop_signal=stop, handle_signals=False)
    )
    try:
        yield
    finally:
        stop.set()
        async with asyncio.timeout(15):
            await task
        await bus.close()
        await pool.close()


@pytest.fixture
async def system(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    auth_headers: dict[str, str],
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(api_settings, redis=redis, sessions=sessions)
    async with (
        running_router(redis, api_settings),
        serve_app(app) as base,
        chat_worker(api_settings, redis, sessions),
        httpx.AsyncClient(base_url=base, timeout=20, headers=auth_headers) as client,
    ):
        yield client


def tokens(events: list[Any]) -> str:
    return "".join(e.json["payload"]["text"] for e in events if e.json["status"] == "token")


async def test_a_turn_pauses_for_a_location_resumes_and_streams_its_answer(
    system: httpx.AsyncClient, user: str
) -> None:
    headers: dict[str, str] = {}  # the client is signed in as user
    created = await system.post("/api/v1/chats", json={}, headers=headers)
    assert created.status_code == 201
    chat_id = created.json()["chat_id"]
    sent = await system.post(
        f"/api/v1/chats/{chat_id}/messages",
        json={"text": "근처 재활용센터 어디야? 고철 시세는 얼마야?"},
        headers=headers,
    )
    assert sent.status_code == 202, sent.text
    url = sent.json()["events_url"]
    assert url == f"/api/v1/chat/{sent.json()['job_id']}/events"
    first = await read_stream(system, url, within=30)
    assert first.ended and first.events[-1].event == "needs_input"
    assert "동네" in first.events[-1].json["payload"]["question"]

    answered = await system.post(
        f"/api/v1/chats/{chat_id}/input", json={"text": "마포구"}, headers=headers
    )
    assert answered.status_code == 202, answered.text
    again = await system.post(
        f"/api/v1/chats/{chat_id}/input", json={"text": "마포구"}, headers=headers
    )
    assert again.status_code == 409  # one pause, one resume

    # Part of the resumed run, then a reconnect from the last id seen: no gap, no repeat.
    part = await read_stream(system, url, last_event_id=first.last_id, stop_after=3, within=30)
    rest = await read_stream(system, url, last_event_id=part.last_id, within=30)
    events = [*first.events, *part.events, *rest.events]
    seqs = [e.seq for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    assert rest.events[-1].event == "done"
    done = rest.events[-1].json["payload"]
    assert done["intents"] == ["location", "recyclable_price"]
    assert tokens(events) == done["text"]
    assert "마포구" in done["parts"][0]["text"] and "원" in done["parts"][1]["text"]
    streamed_ids = {e.json["payload"]["id"] for e in events if e.json["status"] == "token"}
    assert streamed_ids == {done["message_id"]}

    page = await system.get(f"/api/v1/chats/{chat_id}", headers=headers)
    assert page.status_code == 200
    items = page.json()["items"]
    assert [m["role"] for m in items] == ["user", "assistant"]
    assert items[1]["text"] == done["text"]
    assert page.json()["chat"]["title"].startswith("근처 재활용센터")


async def test_memory_carries_the_previous_turn_to_the_next(
    system: httpx.AsyncClient, user: str
) -> None:
    headers: dict[str, str] = {}  # the client is signed in as user
    chat_id = (await system.post("/api/v1/chats", json={}, headers=headers)).json()["chat_id"]
    for text in ("고철 kg당 얼마야?", "알루미늄은?"):
        sent = await system.post(
            f"/api/v1/chats/{chat_id}/messages", json={"text": text}, headers=headers
        )
        stream = await read_stream(system, sent.json()["events_url"], within=30)
        done = stream.events[-1].json["payload"]
    assert done["intents"] == ["recyclable_price"]


async def test_chats_list_rename_delete_and_bad_input(
    system: httpx.AsyncClient, user: str, sign_in: SignIn
) -> None:
    headers: dict[str, str] = {}  # the client is signed in as user
    ids = []
    for n in range(3):
        made = await system.post("/api/v1/chats", json={"title": f"대화 {n}"}, headers=headers)
        ids.append(made.json()["chat_id"])
    first = await system.get("/api/v1/chats", params={"limit": 2}, headers=headers)
    assert len(first.json()["items"]) == 2 and first.json()["next_cursor"]
    second = await system.get(
        "/api/v1/chats", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )
    listed = [c["chat_id"] for c in first.json()["items"] + second.json()["items"]]
    assert sorted(listed) == sorted(ids) and second.json()["next_cursor"] is None

    renamed = await system.patch(
        f"/api/v1/chats/{ids[0]}", json={"title": "분리수거"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "분리수거"
    other = await system.get(f"/api/v1/chats/{ids[0]}", headers=await sign_in(f"{user}-other"))
    assert other.status_code == 404

    empty = await system.post(
        f"/api/v1/chats/{ids[1]}/messages", json={"text": " "}, headers=headers
    )
    assert empty.status_code == 422 and "text or an image" in empty.text
    missing_image = await system.post(
        f"/api/v1/chats/{ids[1]}/messages",
        json={"text": "이거?", "image": "sha256:" + "0" * 64},
        headers=headers,
    )
    assert missing_image.status_code == 422
    nothing_paused = await system.post(
        f"/api/v1/chats/{ids[1]}/input", json={"text": "마포구"}, headers=headers
    )
    assert nothing_paused.status_code == 409
    bad_cursor = await system.get("/api/v1/chats", params={"cursor": "!!"}, headers=headers)
    assert bad_cursor.status_code == 400
    page = await system.get(f"/api/v1/chats/{ids[1]}", headers=headers)
    assert page.json()["items"] == []  # the refused messages wrote nothing

    deleted = await system.delete(f"/api/v1/chats/{ids[2]}", headers=headers)
    assert deleted.status_code == 204
    gone = await system.get(f"/api/v1/chats/{ids[2]}", headers=headers)
    assert gone.status_code == 404
