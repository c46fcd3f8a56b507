"""The router and the publisher on the shared Redis (unique key prefix per test)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from pydantic import ValidationError

from eco2.settings import Settings
from eventing.gateway.frame import from_message
from eventing.progress import LOST_EPOCH, ProgressKeys, ProgressPublisher
from eventing.router import Router, RouterSettings
from tests.eventing.gateway.support import STAGES, emit_stages, running_router, until


def router_for(redis, settings: Settings, consumer: str, **options) -> Router:
    keys = ProgressKeys(settings.shards, settings.progress.key_prefix)
    return Router(redis, keys, RouterSettings(block_ms=50, **options), consumer=consumer)


async def test_publisher_seqs_are_dense_and_registration_idempotent(
    redis, publisher: ProgressPublisher, prefix: str
) -> None:
    await publisher.register_job("a")
    seqs = await emit_stages(publisher, "a", STAGES)
    await publisher.register_job("a")  # a retried submission must not reset the state
    assert seqs == [1, 2, 3, 4, 5, 6]
    state = await redis.hgetall(f"{prefix}progress:state:a")
    assert state["seq"] == "0" and state["stage"] == "queued"
    assert 0 < await redis.ttl(f"{prefix}progress:state:a") <= 3_600
    shard = publisher.keys.shard("a")
    entries = await redis.xrange(f"{prefix}progress:events:{shard}")
    assert [int(fields["seq"]) for _id, fields in entries] == seqs
    with pytest.raises(ValidationError):
        await publisher.emit("a", "vision", "started", 101)


async def test_stream_is_trimmed_to_maxlen(redis, prefix: str) -> None:
    publisher = ProgressPublisher(redis, ProgressKeys(1, prefix), maxlen=100)
    for _ in range(400):
        await publisher.emit("big", "vision", "token", 30)
    assert await redis.xlen(f"{prefix}progress:events:0") < 400


async def test_router_writes_state_replay_and_shard_channel(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    router = router_for(redis, settings_bus, "r1")
    await router.setup()
    await publisher.register_job("b")
    pubsub = redis.pubsub()
    await pubsub.subscribe(publisher.keys.shard_channel(publisher.keys.shard("b")))
    await emit_stages(publisher, "b", STAGES[:3])
    assert await router.step() == 3
    state = await redis.hgetall(f"{prefix}progress:state:b")
    assert (state["seq"], state["stage"], state["progress"]) == ("3", "rule", "50")
    replay = await redis.zrange(f"{prefix}progress:replay:b", 0, -1, withscores=True)
    assert [score for _member, score in replay] == [1, 2, 3]
    messages = []
    async with asyncio.timeout(3):
        while not messages:
            message = await pubsub.get_message(timeout=1)
            if message and message["type"] == "message":
                messages.append(from_message(message["data"]))
    await pubsub.aclose()
    # One message for the batch's events of this channel, in seq order, each event's JSON
    # exactly as logged for replay (the gateway forwards it untouched).
    assert [[frame.seq for frame in batch] for batch in messages] == [[1, 2, 3]]
    assert [frame.data for frame in messages[0]] == [member for member, _score in replay]
    assert [(f.stage, f.status, f.job_id) for f in messages[0]] == [
        (stage, "started", "b") for stage in STAGES[:3]
    ]
    pending = await redis.xpending(publisher.keys.stream(publisher.keys.shard("b")), "router")
    assert pending["pending"] == 0  # acked after publishing


async def test_redelivered_entry_is_not_published_twice_and_state_never_goes_back(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    router = router_for(redis, settings_bus, "r1")
    await router.setup()
    await emit_stages(publisher, "c", ["queued", "vision", "rule"])
    stream = publisher.keys.stream(publisher.keys.shard("c"))
    entries = [(stream, eid, fields) for eid, fields in await redis.xrange(stream)]
    # Out of order first (as two routers may do), then everything again (a claim).
    assert await router.route([entries[2]]) == [True]
    assert await router.route([entries[1], entries[0]]) == [True, True]
    assert await router.route(entries) == [False, False, False]
    state = await redis.hgetall(f"{prefix}progress:state:c")
    assert state["seq"] == "3" and state["stage"] == "rule"
    assert await redis.zcard(f"{prefix}progress:replay:c") == 3


async def test_malformed_entry_is_acked_not_blocking(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    router = router_for(redis, settings_bus, "r1")
    await router.setup()
    stream = publisher.keys.stream(publisher.keys.shard("d"))
    await redis.xadd(stream, {"job_id": "d", "seq": "x"})
    await emit_stages(publisher, "d", ["queued"])
    assert await router.step() == 2
    assert (await redis.xpending(stream, "router"))["pending"] == 0


async def test_entries_of_a_dead_consumer_are_claimed(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    dead = router_for(redis, settings_bus, "dead")
    await dead.setup()
    await emit_stages(publisher, "e", STAGES)
    stream = publisher.keys.stream(publisher.keys.shard("e"))
    # "dead" reads the batch and never routes it.
    await redis.xreadgroup("router", "dead", {stream: ">"}, count=100)
    alive = router_for(redis, settings_bus, "alive", claim_idle_ms=50, claim_interval_s=0)
    await asyncio.sleep(0.1)
    assert await alive.claim() == 6
    assert await redis.zcard(f"{prefix}progress:replay:e") == 6
    assert (await redis.xpending(stream, "router"))["pending"] == 0


async def test_router_routes_after_redis_lost_its_scripts(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    # Regression guard for loading the script once: a Redis restart (here SCRIPT FLUSH) empties
    # the script cache, and the batch in hand must still be routed, not acked unrouted.
    router = router_for(redis, settings_bus, "r-flush")
    await router.setup()
    await publisher.register_job("f")
    await emit_stages(publisher, "f", STAGES[:1])
    assert await router.step() == 1
    await redis.script_flush()
    await emit_stages(publisher, "f", STAGES[1:3])
    assert await router.step() == 2
    replay = await redis.zrange(f"{prefix}progress:replay:f", 0, -1, withscores=True)
    assert [score for _member, score in replay] == [1, 2, 3]
    stream = f"{prefix}progress:events:{publisher.keys.shard('f')}"
    assert await redis.xpending(stream, "router") == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }


async def _routed(redis, prefix: str, jobs: list[str], total: int) -> None:
    """Poll until the routed seqs of ``jobs`` add up to ``total`` (the caller bounds it)."""
    while True:
        seqs = [int(await redis.hget(f"{prefix}progress:state:{job}", "seq") or 0) for job in jobs]
        if sum(seqs) >= total:
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("linger_ms", [0, 40])
async def test_a_partial_batch_lingers_so_a_trickle_is_read_in_fewer_round_trips(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str, linger_ms: int
) -> None:
    router = router_for(redis, settings_bus, "r-linger", linger_ms=linger_ms)
    await router.setup()
    reads = 0
    read = router.redis.xreadgroup

    async def counted(*args, **kwargs):
        nonlocal reads
        reads += 1
        return await read(*args, **kwargs)

    router.redis.xreadgroup = counted  # type: ignore[method-assign]
    running = asyncio.create_task(router.run())
    try:
        for n in range(60):  # a trickle: one event every 5 ms for 0.3 s
            await publisher.emit(f"t{n % 3}", "vision", "token", 30)
            await asyncio.sleep(0.005)
        async with asyncio.timeout(5):
            await _routed(redis, prefix, [f"t{j}" for j in range(3)], total=60)
    finally:
        router.stop()
        await running
    if linger_ms:
        assert reads <= 15  # ~0.3 s / 40 ms, with slack for a slow machine
    else:
        assert reads > 15  # without it, close to one read per event


async def test_a_batch_is_one_message_per_channel_and_a_repeat_publishes_nothing(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    # Two jobs of different shards, routed in one batch: each shard channel gets one JSON
    # array of its own job's events, in order; routing the batch again publishes nothing.
    keys = publisher.keys
    first, second = (
        "g1",
        next(j for j in (f"g{n}" for n in range(2, 99)) if keys.shard(j) != keys.shard("g1")),
    )
    router = router_for(redis, settings_bus, "r-batch")
    await router.setup()
    pubsub = redis.pubsub()
    await pubsub.subscribe(
        keys.shard_channel(keys.shard(first)), keys.shard_channel(keys.shard(second))
    )
    await emit_stages(publisher, first, STAGES[:3])
    await emit_stages(publisher, second, STAGES[:2])
    entries = [
        (stream, entry_id, fields)
        for stream in keys.streams()
        for entry_id, fields in await redis.xrange(stream)
    ]
    assert await router.route(entries) == [True] * 5
    assert await router.route(entries) == [False] * 5
    received: dict[str, list[tuple[str, int]]] = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(0.5):  # long enough for a repeat's message to arrive too
            while True:
                message = await pubsub.get_message(timeout=0.5)
                if message and message["type"] == "message":
                    batch = from_message(message["data"])
                    received.setdefault(message["channel"], []).append(
                        [(frame.job_id, frame.seq) for frame in batch]
                    )
    await pubsub.aclose()
    assert received == {
        keys.shard_channel(keys.shard(first)): [[(first, 1), (first, 2), (first, 3)]],
        keys.shard_channel(keys.shard(second)): [[(second, 1), (second, 2)]],
    }


async def test_a_router_recreates_a_group_redis_lost_and_routes_on(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    # As after Redis restarted empty: the shard streams and the router's group vanish while it
    # runs. It must make the group again and route what comes next, not retry NOGROUP forever.
    async with running_router(redis, settings_bus, "r-lost"):
        await emit_stages(publisher, "g1", STAGES[:2])
        await until(lambda: routed(redis, f"{prefix}progress:replay:g1", 2))
        await redis.delete(*publisher.keys.streams())
        await asyncio.sleep(0.3)  # the router reads into the missing group
        await emit_stages(publisher, "g2", STAGES[:2])
        await until(lambda: routed(redis, f"{prefix}progress:replay:g2", 2))


async def routed(redis, replay_key: str, count: int) -> bool:
    return await redis.zcard(replay_key) >= count


async def test_a_lost_log_restarts_its_seqs_in_a_new_epoch_and_a_present_one_does_not(
    redis, publisher: ProgressPublisher
) -> None:
    await publisher.register_job("kept")
    await emit_stages(publisher, "kept", STAGES[:2])
    assert await publisher.restart_lost_log("kept") is False
    assert await publisher.emit("kept", "rule", "started", 25) == 3
    # "lost": seqs were handed out, then Redis lost the job's state (restarted empty).
    assert await publisher.restart_lost_log("lost") is True
    assert await publisher.emit("lost", "failed", "failed", 25) == LOST_EPOCH + 1
    assert await publisher.restart_lost_log("lost") is True  # no state yet: idempotent
    assert await publisher.emit("lost", "failed", "failed", 25) == LOST_EPOCH + 2
