"""One round trip for the Redis writes that settle an event.

When a handler succeeds, a worker writes its ``completed`` progress step, the reply event, the
dedupe mark and the ack: four commands on three clients, four round trips, and at load the
sending of one small command at a time was most of a worker's CPU. Inside
``async with write_batch(client)`` every adapter writing to the same Redis server queues its
command on one MULTI/EXEC pipeline instead, and the block's end sends them together.

MULTI/EXEC also makes the settlement all-or-nothing: the reply is never published without the
ack, nor the ack written without the reply. A block left by an exception sends nothing, so the
event is retried as if none of its writes had been attempted.

The open batch lives in a context variable: each delivery is its own asyncio task, so the
batches of events in flight never mix.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

from redis import asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from eventing.exceptions import BusError

_open: ContextVar[_Batch | None] = ContextVar("eco2_redis_write_batch", default=None)


def server_of(client: aioredis.Redis) -> tuple[Any, ...]:
    """What identifies the server (and database) a client talks to."""
    kwargs = client.connection_pool.connection_kwargs
    return (kwargs.get("host"), kwargs.get("port"), kwargs.get("path"), kwargs.get("db", 0))


class _Batch:
    def __init__(self, client: aioredis.Redis) -> None:
        self.server = server_of(client)
        self.pipeline: Pipeline = client.pipeline(transaction=True)


def joined(client: aioredis.Redis) -> Pipeline | None:
    """The open batch's pipeline if ``client`` writes to the same server, else None.

    An adapter calls this before a write: with a pipeline it queues the command there (its
    result is unknown until the batch is sent), without one it writes at once.
    """
    batch = _open.get()
    if batch is None or batch.server != server_of(client):
        return None
    return batch.pipeline


@contextlib.asynccontextmanager
async def write_batch(client: aioredis.Redis) -> AsyncIterator[None]:
    """Queue the block's Redis writes to ``client``'s server; send them as one MULTI/EXEC."""
    if _open.get() is not None:  # nested: the outer batch sends everything
        yield
        return
    batch = _Batch(client)
    token = _open.set(batch)
    try:
        yield
    finally:
        _open.reset(token)
    if not batch.pipeline.command_stack:
        return
    try:
        async with batch.pipeline as pipeline:
            await pipeline.execute()
    except RedisError as exc:
        raise BusError(f"settling writes failed: {exc}") from exc
