"""Hand a scan to the pipeline: the first ``kr.eco2.scan.requested`` event, on either transport.

The API and ``eco2 serve`` share this module so there is one place that knows where the vision
stage listens: the Redis Streams topic ``eco2:fn:vision`` (``RedisBus``, shard = the job id) or
the RabbitMQ topic exchange ``eco2.events`` with the event type as routing key (the AMQP trigger
binds each stage's queue to the type it consumes). ``ECO2_PIPELINE__TRANSPORT`` chooses.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from cloudevents.http import CloudEvent
from opentelemetry.trace import SpanKind

from domains.scan.events import REQUESTED, ScanRequested, ScanState
from domains.scan.pipeline import PIPELINE
from eco2.settings import Settings
from eventing import tracing
from eventing.bus.base import EventBus
from eventing.bus.redis import RedisBus
from eventing.events import make_event
from eventing.runtime.amqp_trigger import publish_amqp

FIRST_STAGE = PIPELINE[0]
FIRST_TOPIC = FIRST_STAGE.topic  # eco2:fn:vision


def requested_event(request: ScanRequested) -> CloudEvent:
    """A new requested event (fresh id, subject = job id): the first, or a resume after input."""
    return make_event(REQUESTED, ScanState(request=request), subject=request.job_id)


class ScanPublisher(abc.ABC):
    """Port: put a requested event where the vision stage consumes it."""

    async def submit(self, request: ScanRequested) -> CloudEvent:
        """Publish a requested event for ``request``; returns the event sent.

        The publish is the root span of the scan's trace (or a child of the request's, when
        the API traces requests); the event carries it to every stage (eventing.tracing).
        """
        with tracing.tracer().start_as_current_span(
            "scan submit", kind=SpanKind.PRODUCER, attributes={"eco2.job_id": request.job_id}
        ):
            event = tracing.inject(requested_event(request))
            await self.publish(event)
        return event

    @abc.abstractmethod
    async def publish(self, event: CloudEvent) -> None:
        """Send ``event`` to the first stage's transport."""

    async def ready(self) -> bool:
        """Whether the transport is reachable right now (``/readyz``; Redis is pinged there)."""
        return True

    @abc.abstractmethod
    async def waiting(self) -> int:
        """How many requested scans wait for a vision worker to take them (``Admission``)."""

    def joins(self, client: Any) -> bool:
        """Whether ``publish`` joins a ``write_batch`` on ``client`` (a Redis bus on its server)."""
        return False


class BusScanPublisher(ScanPublisher):
    """Publish to the vision topic of an ``EventBus`` (Redis Streams, or in-memory for tests)."""

    def __init__(
        self, bus: EventBus, topic: str = FIRST_TOPIC, group: str = FIRST_STAGE.name
    ) -> None:
        self.bus = bus
        self.topic = topic
        self.group = group  # the vision workers' consumer group (eco2 serve, keda/)

    async def publish(self, event: CloudEvent) -> None:
        await self.bus.publish(self.topic, event, key=event["subject"])

    async def waiting(self) -> int:
        return await self.bus.waiting(self.topic, self.group)

    def joins(self, client: Any) -> bool:
        return self.bus.joins(client)


class AmqpScanPublisher(ScanPublisher):
    """Publish to a RabbitMQ topic exchange, routing key = the event type."""

    def __init__(self, connection: AbstractRobustConnection, exchange: AbstractExchange) -> None:
        self.connection = connection
        self.exchange = exchange
        self.queue = FIRST_STAGE.queue(exchange.name)

    async def publish(self, event: CloudEvent) -> None:
        await publish_amqp(self.exchange, event)

    async def waiting(self) -> int:
        # A channel of its own: a passive declare of a missing queue closes its channel, and
        # the publishing one must not go with it. Ready messages only: unacked ones are taken.
        async with self.connection.channel() as channel:
            try:
                queue = await channel.declare_queue(self.queue, passive=True)
            except aio_pika.exceptions.ChannelNotFoundEntity:
                return 0  # not declared yet: nothing was routed to it
            return int(queue.declaration_result.message_count or 0)

    async def ready(self) -> bool:
        return not self.connection.is_closed


@contextlib.asynccontextmanager
async def open_publisher(settings: Settings) -> AsyncIterator[ScanPublisher]:
    """The publisher ``settings.pipeline`` asks for, connected, closed on exit."""
    options = settings.pipeline
    if options.transport == "amqp":
        async with asyncio.timeout(10):
            connection = await aio_pika.connect_robust(settings.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(
                options.exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            yield AmqpScanPublisher(connection, exchange)
        finally:
            await connection.close()
        return
    bus = RedisBus(settings.redis_url, settings.shards, prefix=options.topic_prefix)
    try:
        yield BusScanPublisher(bus)
    finally:
        await bus.close()
