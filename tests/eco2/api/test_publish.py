"""The scan publisher on both transports: Redis Streams topic and RabbitMQ exchange."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aio_pika
import httpx
from fastapi import FastAPI

from domains.scan.events import ScanRequested, ScanState
from domains.scan.pipeline import PIPELINE
from eco2.api.publish import REQUESTED, open_publisher
from eco2.serve import declare_queues
from eco2.settings import Settings
from eventing.bindings.amqp import AmqpMessage, from_amqp
from eventing.bus.redis import RedisBus
from eventing.events import payload_of
from tests.eco2.api.conftest import png
from tests.eventing.gateway.support import until

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def on_amqp(settings: Settings, exchange: str) -> Settings:
    """``settings`` with the pipeline on RabbitMQ through this test's own exchange."""
    pipeline = settings.pipeline.model_copy(update={"transport": "amqp", "exchange": exchange})
    return settings.model_copy(update={"pipeline": pipeline})


async def test_redis_publisher_puts_the_event_on_the_job_shard(api_settings: Settings) -> None:
    request = ScanRequested(job_id="job-shard-7", image_ref="sha256:abc", hint="캔")
    async with open_publisher(api_settings) as publisher:
        event = await publisher.submit(request)
    bus = RedisBus(
        api_settings.redis_url, api_settings.shards, prefix=api_settings.pipeline.topic_prefix
    )
    try:
        await bus.ensure_group("eco2:fn:vision", "check")
        [delivery] = await bus.consume("eco2:fn:vision", "check", "c", block_ms=200)
    finally:
        await bus.close()
    assert delivery.shard == bus.shard_for(event)
    assert delivery.event is not None and delivery.event["id"] == event["id"]
    assert payload_of(delivery.event, ScanState).request == request


async def test_redis_publisher_counts_what_the_vision_group_has_not_taken(
    api_settings: Settings,
) -> None:
    bus = RedisBus(
        api_settings.redis_url, api_settings.shards, prefix=api_settings.pipeline.topic_prefix
    )
    async with open_publisher(api_settings) as publisher:
        for n in range(3):
            await publisher.submit(ScanRequested(job_id=f"job-wait-{n}", image_ref="sha256:a"))
        assert await publisher.waiting() == 3  # no vision group yet: all of them
        try:
            await bus.ensure_group("eco2:fn:vision", "vision")
            taken = await bus.consume("eco2:fn:vision", "vision", "w", count=2, block_ms=200)
            assert await publisher.waiting() == 3 - len(taken)
        finally:
            await bus.close()


async def test_amqp_transport_publishes_to_the_exchange(
    make_app: Callable[[Settings], FastAPI],
    api_settings: Settings,
    unique: str,
    stored: list[bytes],
    auth_headers: dict[str, str],
) -> None:
    exchange_name = f"{unique}.events"
    settings = on_amqp(api_settings, exchange_name)
    connection = await aio_pika.connect_robust(AMQP_URL)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(f"{unique}.vision", durable=False, auto_delete=True)
        await queue.bind(exchange, routing_key=REQUESTED)

        app = make_app(settings)
        data = png()
        stored.append(data)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                response = await client.post(
                    "/api/v1/scans",
                    files={"image": ("p.png", data, "image/png")},
                    data={"hint": "유리병"},
                    headers=auth_headers,
                )
                ready = await client.get("/readyz")
        assert response.status_code == 202, response.text
        assert ready.json()["checks"]["pipeline"] is True

        message = None
        async with asyncio.timeout(5):
            while message is None:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
        event = from_amqp(AmqpMessage(message.body, message.headers, message.content_type))
        assert message.routing_key == REQUESTED
        assert event["subject"] == response.json()["job_id"]
        assert payload_of(event, ScanState).request.hint == "유리병"
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    finally:
        await connection.close()


async def test_amqp_publisher_counts_the_vision_queue_s_ready_messages(
    api_settings: Settings, unique: str
) -> None:
    exchange_name = f"{unique}.events"
    settings = on_amqp(api_settings, exchange_name)
    async with open_publisher(settings) as publisher:
        assert await publisher.waiting() == 0  # no queue declared yet: nothing routed to it
        await declare_queues(settings)
        for n in range(3):
            await publisher.submit(ScanRequested(job_id=f"job-q-{n}", image_ref="sha256:a"))

        async def all_counted() -> bool:  # confirmed as routed, counted a moment later
            return await publisher.waiting() == 3

        await until(all_counted, within=5)
        assert await publisher.ready()  # the probe's channels leave the publishing one open
    connection = await aio_pika.connect_robust(AMQP_URL)
    try:
        channel = await connection.channel()
        for stage in PIPELINE:
            await channel.queue_delete(stage.queue(exchange_name))
        await channel.exchange_delete(exchange_name)
    finally:
        await connection.close()
