"""Redis Streams adapter of the event bus.

Each topic is ``shards`` streams ``{prefix}{topic}:{shard}`` trimmed to about ``maxlen``
entries; consumer groups give at-least-once delivery, XAUTOCLAIM hands stale pending entries to
a live consumer, and the dead-letter log is the stream ``{prefix}{topic}:dlq``.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, cast

from cloudevents.conversion import to_json
from cloudevents.http import CloudEvent
from redis import asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from redis.typing import EncodableT, FieldT, KeyT, StreamIdT

from eventing.bindings.redis import from_stream_fields, to_stream_fields
from eventing.bus.base import DeadLetter, Delivery, EventBus
from eventing.bus.batch import joined, server_of, write_batch
from eventing.bus.connection import connection_kwargs
from eventing.exceptions import BusError, GroupMissing, MalformedEventError

# This module's client does not decode responses: ids, names and fields come back as bytes.
_Entry = tuple[bytes, dict[bytes | str, bytes]]

# XREADGROUP holds its connection for the whole block; the socket timeout must outlast it.
MAX_BLOCK_MS = 20_000
SOCKET_TIMEOUT_S = MAX_BLOCK_MS / 1000 + 10


def connect(redis_url: str, *, max_connections: int = 64) -> aioredis.Redis:
    """A client whose pool waits for a free connection instead of raising when exhausted."""
    pool = aioredis.BlockingConnectionPool.from_url(
        redis_url,
        max_connections=max_connections,
        timeout=SOCKET_TIMEOUT_S,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=5,
        health_check_interval=30,
        **connection_kwargs(redis_url),
    )
    return aioredis.Redis(connection_pool=pool)


class RedisBus(EventBus):
    """The event-bus port over Redis Streams."""

    def __init__(
        self,
        redis_url: str,
        shards: int,
        *,
        prefix: str = "",
        maxlen: int = 100_000,
        client: aioredis.Redis | None = None,
    ) -> None:
        super().__init__(shards)
        self.prefix = prefix
        self.maxlen = maxlen
        self._redis = client or connect(redis_url)
        self._owns_client = client is None

    def stream(self, topic: str, shard: int) -> str:
        return f"{self.prefix}{topic}:{shard}"

    def dlq_stream(self, topic: str) -> str:
        return f"{self.prefix}{topic}:dlq"

    def _shards(self, shards: list[int] | None) -> list[int]:
        return list(range(self.shards)) if shards is None else shards

    def settlement(self) -> AbstractAsyncContextManager[None]:
        return write_batch(self._redis)

    def joins(self, client: Any) -> bool:
        return isinstance(client, aioredis.Redis) and server_of(client) == server_of(self._redis)

    async def publish(self, topic: str, event: CloudEvent, *, key: str | None = None) -> str:
        """Append ``event``; inside a ``settlement`` it is queued there and "" is returned."""
        shard = self.shard_for(event, key)
        stream = self.stream(topic, shard)
        # dict is invariant: XADD's stub wants the widest key and value types; ours are narrower.
        fields = cast("dict[FieldT, EncodableT]", to_stream_fields(event))
        if (batch := joined(self._redis)) is not None:
            batch.xadd(stream, fields, maxlen=self.maxlen, approximate=True)
            return ""
        try:
            entry_id = await self._redis.xadd(
                stream,
                fields,
                maxlen=self.maxlen,
                approximate=True,
            )
        except RedisError as exc:
            raise BusError(f"publish to {topic}:{shard} failed: {exc}") from exc
        return cast(bytes, entry_id).decode()

    async def ensure_group(self, topic: str, group: str) -> None:
        for shard in range(self.shards):
            try:
                await self._redis.xgroup_create(
                    self.stream(topic, shard), group, id="0", mkstream=True
                )
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise BusError(f"creating group {group} on {topic}:{shard}: {exc}") from exc
            except RedisError as exc:
                raise BusError(f"creating group {group} on {topic}:{shard}: {exc}") from exc

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
        streams: dict[KeyT, StreamIdT] = {
            self.stream(topic, shard): ">" for shard in self._shards(shards)
        }
        try:
            reply = await self._redis.xreadgroup(
                group, consumer, streams, count=count, block=min(block_ms, MAX_BLOCK_MS)
            )
        except ResponseError as exc:
            if "NOGROUP" in str(exc):
                raise GroupMissing(f"no group {group!r} on {topic}: ensure_group") from exc
            raise BusError(f"consume {topic}/{group}: {exc}") from exc
        except RedisError as exc:
            raise BusError(f"consume {topic}/{group}: {exc}") from exc
        deliveries: list[Delivery] = []
        # RESP2 without decoding: a list of [stream name, entries] pairs.
        streams_read = cast("list[tuple[bytes, list[_Entry]]] | None", reply)
        for stream_name, entries in streams_read or []:
            shard = int(stream_name.decode().rsplit(":", 1)[1])
            for entry_id, fields in entries:
                deliveries.append(_delivery(topic, shard, entry_id.decode(), fields, attempt=1))
        return deliveries

    async def ack(self, group: str, delivery: Delivery) -> None:
        stream = self.stream(delivery.topic, delivery.shard)
        if (batch := joined(self._redis)) is not None:
            batch.xack(stream, group, delivery.entry_id)
            return
        try:
            await self._redis.xack(stream, group, delivery.entry_id)
        except RedisError as exc:
            raise BusError(f"ack {delivery.entry_id} on {delivery.topic}: {exc}") from exc

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
        claimed: list[tuple[int, str, Any]] = []
        try:
            for shard in self._shards(shards):
                reply = await self._redis.xautoclaim(
                    self.stream(topic, shard), group, consumer, min_idle_ms, "0-0", count=count
                )
                claimed += [(shard, eid.decode(), fields) for eid, fields in reply[1] if fields]
                if len(claimed) >= count:
                    break
            if not claimed:
                return []
            # XAUTOCLAIM does not report delivery counts; XPENDING per entry does (one round trip).
            async with self._redis.pipeline(transaction=False) as pipe:
                for shard, entry_id, _ in claimed:
                    pipe.xpending_range(
                        self.stream(topic, shard), group, min=entry_id, max=entry_id, count=1
                    )
                counts = await pipe.execute()
        except ResponseError as exc:
            if "NOGROUP" in str(exc):
                raise GroupMissing(f"no group {group!r} on {topic}: ensure_group") from exc
            raise BusError(f"reclaim {topic}/{group}: {exc}") from exc
        except RedisError as exc:
            raise BusError(f"reclaim {topic}/{group}: {exc}") from exc
        deliveries = []
        for (shard, entry_id, fields), pending in zip(claimed, counts, strict=True):
            attempt = int(pending[0]["times_delivered"]) if pending else 1
            deliveries.append(_delivery(topic, shard, entry_id, fields, attempt=attempt))
        return deliveries

    async def claim(self, group: str, consumer: str, delivery: Delivery) -> Delivery | None:
        stream = self.stream(delivery.topic, delivery.shard)
        try:
            # Not ``justid``: entries with their fields (None once deleted from the stream).
            entries = cast(
                "list[tuple[bytes, dict[bytes | str, bytes] | None]]",
                await self._redis.xclaim(stream, group, consumer, 0, [delivery.entry_id]),
            )
            if not entries or not entries[0][1]:
                return None
            pending = await self._redis.xpending_range(
                stream, group, min=delivery.entry_id, max=delivery.entry_id, count=1
            )
        except RedisError as exc:
            raise BusError(f"claim {delivery.entry_id} on {delivery.topic}: {exc}") from exc
        attempt = int(pending[0]["times_delivered"]) if pending else delivery.attempt + 1
        entry_id, fields = entries[0]
        return _delivery(delivery.topic, delivery.shard, entry_id.decode(), fields, attempt=attempt)

    async def dead_letter(self, group: str, delivery: Delivery, reason: str) -> None:
        fields: dict[FieldT, EncodableT] = {
            "reason": reason,
            "attempts": str(delivery.attempt),
            "entry_id": delivery.entry_id,
            "group": group,
            "ce": to_json(delivery.event) if delivery.event is not None else b"",
        }
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xadd(self.dlq_stream(delivery.topic), fields, maxlen=self.maxlen)
                pipe.xack(self.stream(delivery.topic, delivery.shard), group, delivery.entry_id)
                await pipe.execute()
        except RedisError as exc:
            raise BusError(f"dead-letter {delivery.entry_id} on {delivery.topic}: {exc}") from exc

    async def dead_letters(self, topic: str, *, count: int = 100) -> list[DeadLetter]:
        entries = cast(
            "list[_Entry]", await self._redis.xrange(self.dlq_stream(topic), count=count)
        )
        letters = []
        for _, fields in entries:
            event = None
            if fields.get(b"ce"):
                try:
                    event = from_stream_fields(fields)
                except MalformedEventError:
                    event = None
            letters.append(
                DeadLetter(
                    topic=topic,
                    entry_id=fields[b"entry_id"].decode(),
                    reason=fields[b"reason"].decode(),
                    attempts=int(fields[b"attempts"]),
                    event=event,
                )
            )
        return letters

    async def pending(self, topic: str, group: str) -> int:
        total = 0
        for shard in range(self.shards):
            try:
                summary = await self._redis.xpending(self.stream(topic, shard), group)
            except ResponseError:
                continue  # no stream or no group yet: nothing pending there
            total += int(summary["pending"])
        return total

    async def waiting(self, topic: str, group: str) -> int:
        # XINFO GROUPS' lag (Redis 7) is entries added minus entries read, one round trip for
        # every shard; Redis reports none when it cannot tell (entries deleted by id), and the
        # stream's length is then the bound. Entries trimmed before they were read still count:
        # they were lost to the group, and a backlog that large is what the count warns of.
        async with self._redis.pipeline(transaction=False) as pipe:
            for shard in range(self.shards):
                pipe.xlen(self.stream(topic, shard))
                pipe.xinfo_groups(self.stream(topic, shard))
            try:
                replies = await pipe.execute(raise_on_error=False)
            except RedisError as exc:
                raise BusError(f"waiting {topic}/{group}: {exc}") from exc
        total = 0
        for length, groups in zip(replies[::2], replies[1::2], strict=True):
            if isinstance(length, Exception):
                raise BusError(f"waiting {topic}/{group}: {length}")
            if isinstance(groups, ResponseError):  # no such stream: nothing waits there
                continue
            lag = next((g.get("lag") for g in groups if _name(g) == group), length)
            total += int(length if lag is None else lag)
        return total

    async def close(self) -> None:
        if self._owns_client:
            await self._redis.aclose()


def _name(group_info: dict[str, Any]) -> str:
    name = group_info["name"]
    return name.decode() if isinstance(name, bytes) else name


def _delivery(topic: str, shard: int, entry_id: str, fields: Any, *, attempt: int) -> Delivery:
    try:
        event = from_stream_fields(fields)
    except MalformedEventError as exc:
        return Delivery(topic, shard, entry_id, None, attempt, error=str(exc))
    return Delivery(topic, shard, entry_id, event, attempt)
