"""The event-bus port: publish CloudEvents to sharded topics, consume them with consumer groups.

Two adapters implement it (``eventing.bus.redis.RedisBus`` over Redis Streams and
``eventing.bus.memory.MemoryBus`` in process) and one contract suite
(``tests/eventing/bus/test_contract.py``) runs against both.

Semantics every adapter keeps:
- ``publish`` appends to shard ``shard_of(key, shards)`` of the topic; order holds within a shard.
- A group sees each entry once; ``consume`` hands out new entries, which stay pending until
  ``ack``. Entries left pending longer than ``min_idle_ms`` are handed to another consumer by
  ``reclaim`` with ``attempt`` counting every delivery.
- ``dead_letter`` moves an entry to the topic's dead-letter log with a reason, and acks it.
"""

from __future__ import annotations

import abc
import contextlib
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent

from eventing.sharding import shard_of


@dataclass(frozen=True)
class Delivery:
    """One entry handed to a consumer.

    ``event`` is None when the entry could not be decoded; ``error`` then says why, and the
    runtime dead-letters it instead of retrying forever.
    """

    topic: str
    shard: int
    entry_id: str
    event: CloudEvent | None
    attempt: int = 1
    error: str | None = None


@dataclass(frozen=True)
class DeadLetter:
    """An entry that will not be processed, and why."""

    topic: str
    entry_id: str
    reason: str
    attempts: int
    event: CloudEvent | None


class EventBus(abc.ABC):
    """Port: a sharded, durable, consumer-grouped log of CloudEvents."""

    def __init__(self, shards: int) -> None:
        if shards < 1:
            raise ValueError(f"shards must be >= 1, got {shards}")
        self.shards = shards

    def shard_for(self, event: CloudEvent, key: str | None = None) -> int:
        """Shard of an event: by ``key``, else its subject (the job id), else its id."""
        return shard_of(key or event.get("subject") or event["id"], self.shards)

    @abc.abstractmethod
    async def publish(self, topic: str, event: CloudEvent, *, key: str | None = None) -> str:
        """Append ``event``; returns the entry id."""

    @abc.abstractmethod
    async def ensure_group(self, topic: str, group: str) -> None:
        """Create the consumer group on every shard if missing (idempotent)."""

    @abc.abstractmethod
    async def consume(
        self,
        topic: str,
        group: str,
        consumer: str,
        *,
        count: int = 16,
        block_ms: int = 1_000,
        shards: list[int] | None = None,
    ) -> list[Delivery]:
        """New entries for ``consumer``; waits up to ``block_ms`` when there are none."""

    @abc.abstractmethod
    async def ack(self, group: str, delivery: Delivery) -> None:
        """Mark a delivery processed for ``group``."""

    @abc.abstractmethod
    async def reclaim(
        self,
        topic: str,
        group: str,
        consumer: str,
        *,
        min_idle_ms: int,
        count: int = 16,
        shards: list[int] | None = None,
    ) -> list[Delivery]:
        """Take over entries another consumer left pending for at least ``min_idle_ms``."""

    @abc.abstractmethod
    async def claim(self, group: str, consumer: str, delivery: Delivery) -> Delivery | None:
        """Deliver a pending entry again to ``consumer`` now (its attempt count grows by one).

        A worker retrying after its backoff uses this, so the attempt count lives in the bus
        and survives the worker. None when the entry is no longer pending (acked, or gone).
        """

    @abc.abstractmethod
    async def dead_letter(self, group: str, delivery: Delivery, reason: str) -> None:
        """Record the delivery in the topic's dead-letter log with ``reason``, then ack it."""

    @abc.abstractmethod
    async def dead_letters(self, topic: str, *, count: int = 100) -> list[DeadLetter]:
        """The dead-letter log of ``topic``, oldest first."""

    @abc.abstractmethod
    async def pending(self, topic: str, group: str) -> int:
        """How many entries of ``topic`` are delivered but not acked in ``group``."""

    @abc.abstractmethod
    async def waiting(self, topic: str, group: str) -> int:
        """How many entries of ``topic`` no consumer of ``group`` has been handed yet (all of
        them while the group does not exist): the backlog the API sheds load on."""

    def settlement(self) -> AbstractAsyncContextManager[None]:
        """A block whose writes settle one delivery (reply, ack, progress) and go together.

        Adapters that can send them as one unit override this (``RedisBus``: one MULTI/EXEC).
        """
        return contextlib.nullcontext()

    def joins(self, client: Any) -> bool:
        """Whether ``publish`` joins a ``write_batch`` opened on ``client`` (a Redis client), so
        a caller can make a publish one unit with its own Redis writes. Only ``RedisBus`` can."""
        return False

    async def close(self) -> None:  # noqa: B027 - adapters without resources need nothing
        """Release connections."""
