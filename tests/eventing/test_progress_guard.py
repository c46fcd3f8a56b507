"""A step with a guard (``eventing.progress.Guard``) on the real Redis: the guard's Lua runs in
the step's own script, sees its keys and arguments, may rewrite the payload or write nothing,
and leaves the step's seq, fields and lost-log epoch as they are."""

from __future__ import annotations

import pytest
from redis import asyncio as aioredis

from eventing.bus.batch import write_batch
from eventing.progress import (
    LOST_EPOCH,
    Guard,
    ProgressKeys,
    ProgressPublisher,
    progress_from_fields,
)

# Counts the step in KEYS[3]; a count past ARGV's limit writes nothing, else the payload says it.
COUNTED = Guard(
    """
local limit = tonumber(table.remove(ARGV))
local n = redis.call('INCR', KEYS[3])
if n > limit then return -2 end
local payload = cjson.decode(ARGV[7])
payload['n'] = n
ARGV[7] = cjson.encode(payload)
"""
)


def counted(unique: str, limit: int) -> Guard:
    return Guard(COUNTED.script, (f"{unique}:count",), (limit,))


@pytest.mark.parametrize("registered", [False, True])
@pytest.mark.parametrize("linger_s", [0.0, 0.01])
async def test_a_guard_rewrites_its_step_or_writes_nothing(
    unique: str, registered: bool, linger_s: float
) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    keys = ProgressKeys(1, f"{unique}:")
    publisher = ProgressPublisher(client, keys, registered=registered, linger_s=linger_s)
    try:
        if registered:
            await publisher.register_job("job")
        for _ in range(3):
            seq = await publisher.emit(
                "job", "answer", "token", 70, {"text": "a"}, linger=True, guard=counted(unique, 2)
            )
            assert seq in (1, 2, -2)
        assert seq == -2  # the third was refused by its guard
        entries = await client.xrange(keys.stream(0))
        steps = [progress_from_fields(fields)[0] for _id, fields in entries]
        assert [(s.seq, s.payload) for s in steps] == [
            (1, {"text": "a", "n": 1}),
            (2, {"text": "a", "n": 2}),
        ]
        assert set(entries[0][1]) == {
            "job_id",
            "seq",
            "stage",
            "status",
            "progress",
            "payload",
            "ts",
        }
        if registered:  # the log was lost (no state): the guarded step starts the new epoch
            await client.delete(keys.state("job"))
            assert await publisher.emit(
                "job", "answer", "token", 70, {}, guard=counted(unique, 9)
            ) == (LOST_EPOCH + 1)
    finally:
        await publisher.aclose()
        await client.delete(keys.state("job"), keys.seq("job"), keys.stream(0), f"{unique}:count")
        await client.aclose()


async def test_a_guarded_step_in_a_write_batch_runs_its_guard(unique: str) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    keys = ProgressKeys(1, f"{unique}:")
    publisher = ProgressPublisher(client, keys)
    try:
        async with write_batch(client):
            await publisher.emit("job", "answer", "token", 70, {}, guard=counted(unique, 1))
            await publisher.emit("job", "answer", "token", 70, {}, guard=counted(unique, 1))
        entries = await client.xrange(keys.stream(0))
        assert [progress_from_fields(f)[0].payload for _id, f in entries] == [{"n": 1}]
    finally:
        await client.delete(keys.seq("job"), keys.stream(0), f"{unique}:count")
        await client.aclose()


async def test_a_step_takes_a_guard_or_an_unless_key(unique: str) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    publisher = ProgressPublisher(client, ProgressKeys(1, f"{unique}:"))
    try:
        with pytest.raises(ValueError, match="not both"):
            await publisher.emit("job", "a", "started", 0, unless="k", guard=counted(unique, 1))
        assert await client.exists(publisher.keys.seq("job")) == 0
    finally:
        await client.aclose()
