"""Pub/Sub feeds of the gateway.

Shard mode (the default): ONE connection subscribed to every ``sse:events:{shard}`` channel for
the gateway's whole life, dispatching by job id into the hub. Redis connections stay constant
however many clients connect. After a reconnection every client is told to re-read the replay
log, because Pub/Sub drops what is published while nobody listens.

Job mode (the benchmark's baseline only): each client opens its own subscription to
``sse:events:{job_id}``, so connections grow with clients.
"""

from __future__ import annotations

import asyncio
import logging

from redis import asyncio as aioredis

from eventing import metrics
from eventing.gateway.frame import Frame, MalformedMessage, from_message
from eventing.gateway.hub import Hub, Subscriber

log = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_S = 5.0


def parse_message(data: str) -> list[Frame]:
    """The events of one Pub/Sub message (``eventing.gateway.frame``); none if it is malformed,
    which is logged: its clients find the events in the replay log through the gap check."""
    try:
        return from_message(data)
    except MalformedMessage as exc:
        log.error("dropping malformed Pub/Sub message: %s", exc)
        return []


async def _confirm(pubsub: aioredis.client.PubSub, count: int) -> None:
    """Wait until Redis confirmed ``count`` subscriptions, so nothing published after is missed."""
    confirmed = 0
    async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
        while confirmed < count:
            message = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_S)
            if message and message["type"] == "subscribe":
                confirmed += 1


class ShardListener:
    """The gateway's one subscription over all shard channels."""

    def __init__(self, redis: aioredis.Redis, channels: list[str], hub: Hub) -> None:
        self.redis = redis
        self.channels = channels
        self.hub = hub
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe and return once the subscription is confirmed."""
        self._task = asyncio.create_task(self._run(), name="sse-shard-listener")
        ready = asyncio.create_task(self.ready.wait())
        done, _ = await asyncio.wait(
            {ready, self._task},
            timeout=SUBSCRIBE_TIMEOUT_S * 2,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if ready not in done:
            ready.cancel()
            await self.stop()
            raise TimeoutError("the shard channels could not be subscribed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        attempt = 0
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(*self.channels)
                await _confirm(pubsub, len(self.channels))
                if attempt:
                    metrics.PUBSUB_RECONNECTS.inc()
                    self.hub.resync_all()
                self.ready.set()
                attempt = 0
                async for message in pubsub.listen():
                    if message["type"] != "message":
                        continue
                    metrics.PUBSUB_MESSAGES.inc()
                    for event in parse_message(message["data"]):
                        self.hub.dispatch(event)
            except (OSError, TimeoutError, aioredis.RedisError) as exc:
                attempt += 1
                log.warning("shard subscription lost (%s); reconnecting", exc)
                await asyncio.sleep(min(0.1 * 2**attempt, 5.0))
            finally:
                await pubsub.aclose()


class JobSubscription:
    """Baseline: a client's own Pub/Sub connection to its job's channel, feeding its subscriber."""

    def __init__(self, redis: aioredis.Redis, channel: str, subscriber: Subscriber) -> None:
        self.pubsub = redis.pubsub()
        self.channel = channel
        self.subscriber = subscriber
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.pubsub.subscribe(self.channel)
        await _confirm(self.pubsub, 1)
        self._task = asyncio.create_task(self._pump(), name=f"sse-job-{self.channel}")

    async def _pump(self) -> None:
        try:
            async for message in self.pubsub.listen():
                if message["type"] == "message":
                    for event in parse_message(message["data"]):
                        self.subscriber.offer(event)
                    if self.subscriber.closed:
                        return
        except (OSError, aioredis.RedisError):
            self.subscriber.request_resync()  # the stream falls back on the replay log

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.pubsub.aclose()
