"""The write batch on the real Redis: deferred, sent as one unit, discarded on failure."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis import asyncio as aioredis

from eventing.bus.base import Delivery
from eventing.bus.batch import joined, write_batch
from eventing.bus.redis import RedisBus
from eventing.events import make_event
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.runtime.dedupe import RedisDedupe
from tests.eventing.round_trips import count_round_trips
from tests.eventing.runtime.echo import Echo

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def parts(unique: str) -> AsyncIterator[dict]:
    client = aioredis.from_url(REDIS_URL)
    decoding = aioredis.from_url(REDIS_URL, decode_responses=True)
    bus = RedisBus(REDIS_URL, 1, prefix=f"{unique}:", client=client)
    publisher = ProgressPublisher(decoding, ProgressKeys(shards=1, prefix=f"{unique}:"))
    dedupe = RedisDedupe(decoding, unique, 60)
    yield {"client": client, "bus": bus, "publisher": publisher, "dedupe": dedupe}
    keys = [k async for k in client.scan_iter(f"{unique}:*")]
    keys += [k async for k in client.scan_iter(f"eco2:processed:{unique}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await decoding.aclose()


def echo(text: str = "hi"):
    return make_event("kr.eco2.test.echo", Echo(text=text), subject="job-1")


async def settle_writes(parts: dict) -> None:
    """The four writes a worker makes when a handler succeeded, from three adapters."""
    await parts["publisher"].emit("job-1", "vision", "completed", 25)
    await parts["bus"].publish("replies", echo())
    await parts["dedupe"].mark("event-1")
    await parts["bus"].ack("g", Delivery("work", 0, "1-1", echo()))


async def written(parts: dict) -> dict[str, int]:
    client: aioredis.Redis = parts["client"]
    keys = parts["publisher"].keys
    return {
        "progress": await client.xlen(keys.stream(0)),
        "replies": await client.xlen(parts["bus"].stream("replies", 0)),
        "marked": await client.exists(parts["dedupe"].key("event-1")),
    }


async def test_writes_inside_a_batch_land_only_when_it_ends(parts: dict) -> None:
    async with write_batch(parts["client"]):
        await settle_writes(parts)
        assert await written(parts) == {"progress": 0, "replies": 0, "marked": 0}
    assert await written(parts) == {"progress": 1, "replies": 1, "marked": 1}
    # The step went through the same script as an immediate emit: its seq counts on.
    assert await parts["publisher"].emit("job-1", "rule", "started", 25) == 2


async def test_a_batch_left_by_an_exception_writes_nothing(parts: dict) -> None:
    with pytest.raises(RuntimeError):
        async with write_batch(parts["client"]):
            await settle_writes(parts)
            raise RuntimeError("the observer failed")
    assert await written(parts) == {"progress": 0, "replies": 0, "marked": 0}


async def test_a_batch_is_sent_in_one_round_trip(parts: dict, monkeypatch) -> None:
    round_trips = count_round_trips(monkeypatch, parts["client"], parts["publisher"].redis)
    async with write_batch(parts["client"]):
        await settle_writes(parts)
    assert len(round_trips) == 1


async def test_a_client_of_another_database_does_not_join(parts: dict) -> None:
    other = aioredis.from_url("redis://127.0.0.1:6379/1")
    try:
        async with write_batch(parts["client"]):
            assert joined(other) is None
            assert joined(parts["publisher"].redis) is not None
    finally:
        await other.aclose()


async def test_a_nested_batch_is_sent_by_the_outer_one(parts: dict) -> None:
    async with write_batch(parts["client"]):
        async with write_batch(parts["client"]):
            await settle_writes(parts)
        assert (await written(parts))["replies"] == 0
    assert (await written(parts))["replies"] == 1


async def test_the_api_s_submit_writes_join_the_batch(parts: dict, monkeypatch) -> None:
    """Image, job state and ``queued`` step: one round trip for the API's submit path."""
    from domains.image import RedisImageStore

    images = RedisImageStore(parts["client"], prefix=f"{parts['bus'].prefix}")
    publisher = parts["publisher"]
    round_trips = count_round_trips(monkeypatch, parts["client"], publisher.redis)
    async with write_batch(publisher.redis):
        ref = await images.put(b"photo")
        await publisher.register_job("job-2")
        await publisher.emit("job-2", "queued", "started", 0)
    assert len(round_trips) == 1
    assert await images.get(ref) == b"photo"
    assert await publisher.redis.hget(publisher.keys.state("job-2"), "stage") == "queued"
    assert await parts["client"].xlen(publisher.keys.stream(0)) == 1


async def test_a_bus_joins_batches_on_its_own_redis_server_only(parts: dict) -> None:
    from eventing.bus.memory import MemoryBus

    other_db = aioredis.from_url("redis://127.0.0.1:6379/1")
    try:
        assert parts["bus"].joins(parts["publisher"].redis)  # another client, same server
        assert not parts["bus"].joins(other_db)
        assert not MemoryBus(1).joins(parts["client"])
    finally:
        await other_db.aclose()
