"""Lingering script calls on the real Redis: one round trip, each caller its own result."""

from __future__ import annotations

import asyncio

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from eventing.coalesce import Coalescer
from eventing.progress import ProgressKeys, ProgressPublisher, connect
from tests.eventing.round_trips import count_round_trips

REDIS_URL = "redis://127.0.0.1:6379/0"
INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


async def test_calls_within_the_linger_share_one_round_trip(redis, unique, monkeypatch) -> None:
    script = redis.register_script(INCR_BY)
    await redis.script_load(INCR_BY)
    coalescer = Coalescer(redis, linger_s=0.05)
    trips = count_round_trips(monkeypatch, redis)
    results = await asyncio.gather(
        *(coalescer.call(script, [f"{unique}:n{n % 2}"], [n + 1]) for n in range(6))
    )
    assert len(trips) == 1
    assert results == [1, 2, 4, 6, 9, 12]  # each caller its own reply, in call order


async def test_calls_apart_go_apart_and_wait_at_most_the_linger(redis, unique) -> None:
    script = redis.register_script(INCR_BY)
    coalescer = Coalescer(redis, linger_s=0.02)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await coalescer.call(script, [f"{unique}:n"], [1]) == 1
    assert 0.015 <= loop.time() - started < 0.5
    assert await coalescer.call(script, [f"{unique}:n"], [1]) == 2


async def test_a_lost_script_cache_is_reloaded_and_the_calls_run_once(redis, unique) -> None:
    script = redis.register_script(INCR_BY + " -- reloaded")
    await redis.script_load(script.script)
    await redis.script_flush()  # as a Redis restart does
    coalescer = Coalescer(redis, linger_s=0.01)
    first, second = await asyncio.gather(
        coalescer.call(script, [f"{unique}:n"], [1]), coalescer.call(script, [f"{unique}:n"], [2])
    )
    assert (first, second) == (1, 3)
    assert await redis.get(f"{unique}:n") == "3"


async def test_a_failing_call_fails_only_its_caller(redis, unique) -> None:
    script = redis.register_script("return redis.call('INCR', KEYS[1])")
    await redis.set(f"{unique}:text", "not a number")
    coalescer = Coalescer(redis, linger_s=0.01)
    bad, good = await asyncio.gather(
        coalescer.call(script, [f"{unique}:text"], []),
        coalescer.call(script, [f"{unique}:n"], []),
        return_exceptions=True,
    )
    assert isinstance(bad, ResponseError) and good == 1


async def test_an_unreachable_redis_fails_every_caller_promptly() -> None:
    dead = connect("redis://127.0.0.1:1/0")
    try:
        script = dead.register_script(INCR_BY)
        coalescer = Coalescer(dead, linger_s=0.01)
        async with asyncio.timeout(10):
            results = await asyncio.gather(
                *(coalescer.call(script, ["k"], [1]) for _ in range(3)), return_exceptions=True
            )
        assert all(isinstance(result, RedisConnectionError) for result in results)
    finally:
        await dead.aclose()


async def test_a_cancelled_caller_leaves_the_others_their_results(redis, unique) -> None:
    script = redis.register_script(INCR_BY)
    coalescer = Coalescer(redis, linger_s=0.05)
    gone = asyncio.create_task(coalescer.call(script, [f"{unique}:n"], [1]))
    kept = asyncio.create_task(coalescer.call(script, [f"{unique}:n"], [10]))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == 11  # the cancelled call was made all the same (at-least-once)


async def test_close_sends_what_lingers(redis, unique) -> None:
    script = redis.register_script(INCR_BY)
    coalescer = Coalescer(redis, linger_s=60)
    waiting = asyncio.create_task(coalescer.call(script, [f"{unique}:n"], [5]))
    await asyncio.sleep(0.01)
    async with asyncio.timeout(5):
        await coalescer.aclose()
        assert await waiting == 5


async def test_lingering_tokens_of_many_jobs_keep_each_jobs_order(redis, unique, monkeypatch):
    publisher = ProgressPublisher(redis, ProgressKeys(1, f"{unique}:"), linger_s=0.02)
    await publisher.emit("warm", "answer", "token", 50)  # loads the script

    async def answer(job: str) -> list[int]:
        return [
            await publisher.emit(job, "answer", "token", 50, {"text": str(n)}, linger=True)
            for n in range(5)
        ]

    trips = count_round_trips(monkeypatch, redis)
    seqs = await asyncio.gather(*(answer(f"job{j}") for j in range(20)))
    assert seqs == [[1, 2, 3, 4, 5]] * 20
    assert len(trips) == 5  # 100 steps, one round trip per token "wave"
    entries = await redis.xrange(publisher.keys.stream(0))
    texts = [fields["payload"] for _, fields in entries if fields["job_id"] == "job7"]
    assert texts == [f'{{"text": "{n}"}}' for n in range(5)]
