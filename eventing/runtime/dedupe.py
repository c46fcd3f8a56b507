"""Which CloudEvent ids a consumer group has already processed.

Queues deliver at least once, so a redelivered or re-published event must not run its handler
twice. A group marks an id only AFTER the handler succeeded and its reply was published: a crash
before that leaves the id unmarked and the event is retried, a crash after it (before the ack)
makes the redelivery a no-op.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from eventing.bus.batch import joined
from eventing.exceptions import BusError

KEY_PREFIX = "eco2:processed"


class Dedupe(Protocol):
    """Port: remember processed ids per consumer group."""

    async def seen(self, event_id: str) -> bool:
        """True if ``event_id`` was processed by this group."""

    async def mark(self, event_id: str) -> None:
        """Remember ``event_id`` as processed."""


class RedisDedupe:
    """Processed ids as ``{prefix}eco2:processed:{group}:{event id}`` keys that expire after
    ``ttl_s``; ``prefix`` is the deployment's (``ECO2_PIPELINE__TOPIC_PREFIX``), so systems
    sharing a Redis (the benchmark's levels, tests) neither see nor leave each other's ids."""

    def __init__(self, client: aioredis.Redis, group: str, ttl_s: int, *, prefix: str = "") -> None:
        self._redis = client
        self.group = group
        self.ttl_s = ttl_s
        self.prefix = prefix

    def key(self, event_id: str) -> str:
        return f"{self.prefix}{KEY_PREFIX}:{self.group}:{event_id}"

    async def seen(self, event_id: str) -> bool:
        try:
            return bool(await self._redis.exists(self.key(event_id)))
        except RedisError as exc:
            raise BusError(f"dedupe lookup of {event_id}: {exc}") from exc

    async def mark(self, event_id: str) -> None:
        # NX: the first marker wins and keeps its expiry; a second success does not extend it.
        if (batch := joined(self._redis)) is not None:
            batch.set(self.key(event_id), b"1", nx=True, ex=self.ttl_s)
            return
        try:
            await self._redis.set(self.key(event_id), b"1", nx=True, ex=self.ttl_s)
        except RedisError as exc:
            raise BusError(f"dedupe mark of {event_id}: {exc}") from exc


class MemoryDedupe:
    """The same in process memory, for the embedded demo and unit tests."""

    def __init__(self, ttl_s: float = 86_400) -> None:
        self.ttl_s = ttl_s
        self._seen: dict[str, float] = {}

    async def seen(self, event_id: str) -> bool:
        expires = self._seen.get(event_id)
        return expires is not None and expires > time.monotonic()

    async def mark(self, event_id: str) -> None:
        self._seen.setdefault(event_id, time.monotonic() + self.ttl_s)
