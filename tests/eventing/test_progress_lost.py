"""A registered job whose log Redis lost (restarted empty) goes on in a new seq epoch, on the
real Redis: a client resuming with a seq from before the loss still reads what follows."""

from __future__ import annotations

from redis import asyncio as aioredis

from eventing.bus.batch import write_batch
from eventing.progress import LOST_EPOCH, ProgressKeys, ProgressPublisher, progress_from_fields


async def _seqs(client: aioredis.Redis, publisher: ProgressPublisher, job: str) -> list[int]:
    keys = publisher.keys
    entries = await client.xrange(keys.stream(keys.shard(job)))
    return [progress_from_fields(f)[0].seq for _id, f in entries]


async def test_a_step_after_the_loss_starts_the_new_epoch(unique: str) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    publisher = ProgressPublisher(client, ProgressKeys(1, f"{unique}:"), registered=True)
    keys = publisher.keys
    try:
        await publisher.register_job("job")
        assert await publisher.emit("job", "queued", "started", 0) == 1
        assert await publisher.emit("job", "vision", "started", 5, unless=f"{unique}:x") == 2
        # Redis restarts empty: the state, the seq counter and the log are gone.
        await client.delete(keys.state("job"), keys.seq("job"), keys.stream(0))
        assert await publisher.emit("job", "vision", "completed", 25) == LOST_EPOCH + 1
        # Until the router writes the state again, each step stays in the new epoch.
        assert await publisher.emit("job", "rule", "started", 25, unless=f"{unique}:x") == (
            LOST_EPOCH + 2
        )
        await client.hset(keys.state("job"), mapping={"seq": LOST_EPOCH + 2})
        assert await publisher.emit("job", "done", "completed", 100) == LOST_EPOCH + 3
        assert await _seqs(client, publisher, "job") == [LOST_EPOCH + n for n in (1, 2, 3)]
    finally:
        await client.delete(keys.state("job"), keys.seq("job"), keys.stream(0))
        await client.aclose()


async def test_a_registered_job_in_a_write_batch_keeps_its_first_seq(unique: str) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    publisher = ProgressPublisher(client, ProgressKeys(1, f"{unique}:"), registered=True)
    keys = publisher.keys
    try:
        async with write_batch(client):  # how the API submits: register, then queued
            await publisher.register_job("job")
            await publisher.emit("job", "queued", "started", 0)
        assert await _seqs(client, publisher, "job") == [1]
    finally:
        await client.delete(keys.state("job"), keys.seq("job"), keys.stream(0))
        await client.aclose()


async def test_an_unregistered_publisher_counts_from_one(unique: str) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    publisher = ProgressPublisher(client, ProgressKeys(1, f"{unique}:"))
    keys = publisher.keys
    try:
        assert await publisher.emit("job", "queued", "started", 0) == 1
    finally:
        await client.delete(keys.seq("job"), keys.stream(0))
        await client.aclose()
