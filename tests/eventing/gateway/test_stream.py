"""One client's stream: what is ready together goes out as one chunk, bounded, ending at the
terminal event. The replay store reads the real Redis; the hub is fed directly."""

from __future__ import annotations

from redis import asyncio as aioredis

from eventing.events import Progress
from eventing.gateway.frame import Frame, of
from eventing.gateway.hub import Hub
from eventing.gateway.store import ReplayStore, Snapshot
from eventing.gateway.stream import CHUNK_BYTES, StreamPlan, job_stream
from eventing.progress import ProgressKeys


def frame(seq: int, stage: str = "answer", status: str = "token", text: str = "x") -> Frame:
    progress = 100 if stage == "done" else 60
    return of(
        Progress(
            job_id="j", seq=seq, stage=stage, status=status, progress=progress,
            payload={"text": text},
        )
    )  # fmt: skip


def plan(redis: aioredis.Redis, prefix: str, hub: Hub) -> StreamPlan:
    async def cleanup() -> None:
        hub.unsubscribe(subscriber)

    subscriber = hub.subscribe("j")
    return StreamPlan(
        job_id="j",
        after=0,
        snapshot=Snapshot(exists=True, events=[], latest=None),
        subscriber=subscriber,
        store=ReplayStore(redis, ProgressKeys(4, prefix)),
        gap_check_s=0.05,
        gap_timeout_s=1.0,
        cleanup=cleanup,
    )


async def test_events_ready_together_are_one_chunk_and_the_terminal_ends_it(redis, prefix):
    hub = Hub(client_queue=64)
    stream = job_stream(plan(redis, prefix, hub))
    ready = [frame(1), frame(2), frame(3, "reward", "completed"), frame(4, "done", "completed")]
    for event in [*ready, frame(5)]:  # nothing after the terminal event is sent
        hub.dispatch(event)
    chunks = [chunk async for chunk in stream]
    assert chunks == [b"".join(event.encode() for event in ready)]


async def test_a_backlog_goes_out_in_chunks_of_bounded_size(redis, prefix):
    hub = Hub(client_queue=64)
    stream = job_stream(plan(redis, prefix, hub))
    big = [frame(seq, text="가" * 10_000) for seq in range(1, 21)]  # ~30 KB each
    for event in [*big, frame(21, "done", "completed")]:
        hub.dispatch(event)
    chunks = [chunk async for chunk in stream]
    assert b"".join(chunks) == b"".join(e.encode() for e in [*big, frame(21, "done", "completed")])
    assert len(chunks) > 5 and all(len(c) < CHUNK_BYTES + 40_000 for c in chunks)
