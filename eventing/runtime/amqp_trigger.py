"""A function as a RabbitMQ queue consumer (aio-pika), with retries and a dead-letter queue.

Topology for a function whose queue is ``Q`` on the topic exchange ``X`` (all durable):

- ``X`` (topic): producers publish each CloudEvent with its ``type`` as the routing key.
- ``Q``: bound to ``X`` by the function's binding keys (event types or patterns); manual acks,
  ``prefetch`` unacked deliveries at a time.
- ``Q.retry``: no consumer; a failed message is re-published here with a per-message TTL (the
  backoff delay) and ``x-eco2-attempt`` incremented; when the TTL expires RabbitMQ dead-letters
  it back into ``Q`` (``x-dead-letter-exchange=""``, ``x-dead-letter-routing-key=Q``).
- ``Q.dlq``: poison messages after ``max_attempts``, with headers ``x-eco2-reason`` and
  ``x-eco2-attempts``.

Retry and dead-letter publishes are confirmed (publisher confirms) before the original is acked,
so a crash between the two duplicates a message instead of losing it; dedupe absorbs the
duplicate. Per-message TTLs expire only at the head of ``Q.retry``: a long delay ahead can hold
shorter ones back, which only makes a retry later, never lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, cast

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
)
from cloudevents.http import CloudEvent

from eventing.bindings.amqp import AmqpMessage, from_amqp, to_amqp
from eventing.exceptions import MalformedEventError
from eventing.runtime.dedupe import Dedupe
from eventing.runtime.loader import Function
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import Observer, Processor, drain, log

ATTEMPT_HEADER = "x-eco2-attempt"
REASON_HEADER = "x-eco2-reason"
ATTEMPTS_HEADER = "x-eco2-attempts"
DEFAULT_EXCHANGE = "eco2.events"


async def publish_amqp(
    exchange: AbstractExchange,
    event: CloudEvent,
    *,
    routing_key: str | None = None,
    headers: Mapping[str, Any] | None = None,
    expiration_s: float | None = None,
) -> None:
    """Publish ``event`` in binary mode, persistent; the routing key defaults to its type."""
    message = to_amqp(event)
    await exchange.publish(
        aio_pika.Message(
            message.body,
            headers={**message.headers, **(headers or {})},
            content_type=message.content_type,
            message_id=message.message_id,
            type=message.type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            expiration=expiration_s,
        ),
        routing_key=routing_key or event["type"],
    )


async def declare_topology(
    channel: AbstractChannel, exchange: str, queue: str, binding_keys: list[str]
) -> tuple[AbstractExchange, AbstractQueue]:
    """Declare ``exchange``, ``queue`` (bound by ``binding_keys``), ``queue.retry`` and ``.dlq``."""
    topic = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    main = await channel.declare_queue(queue, durable=True)
    for key in binding_keys:
        await main.bind(topic, routing_key=key)
    await channel.declare_queue(
        f"{queue}.retry",
        durable=True,
        arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue},
    )
    await channel.declare_queue(f"{queue}.dlq", durable=True)
    return topic, main


class AmqpTrigger:
    """Consume ``queue`` (bound to ``exchange`` by ``binding_keys``) and run ``function``."""

    def __init__(
        self,
        amqp_url: str,
        function: Function,
        runtime: RuntimeSettings,
        *,
        queue: str,
        binding_keys: list[str],
        exchange: str = DEFAULT_EXCHANGE,
        reply_exchange: str | None = None,
        dedupe: Dedupe | None = None,
        observer: Observer | None = None,
        dedupe_in_started: bool = False,
    ) -> None:
        self.amqp_url = amqp_url
        self.runtime = runtime
        self.queue_name = queue
        self.binding_keys = binding_keys
        self.exchange_name = exchange
        self.reply_exchange_name = reply_exchange or exchange
        self.processor = Processor(
            function,
            runtime,
            dedupe=dedupe,
            publish_reply=self._reply,
            observer=observer,
            dedupe_in_started=dedupe_in_started,
        )
        self._stopping = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._channel: AbstractChannel | None = None
        self._reply_exchange: AbstractExchange | None = None

    def stop(self) -> None:
        self._stopping.set()

    async def _reply(self, reply: CloudEvent) -> None:
        assert self._reply_exchange is not None  # set in run() before consuming
        await publish_amqp(self._reply_exchange, reply)

    async def run(self) -> None:
        connection = await aio_pika.connect_robust(self.amqp_url)
        try:
            self._channel = channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self.runtime.prefetch)
            exchange, queue = await declare_topology(
                channel, self.exchange_name, self.queue_name, self.binding_keys
            )
            self._reply_exchange = (
                exchange
                if self.reply_exchange_name == self.exchange_name
                else await channel.declare_exchange(
                    self.reply_exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
                )
            )
            tag = await queue.consume(self._on_message, no_ack=False)
            log.info("consuming %s on %s by %s", self.queue_name, exchange.name, self.binding_keys)
            await self._stopping.wait()
            await queue.cancel(tag)  # no new deliveries; in-flight ones finish below
            await drain(self._in_flight)
        finally:
            # Closing returns every unacked message to the queue: handed back, not lost.
            await connection.close()
            self.processor.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.create_task(self._handle(message))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        try:
            await self._settle(message)
        except Exception:  # the broker or Redis failed mid-settle: leave the message unacked
            # Unacked messages return to the queue when the channel closes; dedupe makes the
            # redelivery a no-op if the handler had already succeeded.
            log.exception("could not settle message %s", message.message_id)

    async def _settle(self, message: AbstractIncomingMessage) -> None:
        headers = dict(message.headers or {})
        # aio-pika types a header as any AMQP field value; this one is the int ``_settle`` writes.
        attempt = int(cast(int, headers.get(ATTEMPT_HEADER, 1)))
        try:
            event = from_amqp(
                AmqpMessage(
                    message.body, headers, message.content_type, message.message_id, message.type
                )
            )
        except MalformedEventError as exc:
            await self._dead_letter(message, headers, f"undecodable message: {exc}", attempt)
            return
        outcome = await self.processor.process(event, attempt)
        if outcome.status == "dead":
            await self._dead_letter(message, headers, outcome.reason or "unknown", attempt)
        elif outcome.status == "retry":
            assert self._channel is not None
            retry = {**headers, ATTEMPT_HEADER: attempt + 1}
            await publish_amqp(
                self._channel.default_exchange,
                event,
                routing_key=f"{self.queue_name}.retry",
                headers={k: v for k, v in retry.items() if not k.startswith("cloudEvents:")},
                expiration_s=outcome.delay_s,
            )
            await message.ack()
            log.info("retry of %s in %.2fs", event["id"], outcome.delay_s)
        else:
            await message.ack()

    async def _dead_letter(
        self, message: AbstractIncomingMessage, headers: dict[str, Any], reason: str, attempt: int
    ) -> None:
        assert self._channel is not None
        await self._channel.default_exchange.publish(
            aio_pika.Message(
                message.body,
                headers={**headers, REASON_HEADER: reason, ATTEMPTS_HEADER: attempt},
                content_type=message.content_type,
                message_id=message.message_id,
                type=message.type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=f"{self.queue_name}.dlq",
        )
        await message.ack()
        log.warning("dead-lettered %s to %s.dlq: %s", message.message_id, self.queue_name, reason)
