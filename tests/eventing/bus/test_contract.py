"""One contract for every event-bus adapter: the Redis Streams one and the in-process one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis import asyncio as aioredis

from eventing.bus import EventBus, MemoryBus, RedisBus
from eventing.events import make_event
from tests.eventing.runtime.echo import Echo

REDIS_URL = "redis://127.0.0.1:6379/0"
SHARDS = 4


@pytest.fixture(params=["redis", "memory"])
async def bus(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[EventBus]:
    if request.param == "memory":
        yield MemoryBus(SHARDS)
        return
    adapter = RedisBus(REDIS_URL, SHARDS, prefix=f"{unique}:")
    yield adapter
    client = aioredis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{unique}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await adapter.close()


def echo(text: str, job: str = "job-1"):
    return make_event("kr.eco2.test.echo", Echo(text=text), subject=job)


async def test_publish_then_consume_delivers_each_event_once(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    sent = [await bus.publish("t", echo(f"m{i}", job=f"job-{i}")) for i in range(10)]
    got = await bus.consume("t", "g", "c1", count=100, block_ms=200)
    assert sorted(d.entry_id for d in got) == sorted(sent)
    assert all(d.attempt == 1 and d.event is not None for d in got)
    assert await bus.consume("t", "g", "c2", count=100, block_ms=50) == []


async def test_two_groups_each_see_every_event(bus: EventBus) -> None:
    await bus.ensure_group("t", "a")
    await bus.ensure_group("t", "b")
    await bus.publish("t", echo("x"))
    assert len(await bus.consume("t", "a", "c", block_ms=200)) == 1
    assert len(await bus.consume("t", "b", "c", block_ms=200)) == 1


async def test_order_holds_within_a_shard(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    for i in range(20):
        await bus.publish("t", echo(str(i), job="same-job"))
    got = await bus.consume("t", "g", "c", count=100, block_ms=200)
    assert [d.event.data["text"] for d in got] == [str(i) for i in range(20)]
    assert len({d.shard for d in got}) == 1


async def test_events_spread_over_shards_by_subject(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    for i in range(64):
        await bus.publish("t", echo("x", job=f"job-{i}"))
    got = await bus.consume("t", "g", "c", count=100, block_ms=200)
    assert {d.shard for d in got} == set(range(SHARDS))
    assert all(d.shard == bus.shard_for(d.event) for d in got)


async def test_consume_blocks_until_an_event_arrives(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    waiter = asyncio.create_task(bus.consume("t", "g", "c", block_ms=3_000))
    await asyncio.sleep(0.1)
    assert not waiter.done()
    await bus.publish("t", echo("late"))
    got = await asyncio.wait_for(waiter, 3)
    assert [d.event.data["text"] for d in got] == ["late"]


async def test_unacked_event_is_redelivered_with_attempt_count(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    await bus.publish("t", echo("once"))
    first = await bus.consume("t", "g", "dead-consumer", block_ms=200)
    assert await bus.pending("t", "g") == 1
    assert await bus.reclaim("t", "g", "c2", min_idle_ms=60_000) == []  # not idle long enough
    await asyncio.sleep(0.06)
    again = await bus.reclaim("t", "g", "c2", min_idle_ms=50)
    assert [d.entry_id for d in again] == [first[0].entry_id]
    assert again[0].attempt == 2
    await bus.ack("g", again[0])
    assert await bus.pending("t", "g") == 0
    await asyncio.sleep(0.06)
    assert await bus.reclaim("t", "g", "c3", min_idle_ms=50) == []


async def test_acked_event_is_not_redelivered(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    await bus.publish("t", echo("done"))
    (delivery,) = await bus.consume("t", "g", "c", block_ms=200)
    await bus.ack("g", delivery)
    await asyncio.sleep(0.06)
    assert await bus.reclaim("t", "g", "c2", min_idle_ms=50) == []
    assert await bus.pending("t", "g") == 0


async def test_dead_letter_keeps_reason_and_acks(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    event = echo("poison")
    await bus.publish("t", event)
    (delivery,) = await bus.consume("t", "g", "c", block_ms=200)
    await bus.dead_letter("g", delivery, "ValueError: cannot digest")
    (letter,) = await bus.dead_letters("t")
    assert letter.reason == "ValueError: cannot digest"
    assert letter.entry_id == delivery.entry_id
    assert letter.event is not None and letter.event["id"] == event["id"]
    assert await bus.pending("t", "g") == 0


async def test_consume_without_group_is_a_clear_error(bus: EventBus) -> None:
    from eventing.exceptions import BusError

    await bus.ensure_group("other", "g")
    with pytest.raises(BusError, match="ensure_group"):
        await bus.consume("other", "missing", "c", block_ms=10)


async def test_ensure_group_is_idempotent(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    await bus.publish("t", echo("x"))
    await bus.ensure_group("t", "g")
    assert len(await bus.consume("t", "g", "c", block_ms=200)) == 1


async def test_claim_redelivers_a_pending_entry_now_with_its_count(bus: EventBus) -> None:
    await bus.ensure_group("t", "g")
    await bus.publish("t", echo("retry me"))
    (first,) = await bus.consume("t", "g", "c1", block_ms=200)
    again = await bus.claim("g", "c1", first)
    assert again is not None and again.entry_id == first.entry_id and again.attempt == 2
    assert again.event is not None and again.event.data["text"] == "retry me"
    await bus.ack("g", again)
    assert await bus.claim("g", "c1", again) is None


async def test_waiting_counts_what_no_consumer_of_the_group_was_handed(bus: EventBus) -> None:
    assert await bus.waiting("t", "g") == 0  # no stream, no group: nothing waits
    for i in range(6):
        await bus.publish("t", echo(f"m{i}", job=f"job-{i}"))
    assert await bus.waiting("t", "g") == 6  # no group yet: all of it
    await bus.ensure_group("t", "g")
    assert await bus.waiting("t", "g") == 6
    got = await bus.consume("t", "g", "c", count=4, block_ms=200)
    assert await bus.waiting("t", "g") == 6 - len(got)
    for delivery in got:
        await bus.ack("g", delivery)  # acking does not change what still waits
    assert await bus.waiting("t", "g") == 6 - len(got)
    await bus.ensure_group("t", "other")
    assert await bus.waiting("t", "other") == 6
