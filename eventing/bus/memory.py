"""In-process adapter of the event bus: the same semantics as Redis Streams, kept in memory.

It is the embedded default for the one-command demo and for unit tests of handlers; it keeps
consumer groups, pending entries with delivery counts and idle times, and a dead-letter log, so
code that works on it works on Redis (the contract suite runs both).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

from cloudevents.http import CloudEvent

from eventing.bus.base import DeadLetter, Delivery, EventBus
from eventing.exceptions import BusError


@dataclass
class _Pending:
    consumer: str
    delivered_at: float
    attempts: int


@dataclass
class _Group:
    next_index: int = 0  # first entry not yet handed to anyone in this group
    pending: dict[str, _Pending] = field(default_factory=dict)


@dataclass
class _Stream:
    entries: list[tuple[str, CloudEvent]] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    groups: dict[str, _Group] = field(default_factory=dict)


class MemoryBus(EventBus):
    """The event-bus port in process memory (one event loop)."""

    def __init__(self, shards: int) -> None:
        super().__init__(shards)
        self._streams: dict[tuple[str, int], _Stream] = {}
        self._dead: dict[str, list[DeadLetter]] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    def _stream(self, topic: str, shard: int) -> _Stream:
        return self._streams.setdefault((topic, shard), _Stream())

    def _shards(self, shards: list[int] | None) -> list[int]:
        return list(range(self.shards)) if shards is None else shards

    async def publish(self, topic: str, event: CloudEvent, *, key: str | None = None) -> str:
        stream = self._stream(topic, self.shard_for(event, key))
        entry_id = f"{int(time.time() * 1000)}-{next(self._ids)}"
        stream.index[entry_id] = len(stream.entries)
        stream.entries.append((entry_id, event))
        self._changed.set()
        return entry_id

    async def ensure_group(self, topic: str, group: str) -> None:
        for shard in range(self.shards):
            self._stream(topic, shard).groups.setdefault(group, _Group())

    def _group(self, topic: str, shard: int, group: str) -> _Group:
        found = self._stream(topic, shard).groups.get(group)
        if found is None:
            raise BusError(f"no group {group!r} on {topic}: call ensure_group first")
        return found

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
        deadline = time.monotonic() + block_ms / 1000
        while True:
            deliveries = self._take_new(topic, group, consumer, count, self._shards(shards))
            remaining = deadline - time.monotonic()
            if deliveries or remaining <= 0:
                return deliveries
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return []

    def _take_new(
        self, topic: str, group: str, consumer: str, count: int, shards: list[int]
    ) -> list[Delivery]:
        deliveries: list[Delivery] = []
        now = time.monotonic()
        for shard in shards:
            stream = self._stream(topic, shard)
            state = self._group(topic, shard, group)
            while state.next_index < len(stream.entries) and len(deliveries) < count:
                entry_id, event = stream.entries[state.next_index]
                state.next_index += 1
                state.pending[entry_id] = _Pending(consumer, now, 1)
                deliveries.append(Delivery(topic, shard, entry_id, event, 1))
        return deliveries

    async def ack(self, group: str, delivery: Delivery) -> None:
        self._group(delivery.topic, delivery.shard, group).pending.pop(delivery.entry_id, None)

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
        now = time.monotonic()
        deliveries: list[Delivery] = []
        for shard in self._shards(shards):
            stream = self._stream(topic, shard)
            state = self._group(topic, shard, group)
            for entry_id, pending in sorted(state.pending.items(), key=lambda kv: kv[0]):
                if len(deliveries) >= count:
                    return deliveries
                if (now - pending.delivered_at) * 1000 < min_idle_ms:
                    continue
                pending.consumer, pending.delivered_at = consumer, now
                pending.attempts += 1
                event = stream.entries[stream.index[entry_id]][1]
                deliveries.append(Delivery(topic, shard, entry_id, event, pending.attempts))
        return deliveries

    async def claim(self, group: str, consumer: str, delivery: Delivery) -> Delivery | None:
        stream = self._stream(delivery.topic, delivery.shard)
        pending = self._group(delivery.topic, delivery.shard, group).pending.get(delivery.entry_id)
        if pending is None:
            return None
        pending.consumer, pending.delivered_at = consumer, time.monotonic()
        pending.attempts += 1
        event = stream.entries[stream.index[delivery.entry_id]][1]
        return Delivery(delivery.topic, delivery.shard, delivery.entry_id, event, pending.attempts)

    async def dead_letter(self, group: str, delivery: Delivery, reason: str) -> None:
        letter = DeadLetter(
            delivery.topic, delivery.entry_id, reason, delivery.attempt, delivery.event
        )
        self._dead.setdefault(delivery.topic, []).append(letter)
        await self.ack(group, delivery)

    async def dead_letters(self, topic: str, *, count: int = 100) -> list[DeadLetter]:
        return self._dead.get(topic, [])[:count]

    async def waiting(self, topic: str, group: str) -> int:
        total = 0
        for (name, _), stream in self._streams.items():
            if name == topic:
                state = stream.groups.get(group)
                total += len(stream.entries) - (state.next_index if state else 0)
        return total

    async def pending(self, topic: str, group: str) -> int:
        return sum(
            len(stream.groups[group].pending)
            for (name, _), stream in self._streams.items()
            if name == topic and group in stream.groups
        )
