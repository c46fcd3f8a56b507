"""The chat worker's observer on the real Redis: what a turn streamed is kept with its log, so a
re-run after the worker died sends the readers exactly what they lack.

A worker may die while its tokens wait to share a round trip (``linger``). The record of what
was streamed must not count those tokens, or the re-run would skip them and the reader's text
would have a hole in it (seen in the chaos test before the record and the step became one
script)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from cloudevents.http import CloudEvent
from redis import asyncio as aioredis

from domains.chat import events
from domains.chat.events import ChatRequested
from domains.chat.pipeline import ChatProgress
from eventing.events import make_event
from eventing.progress import ProgressKeys, ProgressPublisher, progress_from_fields

ROOT = Path(__file__).resolve().parents[3]
URL = "redis://127.0.0.1:6379/0"


def turn(job: str) -> CloudEvent:
    request = ChatRequested(job_id=job, chat_id="c", text="페트병 어떻게 버려?")
    return make_event(events.REQUESTED, request, subject=job, event_id=f"e-{job}")


async def shown(redis: aioredis.Redis, keys: ProgressKeys, job: str) -> list[dict[str, Any]]:
    """The token steps of ``job`` in its log, as a reader gets them."""
    entries = await redis.xrange(keys.stream(keys.shard(job)))
    steps = [progress_from_fields(fields)[0] for _id, fields in entries]
    return [s.payload or {} for s in steps if s.job_id == job and s.status == "token"]


async def run(observer: ChatProgress, event: CloudEvent, pieces: list[str]) -> None:
    await observer.started(event, 1)
    for piece in pieces:
        await observer.reported(event, "token", {"text": piece, "id": "m1"})


async def test_a_rerun_sends_only_what_the_readers_lack(redis: aioredis.Redis, unique: str) -> None:
    keys = ProgressKeys(1, f"{unique}:")
    observer = ChatProgress(ProgressPublisher(redis, keys))
    event = turn("j1")
    await run(observer, event, ["페트병은 ", "헹궈서 "])
    await run(observer, event, ["페트병은 ", "헹궈서 라벨을", " 떼요"])  # redelivered
    texts = [(p["text"], p.get("replace", False), p["id"]) for p in await shown(redis, keys, "j1")]
    assert texts == [
        ("페트병은 ", False, "m1"),
        ("헹궈서 ", False, "m1"),
        ("라벨을", False, "m1"),  # the token's tail: its start was shown already
        (" 떼요", False, "m1"),
    ]


async def test_a_rerun_that_says_something_else_replaces_what_was_shown(
    redis: aioredis.Redis, unique: str
) -> None:
    """A cloud model's re-run may word the answer differently: one ``replace`` token."""
    keys = ProgressKeys(1, f"{unique}:")
    observer = ChatProgress(ProgressPublisher(redis, keys))
    streamed, event = observer.streamed, turn("j2")
    assert streamed is not None and observer.redis is not None  # a Redis progress log
    await run(observer, event, ["페트병은 ", "헹궈서 ", "버려요"])
    await run(observer, event, ["페트병은 ", "씻어서"])
    texts = [(p["text"], p.get("replace", False)) for p in await shown(redis, keys, "j2")]
    assert texts[3:] == [("페트병은 씻어서", True)]
    assert not await streamed.settle(observer.redis, "j2", "페트병은 씻어서")
    # The recorded answer differs from what was streamed: the caller sends a replace.
    assert await streamed.settle(observer.redis, "j2", "페트병은 씻어서 버려요")


# A worker of the chat function, as far as its observer goes: it starts the turn, streams one
# token with a long linger and says so while the token still waits for its round trip.
DOOMED = """
import asyncio, sys
from domains.chat.pipeline import ChatProgress
from eventing.progress import ProgressKeys, ProgressPublisher, connect
from tests.domains.chat.test_pipeline import run, turn

async def main(url: str, prefix: str) -> None:
    publisher = ProgressPublisher(connect(url), ProgressKeys(1, prefix), linger_s=600.0)
    task = asyncio.ensure_future(run(ChatProgress(publisher), turn("j3"), ["페트병은 "]))
    await asyncio.sleep(0.5)
    print("lingering", flush=True)
    await task

asyncio.run(main(*sys.argv[1:]))
"""


async def test_a_token_lost_with_its_worker_is_sent_by_the_rerun(
    redis: aioredis.Redis, unique: str
) -> None:
    keys = ProgressKeys(1, f"{unique}:")
    doomed = await asyncio.create_subprocess_exec(
        *(sys.executable, "-c", DOOMED, URL, keys.prefix),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
    )
    try:
        assert doomed.stdout is not None
        line = await asyncio.wait_for(doomed.stdout.readline(), 60)
        assert line.strip() == b"lingering", line
        doomed.send_signal(signal.SIGKILL)  # its token never left the process
        await asyncio.wait_for(doomed.wait(), 10)
    finally:
        if doomed.returncode is None:
            doomed.kill()
            await doomed.wait()
    assert await shown(redis, keys, "j3") == []
    observer = ChatProgress(ProgressPublisher(redis, keys, linger_s=0.005))
    await run(observer, turn("j3"), ["페트병은 ", "헹궈서 버려요"])
    await observer.publisher.aclose()
    assert "".join(p["text"] for p in await shown(redis, keys, "j3")) == "페트병은 헹궈서 버려요"
