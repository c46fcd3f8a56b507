"""Chat turns on the real servers, below the API: a turn whose worker is killed mid-answer is
redelivered and a reading client sees its answer once; two messages sent to one chat at the
same moment are answered one after the other, the second knowing the first.

The turns are published as the API publishes them (``ChatApi.run``: register the job, emit
``queued``, publish ``kr.eco2.chat.requested``) and read through the API's SSE gateway route,
with the simulated model so an answer streams for a couple of seconds."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.character.memory import MemoryCharacterService
from domains.chat import events
from domains.chat.events import ChatRequested
from domains.chat.pipeline import GROUP, TOPIC, ChatProgress
from domains.chat.turns import TurnLocks
from domains.image import MemoryImageStore
from domains.llm import LLMSettings
from eco2.settings import Settings
from eventing.bus.redis import RedisBus
from eventing.events import make_event
from eventing.gateway import create_app as create_gateway
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.runtime.dedupe import MemoryDedupe
from eventing.runtime.loader import load_function
from eventing.runtime.redis_trigger import RedisTrigger
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import serve
from functions.chat.graph import NoScans
from functions.chat.main import open_checkpointer
from tests.eventing.gateway.support import SSEStream, read_stream, running_router, serve_app

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "functions" / "chat" / "main.py"
# A streamed answer of about 3 s: the first token after 1.5 s, then one every ~0.1 s.
SIM = {"sim_text_s": 3.0, "sim_scale": 1.0, "sim_jitter": 0.0, "sim_stream_chunks": 16}


@pytest.fixture
def chat_settings(api_settings: Settings) -> Settings:
    return api_settings.model_copy(update={"llm": LLMSettings(**SIM)})  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def chat_worker(
    settings: Settings, redis: aioredis.Redis, consumer: str, claim_idle_ms: int = 120_000
) -> AsyncIterator[None]:
    """The chat function behind the Redis trigger a deployment runs, in this loop."""
    saver, pool = await open_checkpointer(settings)
    bus = RedisBus(settings.redis_url, settings.shards, prefix=settings.pipeline.topic_prefix)
    fn = load_function(
        SOURCE,
        settings,
        characters=MemoryCharacterService(),
        images=MemoryImageStore(),
        checkpointer=saver,
        scans=NoScans(),
        locks=TurnLocks(redis),  # as a deployed worker holds them (it opens its own Redis)
    )
    keys = ProgressKeys(settings.shards, settings.progress.key_prefix)
    runtime = RuntimeSettings(
        max_attempts=3,
        block_ms=100,
        handler_timeout_s=min(60.0, claim_idle_ms / 1000 - 1),
        claim_idle_ms=claim_idle_ms,
        shutdown_grace_s=5,
    )
    trigger = RedisTrigger(
        bus,
        fn,
        runtime,
        topic=TOPIC,
        group=GROUP,
        consumer=consumer,
        dedupe=MemoryDedupe(),
        observer=ChatProgress(ProgressPublisher(redis, keys)),
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


@contextlib.asynccontextmanager
async def gateway(
    settings: Settings, redis: aioredis.Redis, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    # The gateway alone, with no authorizer: these turns are published below the API, so no
    # chat message row names their owner (the API's streams are owner-checked: test_ownership).
    app = create_gateway(settings, redis)
    async with (
        running_router(redis, settings),
        serve_app(app) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
    ):
        yield client


async def send(
    settings: Settings, redis: aioredis.Redis, chat_id: str, text: str, model: str = "sim"
) -> str:
    """What ``POST /api/v1/chats/{id}/messages`` does once the message is accepted."""
    job_id = uuid.uuid4().hex
    progress = ProgressPublisher(redis, ProgressKeys(settings.shards, settings.progress.key_prefix))
    await progress.register_job(job_id)
    await progress.emit(job_id, "queued", "started", 0)
    request = ChatRequested(
        job_id=job_id, chat_id=chat_id, user_id=f"u-{chat_id}", text=text, model=model
    )
    bus = RedisBus(settings.redis_url, settings.shards, prefix=settings.pipeline.topic_prefix)
    try:
        await bus.publish(TOPIC, make_event(events.REQUESTED, request, subject=job_id), key=job_id)
    finally:
        await bus.close()
    return job_id


def tokens(stream: SSEStream) -> str:
    """The answer as a client shows it: tokens appended, a ``replace`` one replacing."""
    shown = ""
    for event in stream.events:
        body = event.json
        if body["status"] == "token":
            payload = body["payload"]
            shown = payload["text"] if payload.get("replace") else shown + payload["text"]
    return shown


async def read_tokens(
    client: httpx.AsyncClient, url: str, count: int, within: float = 60
) -> SSEStream:
    """Read event by event (resuming with Last-Event-ID) until ``count`` tokens arrived."""
    read = SSEStream()
    last: str | None = None
    while sum(e.json["status"] == "token" for e in read.events) < count:
        step = await read_stream(client, url, last_event_id=last, stop_after=1, within=within)
        read.events.extend(step.events)
        read.raw_blocks.extend(step.raw_blocks)
        last = step.last_id or last
    return read


def worker_process(settings: Settings, consumer: str) -> subprocess.Popen[bytes]:
    """``eco2 function run`` on the chat function, as a deployment starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO2_")}
    env.update(
        ECO2_DATABASE_SCHEMA=settings.database_schema,
        ECO2_PROGRESS__KEY_PREFIX=settings.progress.key_prefix,
        ECO2_PIPELINE__TOPIC_PREFIX=settings.pipeline.topic_prefix,
        **{f"ECO2_LLM__{k.upper()}": str(v) for k, v in SIM.items()},
    )
    args = ["function", "run", str(SOURCE), "--trigger", "redis", "--topic", TOPIC]
    options = ["--group", GROUP, "--observer", "chat", "--consumer", consumer]
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "eco2"), *args, *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# A worker process starts, is killed, and another claims the turn after 15 s idle: slow on a
# loaded machine, so more than the default 120 s.
@pytest.mark.timeout(400)
async def test_a_turn_killed_mid_answer_is_redelivered_and_read_once(
    chat_settings: Settings,
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    unique: str,
) -> None:
    chat_id = f"c-{unique}"
    first = worker_process(chat_settings, "doomed")
    try:
        async with gateway(chat_settings, redis, sessions) as client:
            job_id = await send(chat_settings, redis, chat_id, "페트병 어떻게 버려? 고철 시세는?")
            url = f"/api/v1/chat/{job_id}/events"
            # The worker process starts (a few seconds), takes the turn and streams 3 tokens.
            head = await read_tokens(client, url, 3, within=180)
            first.send_signal(signal.SIGKILL)  # dies mid-answer: the entry stays pending
            first.wait(10)
            assert sum(e.json["status"] == "token" for e in head.events) == 3
            assert head.events[-1].event != "done"
            # Another worker claims the idle entry and runs the turn again from its start.
            async with chat_worker(chat_settings, redis, "heir", claim_idle_ms=15_000):
                rest = await read_stream(client, url, last_event_id=head.last_id, within=180)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    assert rest.events[-1].event == "done"
    done = rest.events[-1].json["payload"]
    everything = SSEStream(events=[*head.events, *rest.events])
    starts = [e for e in everything.events if e.json["stage"] == "turn"]
    assert len(starts) >= 2  # the turn ran again (more than once when a run timed out)
    streamed = [e.json["payload"] for e in everything.events if e.json["status"] == "token"]
    assert not any(p.get("replace") for p in streamed)  # the re-run said the same: no repair
    assert "".join(p["text"] for p in streamed) == done["text"]  # each piece exactly once
    assert {p["id"] for p in streamed} == {done["message_id"]}  # one message, one id
    assert tokens(everything) == done["text"]


async def test_two_messages_at_once_are_answered_in_turn(
    chat_settings: Settings,
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    unique: str,
) -> None:
    chat_id = f"c-{unique}"
    async with (
        gateway(chat_settings, redis, sessions) as client,
        chat_worker(chat_settings, redis, "both"),
    ):
        jobs = await asyncio.gather(
            send(chat_settings, redis, chat_id, "고철 kg당 얼마야?"),
            send(chat_settings, redis, chat_id, "이코는 뭐 좋아해?"),
        )
        streams = await asyncio.gather(
            *(read_stream(client, f"/api/v1/chat/{job}/events", within=60) for job in jobs)
        )
    done = [s.events[-1].json["payload"] for s in streams]
    assert [s.events[-1].event for s in streams] == ["done", "done"]
    assert sorted(d["intents"][0] for d in done) == ["character", "recyclable_price"]
    # One after the other: the second ran on the checkpoint the first wrote, so the memory
    # holds both turns (two turns at once would both start from the same checkpoint and the
    # last to end would keep only its own).
    saver, pool = await open_checkpointer(chat_settings)
    try:
        saved = await saver.aget_tuple({"configurable": {"thread_id": chat_id}})
    finally:
        await pool.close()
    assert saved is not None
    history: list[dict[str, Any]] = saved.checkpoint["channel_values"]["history"]
    assert [h["role"] for h in history] == ["user", "assistant", "user", "assistant"]
    assert {history[0]["text"], history[2]["text"]} == {"고철 kg당 얼마야?", "이코는 뭐 좋아해?"}
