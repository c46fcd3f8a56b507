"""The RabbitMQ trigger end to end on the real broker: ack, retry through the delay queue,
poison to the DLQ with its reason, dedupe, a worker SIGKILLed mid-event, a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage
from cloudevents.http import CloudEvent
from redis import asyncio as aioredis

from eventing.bindings.amqp import AmqpMessage, from_amqp
from eventing.events import make_event
from eventing.runtime.amqp_trigger import AmqpTrigger, declare_topology, publish_amqp
from eventing.runtime.dedupe import RedisDedupe
from eventing.runtime.loader import load_function
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import serve
from tests.eventing.runtime.echo import Echo
from tests.eventing.runtime.helpers import ECHO, worker

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"
ECHO_TYPE = "kr.eco2.test.echo"
RUNTIME = RuntimeSettings(
    max_attempts=3, backoff_initial_s=0.05, backoff_max_s=0.2, prefetch=4, shutdown_grace_s=5
)


@pytest.fixture
async def env(unique: str) -> AsyncIterator[dict]:
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    queue, exchange_name = f"{unique}.q", f"{unique}.x"
    exchange, _ = await declare_topology(channel, exchange_name, queue, [ECHO_TYPE])
    observer = await channel.declare_queue(f"{unique}.obs", durable=False)
    await observer.bind(exchange, routing_key=f"{ECHO_TYPE}.replied")
    client = aioredis.from_url(REDIS_URL)
    yield {
        "channel": channel,
        "exchange": exchange,
        "exchange_name": exchange_name,
        "queue": queue,
        "observer": observer,
        "client": client,
    }
    for name in (queue, f"{queue}.retry", f"{queue}.dlq", f"{unique}.obs"):
        await channel.queue_delete(name)
    await channel.exchange_delete(exchange_name)
    await connection.close()
    keys = [k async for k in client.scan_iter(f"eco2:processed:{unique}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@contextlib.asynccontextmanager
async def running(env: dict) -> AsyncIterator[None]:
    fn = load_function(ECHO)
    trigger = AmqpTrigger(
        AMQP_URL,
        fn,
        RUNTIME,
        queue=env["queue"],
        binding_keys=[ECHO_TYPE],
        exchange=env["exchange_name"],
        dedupe=RedisDedupe(env["client"], env["queue"], 60),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(trigger, fn, grace_s=RUNTIME.shutdown_grace_s, stop_signal=stop, handle_signals=False)
    )
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def next_message(queue, within: float = 10.0) -> AbstractIncomingMessage:
    for _ in range(int(within / 0.05)):
        message = await queue.get(no_ack=True, fail=False)
        if message is not None:
            return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing arrived on {queue.name} within {within} s")


async def next_reply(env: dict, within: float = 10.0) -> CloudEvent:
    message = await next_message(env["observer"], within)
    return from_amqp(AmqpMessage(message.body, message.headers, message.content_type))


async def queue_depth(env: dict, name: str) -> int:
    declared = await env["channel"].declare_queue(name, passive=True)
    return declared.declaration_result.message_count


def echo(**fields) -> CloudEvent:
    text = fields.pop("text", "hi")
    return make_event(ECHO_TYPE, Echo(text=text, **fields), subject="job-1")


async def test_event_is_handled_replied_and_acked(env: dict) -> None:
    async with running(env):
        await publish_amqp(env["exchange"], echo(text="안녕"))
        reply = await next_reply(env)
        assert reply["type"] == "kr.eco2.test.echo.replied" and reply.data["text"] == "안녕"
    assert await queue_depth(env, env["queue"]) == 0  # acked: nothing came back on close


async def test_failure_goes_through_the_retry_queue_until_it_succeeds(env: dict, caplog) -> None:
    caplog.set_level(logging.DEBUG, "eventing.runtime")  # the per-event lines
    event = echo(fail_times=2)
    async with running(env):
        await publish_amqp(env["exchange"], event)
        reply = await next_reply(env)
    assert reply.data["text"] == "hi"
    lines = [r.getMessage() for r in caplog.records]
    handled = [m.rsplit("attempt=", 1)[1] for m in lines if f"handling id={event['id']}" in m]
    assert handled == ["1", "2", "3"]
    assert sum(f"retry of {event['id']}" in m for m in lines) == 2
    assert await queue_depth(env, f"{env['queue']}.dlq") == 0


async def test_poison_lands_in_the_dlq_with_reason_headers(env: dict) -> None:
    event = echo(text="독", poison=True)
    async with running(env):
        await publish_amqp(env["exchange"], event)
        letter = await next_message(await env["channel"].get_queue(f"{env['queue']}.dlq"))
    assert letter.headers["x-eco2-reason"] == (
        "EchoFailure: poison message '독' cannot be echoed (failed 3 of 3 attempts)"
    )
    assert letter.headers["x-eco2-attempts"] == 3
    assert letter.message_id == event["id"]
    assert (
        from_amqp(AmqpMessage(letter.body, letter.headers, letter.content_type))["id"]
        == event["id"]
    )


async def test_malformed_message_is_dead_lettered_with_what_is_missing(env: dict) -> None:
    async with running(env):
        await env["exchange"].publish(aio_pika.Message(b"{}"), routing_key=ECHO_TYPE)
        letter = await next_message(await env["channel"].get_queue(f"{env['queue']}.dlq"))
    assert letter.headers["x-eco2-reason"].startswith(
        "undecodable message: AMQP CloudEvent is missing headers: cloudEvents:id"
    )


async def test_duplicate_event_id_is_skipped(env: dict) -> None:
    event = echo(text="once")
    async with running(env):
        await publish_amqp(env["exchange"], event)
        await next_reply(env)
        await publish_amqp(env["exchange"], event)
        await asyncio.sleep(0.6)
        assert await env["observer"].get(no_ack=True, fail=False) is None
    assert await queue_depth(env, env["queue"]) == 0


def amqp_worker(env: dict):
    return worker("amqp", ECHO_TYPE, env["queue"], "--exchange", env["exchange_name"])


async def test_sigkilled_worker_mid_event_is_redelivered_to_another(env: dict) -> None:
    event = echo(text="살아남기", sleep_s=2.0)
    first, second = amqp_worker(env), None
    try:
        await publish_amqp(env["exchange"], event)
        await asyncio.to_thread(first.wait_for, f"handling id={event['id']}")
        first.kill()
        second = amqp_worker(env)
        reply = await next_reply(env, within=20)
        assert reply.data["handled_by"].endswith(f":{second.pid}")
        assert f"done id={event['id']}" in await asyncio.to_thread(
            second.wait_for, f"done id={event['id']}"
        )
    finally:
        first.kill()
        if second is not None:
            second.kill()


async def test_sigterm_finishes_the_in_flight_event(env: dict) -> None:
    event = echo(text="마무리", sleep_s=1.5)
    proc = amqp_worker(env)
    try:
        await publish_amqp(env["exchange"], event)
        await asyncio.to_thread(proc.wait_for, f"handling id={event['id']}")
        assert await asyncio.to_thread(proc.terminate) == 0
        reply = await next_reply(env)
        assert reply.data["handled_by"].endswith(f":{proc.pid}")
        assert await queue_depth(env, env["queue"]) == 0
    finally:
        proc.kill()
