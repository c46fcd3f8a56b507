"""A function as a Redis Streams consumer-group worker, built on the ``EventBus`` port.

A worker keeps up to ``concurrency`` entries in flight and reads more as soon as one finishes.
Every ``claim_idle_ms / 2`` a poll first reclaims entries other consumers (or a killed worker)
left pending for ``claim_idle_ms``, then reads new ones. An entry is acked only after the
handler succeeded and its reply was published. A failed entry is NOT acked: it stays in the
group's pending list, which is the retry queue, and is redelivered (with the stream's delivery
count as its attempt number) once it has been idle ``claim_idle_ms``. The retry therefore
survives the worker's death, at the price of a fixed delay: Streams have no per-entry delayed
redelivery. After ``max_attempts`` the entry goes to the topic's dead-letter log with the reason.

``claim_idle_ms`` must be longer than a handler normally runs: an entry idle that long is
considered abandoned and another consumer takes it over.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
from collections.abc import Callable

from cloudevents.http import CloudEvent

from eventing.bus.base import Delivery, EventBus
from eventing.exceptions import BusError, GroupMissing
from eventing.runtime.dedupe import Dedupe
from eventing.runtime.loader import Function
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import Observer, Processor, backoff_delay, drain, log

ReplyTopic = str | Callable[[CloudEvent], str | None] | None


def default_consumer_name() -> str:
    """``host-pid``: unique per process, stable for its life, readable in XINFO CONSUMERS."""
    return f"{socket.gethostname()}-{os.getpid()}"


class RedisTrigger:
    """Consume ``topic`` as ``group`` and run ``function`` on every event."""

    def __init__(
        self,
        bus: EventBus,
        function: Function,
        runtime: RuntimeSettings,
        *,
        topic: str,
        group: str,
        consumer: str | None = None,
        dedupe: Dedupe | None = None,
        reply_topic: ReplyTopic = None,
        observer: Observer | None = None,
        dedupe_in_started: bool = False,
    ) -> None:
        self.bus = bus
        self.runtime = runtime
        self.topic = topic
        self.group = group
        self.consumer = consumer or default_consumer_name()
        self.reply_topic = reply_topic
        self.processor = Processor(
            function,
            runtime,
            dedupe=dedupe,
            publish_reply=self._reply,
            observer=observer,
            settlement=bus.settlement,
            dedupe_in_started=dedupe_in_started,
        )
        self._stopping = asyncio.Event()
        self._next_reclaim = 0.0

    async def _reply(self, reply: CloudEvent) -> None:
        topic = self.reply_topic(reply) if callable(self.reply_topic) else self.reply_topic
        if topic:
            # Same subject → same shard downstream, so a job's events stay in order.
            await self.bus.publish(topic, reply)

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        await self._ensure_group()
        log.info("consuming %s as %s/%s", self.topic, self.group, self.consumer)
        in_flight: set[asyncio.Task[None]] = set()
        try:
            await self._consume(in_flight)
            # Entries read are ours even though a stop came: finish them (within grace).
            await drain(in_flight)
        except asyncio.CancelledError:
            for task in in_flight:  # past the grace period: hand them back un-acked
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            raise
        finally:
            self.processor.close()  # only now: a retry while draining still needs its threads

    async def _consume(self, in_flight: set[asyncio.Task[None]]) -> None:
        """Keep up to ``concurrency`` entries in flight, reading more as soon as one finishes.

        There is no batch barrier: a fresh entry never waits for the slowest of the ones read
        with it, which would add the longest handler time of a batch to every event behind it.
        """
        failures = 0
        while not self._stopping.is_set():
            free = self.runtime.concurrency - len(in_flight)
            if free <= 0:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                deliveries = await self._poll(min(free, self.runtime.batch_size))
            except GroupMissing as exc:  # Redis came back empty: the group is to make again
                log.warning("%s; recreating the group", exc)
                await self._ensure_group()
                continue
            except BusError as exc:  # Redis restarting or unreachable: wait, then poll again
                failures += 1
                delay = backoff_delay(failures, self.runtime)
                log.warning("poll failed (%s); retrying in %.2fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for delivery in deliveries:
                task = asyncio.create_task(self._handle(delivery))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)

    async def _ensure_group(self) -> None:
        """Create the group, waiting for Redis (with backoff) while it does not answer, so a
        worker started while Redis is briefly down waits instead of exiting."""
        failures = 0
        while True:
            try:
                await self.bus.ensure_group(self.topic, self.group)
                if failures:
                    log.info("Redis answers again: group %s on %s ready", self.group, self.topic)
                return
            except BusError as exc:
                if self._stopping.is_set():
                    return  # stopped while waiting: nothing was read, nothing to finish
                failures += 1
                delay = backoff_delay(failures, self.runtime)
                log.warning("waiting for Redis (%s); retrying in %.2fs", exc, delay)
                await asyncio.sleep(delay)

    async def _poll(self, count: int) -> list[Delivery]:
        # Only entries idle for claim_idle_ms can be reclaimed, so looking every half of that
        # finds each within 1.5 × claim_idle_ms without an XAUTOCLAIM before every read.
        now = asyncio.get_running_loop().time()
        if now >= self._next_reclaim:
            deliveries = await self.bus.reclaim(
                self.topic,
                self.group,
                self.consumer,
                min_idle_ms=self.runtime.claim_idle_ms,
                count=count,
            )
            if deliveries:  # there may be more: look again on the next poll
                return deliveries
            self._next_reclaim = now + self.runtime.claim_idle_ms / 2000
        return await self.bus.consume(
            self.topic,
            self.group,
            self.consumer,
            count=count,
            block_ms=self.runtime.block_ms,
        )

    async def _handle(self, delivery: Delivery) -> None:
        try:
            await self._settle(delivery)
        except BusError as exc:
            # Not acked: the entry stays pending and is redelivered; dedupe makes that a no-op
            # if the handler had already succeeded.
            log.warning("could not settle entry=%s: %s", delivery.entry_id, exc)

    async def _settle(self, delivery: Delivery) -> None:
        if delivery.event is None:
            reason = f"undecodable entry: {delivery.error}"
            log.warning("dead-letter entry=%s: %s", delivery.entry_id, reason)
            await self.bus.dead_letter(self.group, delivery, reason)
            return
        while True:
            ack = functools.partial(self.bus.ack, self.group, delivery)  # as last claimed
            outcome = await self.processor.process(delivery.event, delivery.attempt, ack=ack)
            if outcome.status in ("done", "skipped"):
                return
            if outcome.status == "dead":
                await self.bus.dead_letter(self.group, delivery, outcome.reason or "unknown")
                return
            # Retry after the backoff by claiming the entry again: Redis counts the delivery,
            # so the attempt number survives this worker. Stopping (or dying) meanwhile leaves
            # the entry pending, and another worker reclaims it after claim_idle_ms.
            try:
                await asyncio.wait_for(self._stopping.wait(), outcome.delay_s)
                return
            except TimeoutError:
                pass
            again = await self.bus.claim(self.group, self.consumer, delivery)
            if again is None or again.event is None:
                return
            delivery = again
