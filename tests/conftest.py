"""Fixtures shared by every test: settings pointing at the loopback servers, unique names.

Tests share one Redis, RabbitMQ and PostgreSQL with each other (and with other checkouts on the
machine), so every test names its keys, streams, queues and schemas with ``unique`` and never
flushes a whole database.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis import asyncio as aioredis

from eco2.settings import Settings
from eventing.progress import connect

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def unique() -> str:
    """A short name no other test run uses."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings() -> Iterator[Settings]:
    """Settings for the loopback servers, independent of the developer's environment."""
    yield Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def prefix(unique: str) -> str:
    """The prefix of every Redis key, stream and topic the test makes."""
    return f"{unique}:"


@pytest.fixture
async def redis(prefix: str) -> AsyncIterator[aioredis.Redis]:
    """A decoding client on the loopback Redis (a blocking pool, so many concurrent calls wait
    instead of failing); removes exactly the test's prefixed keys afterwards."""
    client = connect(REDIS_URL, max_connections=32)
    try:
        yield client
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()
