"""Helpers for the event bus layer tests: an SSE reader, in-loop and subprocess servers.

Shared by tests/eventing/router and tests/eventing/gateway; fixtures are re-exported by each
directory's conftest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from redis import asyncio as aioredis

from eco2.settings import Settings
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.router import Router

ROOT = Path(__file__).resolve().parents[3]
ECO2 = str(ROOT / ".venv" / "bin" / "eco2")
STAGES = ["queued", "vision", "rule", "answer", "reward", "done"]


@dataclass
class SSEEvent:
    """One dispatched SSE event (comments are kept apart in ``SSEStream.comments``)."""

    id: str | None
    event: str
    data: str

    @property
    def seq(self) -> int:
        return int(self.id) if self.id is not None else -1

    @property
    def json(self) -> dict:
        return json.loads(self.data)


@dataclass
class SSEStream:
    """What a client read from one connection, in order."""

    status: int = 0
    events: list[SSEEvent] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    raw_blocks: list[list[str]] = field(default_factory=list)
    ended: bool = False  # the server closed the stream

    @property
    def seqs(self) -> list[int]:
        return [event.seq for event in self.events]

    @property
    def last_id(self) -> str | None:
        """The resume point, as a browser's EventSource keeps it (only ids move it)."""
        last = None
        for block in self.raw_blocks:
            for line in block:
                if line.startswith("id:"):
                    last = line[3:].strip()
        return last


async def read_stream(
    client: httpx.AsyncClient,
    url: str,
    *,
    last_event_id: str | None = None,
    stop_after: int | None = None,
    within: float = 10.0,
    partial: bool = False,
) -> SSEStream:
    """Read an SSE response until the server ends it or ``stop_after`` events arrived.

    After ``within`` seconds: raise, or with ``partial`` return what was read so far.
    """
    out = SSEStream()
    try:
        await _read_into(out, client, url, last_event_id, stop_after, within)
    except TimeoutError:
        if not partial:
            raise
    return out


async def _read_into(
    out: SSEStream,
    client: httpx.AsyncClient,
    url: str,
    last_event_id: str | None,
    stop_after: int | None,
    within: float,
) -> None:
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    async with asyncio.timeout(within), client.stream("GET", url, headers=headers) as response:
        out.status = response.status_code
        if response.status_code != 200:
            await response.aread()
            return
        block: list[str] = []
        async for line in response.aiter_lines():
            if line:
                block.append(line)
                continue
            if not block:
                continue
            out.raw_blocks.append(block)
            fields: dict[str, str] = {}
            for item in block:
                if item.startswith(":"):
                    out.comments.append(item[1:].strip())
                    continue
                name, _, value = item.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
            block = []
            if "data" in fields or "event" in fields:
                out.events.append(
                    SSEEvent(
                        fields.get("id"), fields.get("event", "message"), fields.get("data", "")
                    )
                )
                if stop_after is not None and len(out.events) >= stop_after:
                    return out
        out.ended = True
    return out


async def until(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Poll ``check`` until it is true; TimeoutError after ``within`` seconds."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - polling Redis state, there is no event
            await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def serve_app(app) -> AsyncIterator[str]:
    """Run ``app`` on a real uvicorn server in this loop; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=3, lifespan="on")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        app.state.gateway.close_streams()
        server.should_exit = True
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await task
        sock.close()


PROGRESS_FIELDS = frozenset({"key_prefix", "stream_maxlen", "replay_ttl_s", "token_linger_ms"})


def split_overrides(overrides: dict[str, object]) -> dict[str, dict[str, object]]:
    """Flat test overrides by settings group: ``router_*`` → router, progress log fields →
    progress, the rest → gateway."""
    groups: dict[str, dict[str, object]] = {"gateway": {}, "router": {}, "progress": {}}
    for name, value in overrides.items():
        if name.startswith("router_"):
            groups["router"][name.removeprefix("router_")] = value
        elif name in PROGRESS_FIELDS:
            groups["progress"][name] = value
        else:
            groups["gateway"][name] = value
    return groups


def bus_settings(prefix: str, **overrides: object) -> Settings:
    """Settings with a unique key prefix and test-sized timings."""
    options = {
        "key_prefix": prefix,
        "ping_s": 5.0,
        "router_block_ms": 100,
        "router_claim_idle_ms": 300,
        "router_claim_interval_s": 0.2,
        "gap_check_s": 0.2,
        "client_name": f"{prefix}gw",
        **overrides,
    }
    return Settings(_env_file=None, **split_overrides(options))  # type: ignore[call-arg]


def env_for(settings: Settings) -> dict[str, str]:
    """The ECO2_* environment that makes a subprocess see ``settings``'s event-bus groups."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO2_")}
    env["ECO2_SHARDS"] = str(settings.shards)
    for group in ("gateway", "router", "progress"):
        for name, value in getattr(settings, group).model_dump().items():
            env[f"ECO2_{group.upper()}__{name.upper()}"] = str(value)
    return env


@dataclass
class Proc:
    """A spawned ``eco2`` subprocess."""

    popen: subprocess.Popen
    url: str | None = None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=5)


def spawn(args: list[str], settings: Settings, *, argv0: list[str] | None = None) -> Proc:
    """``eco2 ARGS`` (or ``argv0 ARGS``) with ``settings``'s event-bus groups."""
    popen = subprocess.Popen(
        [*(argv0 or [ECO2]), *args],
        env=env_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Proc(popen)


async def wait_http(proc: Proc, url: str, within: float = 20.0) -> None:
    """Wait until a spawned gateway answers /healthz."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"process exited: {proc.popen.stderr.read()}")  # type: ignore[union-attr]
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/healthz", timeout=1)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


def spawn_gateway(settings: Settings) -> Proc:
    port = free_port()
    proc = spawn(["gateway", "--port", str(port), "--no-auth"], settings)
    proc.url = f"http://127.0.0.1:{port}"
    return proc


@contextlib.asynccontextmanager
async def running_router(
    redis: aioredis.Redis, settings: Settings, consumer: str = "r1"
) -> AsyncIterator[Router]:
    """An in-loop router task with the test settings."""
    router = Router(
        redis,
        ProgressKeys(settings.shards, settings.progress.key_prefix),
        settings.router,
        consumer=consumer,
    )
    await router.setup()
    task = asyncio.create_task(router.run())
    try:
        yield router
    finally:
        router.stop()
        async with asyncio.timeout(5):
            await task


@pytest.fixture
def settings_bus(prefix: str) -> Settings:
    return bus_settings(prefix)


@pytest.fixture
def publisher(redis: aioredis.Redis, settings_bus: Settings) -> ProgressPublisher:
    return ProgressPublisher(
        redis, ProgressKeys(settings_bus.shards, settings_bus.progress.key_prefix)
    )


async def emit_stages(publisher: ProgressPublisher, job_id: str, stages: list[str]) -> list[int]:
    """Emit one step per stage with the seed's progress convention; returns the seqs."""
    steps = {"queued": 0, "vision": 25, "rule": 50, "answer": 75, "reward": 100, "done": 100}
    status = {"done": "completed", "failed": "failed", "needs_input": "needs_input"}
    return [
        await publisher.emit(job_id, stage, status.get(stage, "started"), steps.get(stage, 0))
        for stage in stages
    ]


__all__ = [
    "ECO2",
    "STAGES",
    "Proc",
    "SSEEvent",
    "SSEStream",
    "bus_settings",
    "emit_stages",
    "env_for",
    "free_port",
    "publisher",
    "read_stream",
    "running_router",
    "serve_app",
    "settings_bus",
    "spawn",
    "spawn_gateway",
    "until",
    "wait_http",
]
