"""The Redis Streams trigger end to end on the real Redis: ack, retry, dead letter, dedupe,
a worker SIGKILLed mid-event, and a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import AsyncIterator

import pytest
from cloudevents.http import CloudEvent
from redis import asyncio as aioredis

from eventing.bus.base import Delivery
from eventing.bus.redis import RedisBus
from eventing.events import make_event
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.runtime.dedupe import RedisDedupe
from eventing.runtime.loader import Function, load_function
from eventing.runtime.redis_trigger import RedisTrigger
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import Processor, serve
from tests.eventing.round_trips import count_round_trips
from tests.eventing.runtime.echo import Echo
from tests.eventing.runtime.helpers import ECHO, free_port, worker

REDIS_URL = "redis://127.0.0.1:6379/0"
SHARDS = 4  # the subprocess workers use the default settings' shard count
RUNTIME = RuntimeSettings(
    claim_idle_ms=300,
    handler_timeout_s=0.25,
    block_ms=100,
    max_attempts=3,
    backoff_initial_s=0.02,
    shutdown_grace_s=5,
)


@pytest.fixture
async def env(unique: str) -> AsyncIterator[dict]:
    bus = RedisBus(REDIS_URL, SHARDS)
    client = aioredis.from_url(REDIS_URL)
    names = {"topic": f"{unique}.echo", "group": f"{unique}-g", "replies": f"{unique}.replied"}
    await bus.ensure_group(names["replies"], "observer")
    yield {"bus": bus, "client": client, **names}
    keys = [k async for k in client.scan_iter(f"{unique}*")]
    keys += [k async for k in client.scan_iter(f"eco2:processed:{unique}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await bus.close()


@contextlib.asynccontextmanager
async def running(
    env: dict, runtime: RuntimeSettings = RUNTIME, fn: Function | None = None
) -> AsyncIterator[RedisTrigger]:
    fn = fn or load_function(ECHO)
    dedupe = RedisDedupe(env["client"], env["group"], 60)
    trigger = RedisTrigger(
        env["bus"],
        fn,
        runtime,
        topic=env["topic"],
        group=env["group"],
        consumer="c1",
        dedupe=dedupe,
        reply_topic=env["replies"],
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(trigger, fn, grace_s=runtime.shutdown_grace_s, stop_signal=stop, handle_signals=False)
    )
    try:
        yield trigger
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def replies(env: dict, n: int, within: float = 10.0) -> list[Delivery]:
    got: list[Delivery] = []
    async with asyncio.timeout(within):
        while len(got) < n:
            got += await env["bus"].consume(env["replies"], "observer", "o", block_ms=200)
    return got


async def dead_letters(env: dict) -> list:
    for _ in range(100):
        if letters := await env["bus"].dead_letters(env["topic"]):
            return letters
        await asyncio.sleep(0.1)
    raise AssertionError("nothing was dead-lettered within 10 s")


def echo(**fields) -> CloudEvent:
    return make_event(
        "kr.eco2.test.echo", Echo(text=fields.pop("text", "hi"), **fields), subject="job-1"
    )


async def test_event_is_handled_replied_and_acked(env: dict) -> None:
    async with running(env):
        await env["bus"].publish(env["topic"], echo(text="안녕"))
        (reply,) = await replies(env, 1)
        assert reply.event["type"] == "kr.eco2.test.echo.replied"
        assert reply.event.data["text"] == "안녕" and reply.event["subject"] == "job-1"
        await asyncio.sleep(0.1)
        assert await env["bus"].pending(env["topic"], env["group"]) == 0


async def test_failure_is_redelivered_until_it_succeeds(env: dict, caplog) -> None:
    caplog.set_level(logging.DEBUG, "eventing.runtime")  # the per-event lines
    event = echo(fail_times=2)
    async with running(env):
        await env["bus"].publish(env["topic"], event)
        (reply,) = await replies(env, 1)
    assert reply.event.data["text"] == "hi"
    attempts = [
        r.getMessage() for r in caplog.records if f"handling id={event['id']}" in r.getMessage()
    ]
    assert [m.rsplit("attempt=", 1)[1] for m in attempts] == ["1", "2", "3"]
    assert await env["bus"].dead_letters(env["topic"]) == []


async def test_poison_reaches_dead_letters_with_reason(env: dict) -> None:
    event = echo(text="독", poison=True)
    async with running(env):
        await env["bus"].publish(env["topic"], event)
        letters = await dead_letters(env)
    (letter,) = letters
    assert (
        letter.reason
        == "EchoFailure: poison message '독' cannot be echoed (failed 3 of 3 attempts)"
    )
    assert letter.attempts == 3 and letter.event["id"] == event["id"]
    assert await env["bus"].pending(env["topic"], env["group"]) == 0


async def test_undecodable_entry_is_dead_lettered(env: dict) -> None:
    await env["client"].xadd(f"{env['topic']}:0", {"junk": "1"})
    async with running(env):
        letters = await dead_letters(env)
    assert letters[0].reason.startswith("undecodable entry: stream entry has no 'ce' field")


async def test_duplicate_event_id_is_skipped(env: dict) -> None:
    event = echo(text="once")
    async with running(env):
        await env["bus"].publish(env["topic"], event)
        await replies(env, 1)
        await env["bus"].publish(env["topic"], event)  # redelivered copy, same CloudEvent id
        await asyncio.sleep(0.5)
        assert await env["bus"].consume(env["replies"], "observer", "o", block_ms=300) == []
        assert await env["bus"].pending(env["topic"], env["group"]) == 0
    assert await env["client"].exists(f"eco2:processed:{env['group']}:{event['id']}")


async def test_sigkilled_worker_mid_event_is_completed_by_another(env: dict) -> None:
    event = echo(text="살아남기", sleep_s=2.0)
    first = worker("redis", env["topic"], env["group"], "--reply-topic", env["replies"])
    second = None
    try:
        await env["bus"].publish(env["topic"], event)
        await asyncio.to_thread(first.wait_for, f"handling id={event['id']}")
        first.kill()  # SIGKILL: no chance to ack or hand back
        assert await env["bus"].pending(env["topic"], env["group"]) == 1
        second = worker("redis", env["topic"], env["group"], "--reply-topic", env["replies"])
        (reply,) = await replies(env, 1, within=20)
        assert reply.event.data["handled_by"].endswith(f":{second.pid}")
        await asyncio.to_thread(second.wait_for, f"done id={event['id']}")
        assert "attempt=2" in second.output()
        assert await env["bus"].pending(env["topic"], env["group"]) == 0
    finally:
        first.kill()
        if second is not None:
            second.kill()


async def test_sigterm_finishes_the_in_flight_event(env: dict) -> None:
    event = echo(text="마무리", sleep_s=1.5)
    proc = worker("redis", env["topic"], env["group"], "--reply-topic", env["replies"])
    try:
        await env["bus"].publish(env["topic"], event)
        await asyncio.to_thread(proc.wait_for, f"handling id={event['id']}")
        assert await asyncio.to_thread(proc.terminate) == 0
        (reply,) = await replies(env, 1)
        assert reply.event.data["handled_by"].endswith(f":{proc.pid}")
        assert await env["bus"].pending(env["topic"], env["group"]) == 0
        assert "stopping echo.py:new" in proc.output()
    finally:
        proc.kill()


async def test_retry_waits_the_backoff_not_the_reclaim_interval(env: dict, caplog) -> None:
    # Reclaim would take a minute here; the retries must come from the backoff (0.2 s, 0.4 s).
    slow_reclaim = RUNTIME.model_copy(
        update={"claim_idle_ms": 60_000, "handler_timeout_s": 5, "backoff_initial_s": 0.2}
    )
    caplog.set_level(logging.DEBUG, "eventing.runtime")  # the per-event lines
    event = echo(fail_times=2)
    started = time.monotonic()
    async with running(env, slow_reclaim):
        await env["bus"].publish(env["topic"], event)
        (reply,) = await replies(env, 1, within=10)
    elapsed = time.monotonic() - started
    assert reply.event.data["text"] == "hi"
    assert 0.3 <= elapsed < 5, elapsed  # at least half of each backoff step, far below a reclaim
    attempts = [
        r.getMessage() for r in caplog.records if f"handling id={event['id']}" in r.getMessage()
    ]
    assert [m.rsplit("attempt=", 1)[1] for m in attempts] == ["1", "2", "3"]


# --- concurrency: how many events a worker runs at once, and no batch barrier -------------

WAITING = RuntimeSettings(claim_idle_ms=20_000, handler_timeout_s=10, block_ms=100, batch_size=16)


def handler_fn(handle) -> Function:
    return Function(handle=handle, source="tests/eventing/runtime/test_redis_trigger.py")


class Countdown:
    """Set once ``n`` handler calls have finished (handlers run in threads)."""

    def __init__(self, n: int) -> None:
        self.left, self.lock, self.zero = n, threading.Lock(), threading.Event()

    def tick(self) -> None:
        with self.lock:
            self.left -= 1
            if self.left == 0:
                self.zero.set()

    async def wait(self, within: float = 10.0) -> None:
        assert await asyncio.to_thread(self.zero.wait, within), f"{self.left} calls unfinished"


async def test_more_events_run_at_once_than_the_default_executor_has_threads(env: dict) -> None:
    # LLM-bound stages wait, not compute: 20 calls must be able to wait together (the default
    # executor's cores + 4 threads capped them at 6, and a batch of 16 was the most read).
    together = threading.Barrier(20, timeout=8)

    def handle(event: CloudEvent) -> None:
        together.wait()  # breaks (and the test fails) unless all 20 are in here at once

    passed = Countdown(20)
    fn = handler_fn(lambda event: (handle(event), passed.tick())[0])
    async with running(env, WAITING.model_copy(update={"concurrency": 20}), fn):
        for n in range(20):
            await env["bus"].publish(env["topic"], echo(text=str(n)))
        await passed.wait()
        assert not together.broken


async def test_concurrency_caps_the_events_in_flight(env: dict) -> None:
    lock, active, peak, done = threading.Lock(), [0], [0], Countdown(9)

    def handle(event: CloudEvent) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1
        done.tick()

    async with running(env, WAITING.model_copy(update={"concurrency": 3}), handler_fn(handle)):
        for n in range(9):
            await env["bus"].publish(env["topic"], echo(text=str(n)))
        await done.wait()
    assert peak[0] == 3


async def test_a_slow_event_does_not_hold_back_the_events_after_it(env: dict) -> None:
    # Regression: the trigger read a batch and awaited all of it before reading again, so an
    # event arriving meanwhile waited for the slowest handler of the batch (head-of-line block).
    slow_started, release, fast_done = threading.Event(), threading.Event(), threading.Event()

    def handle(event: CloudEvent) -> None:
        if event.data["text"] == "slow":
            slow_started.set()
            release.wait(8)
        else:
            fast_done.set()

    async with running(env, WAITING, handler_fn(handle)):
        await env["bus"].publish(env["topic"], echo(text="slow"))
        assert await asyncio.to_thread(slow_started.wait, 5)
        await env["bus"].publish(env["topic"], echo(text="fast"))
        try:
            assert await asyncio.to_thread(fast_done.wait, 5), "fast event waited for the slow one"
        finally:
            release.set()


async def test_a_success_is_settled_in_one_round_trip(env: dict, monkeypatch) -> None:
    """Progress step, reply, dedupe mark and ack used to be four round trips per event."""
    client = aioredis.from_url(REDIS_URL, decode_responses=True)
    publisher = ProgressPublisher(client, ProgressKeys(shards=1, prefix=f"{env['topic']}:"))
    round_trips = count_round_trips(monkeypatch, env["client"], env["bus"]._redis, client)
    settling: list[int] = []

    class Progress:
        async def started(self, event, attempt) -> None:
            await publisher.emit(event["subject"], "vision", "started", 0)

        async def succeeded(self, event, reply) -> None:
            settling.append(len(round_trips))
            await publisher.emit(event["subject"], "vision", "completed", 25)

    processor = Processor(
        load_function(ECHO),
        RUNTIME,
        dedupe=RedisDedupe(env["client"], env["group"], 60),
        publish_reply=lambda reply: env["bus"].publish(env["replies"], reply),
        observer=Progress(),
        settlement=env["bus"].settlement,
    )
    await env["bus"].ensure_group(env["topic"], env["group"])
    await env["bus"].publish(env["topic"], echo())
    (delivery,) = await env["bus"].consume(env["topic"], env["group"], "c1", block_ms=100)
    ack = functools.partial(env["bus"].ack, env["group"], delivery)
    try:
        outcome = await processor.process(delivery.event, delivery.attempt, ack=ack)
    finally:
        await client.aclose()
    assert outcome.status == "done"
    assert len(round_trips) - settling[0] == 1
    assert len(await replies(env, 1)) == 1
    assert await env["bus"].pending(env["topic"], env["group"]) == 0
    assert await env["client"].xlen(publisher.keys.stream(0)) == 2


async def test_processed_ids_live_under_the_deployment_s_prefix(env: dict) -> None:
    client = env["client"]
    marked = RedisDedupe(client, env["group"], 60, prefix=f"{env['topic']}:")
    await marked.mark("id-1")
    assert await marked.seen("id-1")
    assert await client.exists(f"{env['topic']}:eco2:processed:{env['group']}:id-1")
    assert not await RedisDedupe(client, env["group"], 60).seen("id-1")  # another deployment


async def test_a_group_lost_with_redis_data_is_recreated_and_consuming_goes_on(env: dict) -> None:
    # As after Redis restarted empty (a cache node failing over): the streams and their group are
    # gone while the worker runs. It must make the group again, not retry NOGROUP forever.
    async with running(env):
        await env["bus"].publish(env["topic"], echo(text="before"))
        (first,) = await replies(env, 1)
        streams = [env["bus"].stream(env["topic"], shard) for shard in range(SHARDS)]
        await env["client"].delete(*streams)
        await asyncio.sleep(0.3)  # the worker polls into the missing group
        await env["bus"].publish(env["topic"], echo(text="after"))
        (second,) = await replies(env, 1)
    assert (first.event.data["text"], second.event.data["text"]) == ("before", "after")


async def test_a_worker_started_while_redis_is_down_waits_and_stops_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on this port: the worker waits for Redis, saying so, instead of exiting.
    bus = RedisBus(f"redis://127.0.0.1:{free_port()}/0", SHARDS)
    fn = load_function(ECHO)
    trigger = RedisTrigger(bus, fn, RUNTIME, topic="t", group="g", consumer="c")
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(trigger, fn, grace_s=1, stop_signal=stop, handle_signals=False)
    )
    with caplog.at_level("WARNING", logger="eventing.runtime"):
        await asyncio.sleep(0.6)
        assert not task.done()  # still waiting, not exited
        stop.set()
        await asyncio.wait_for(task, 5)  # and a stop ends the wait
    assert any("waiting for Redis" in r.getMessage() for r in caplog.records)
    await bus.close()
