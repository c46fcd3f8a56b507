"""End-to-end fixtures: clean up everything an isolated system left on the shared servers."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import aio_pika
import pytest
import redis
from sqlalchemy import text

from domains.db import create_engine
from domains.scan.pipeline import PIPELINE
from eco2.settings import Settings

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


async def _drop_schema(schema: str) -> None:
    engine = create_engine(SETTINGS.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


async def _drop_amqp(unique: str) -> None:
    connection = await aio_pika.connect(SETTINGS.amqp_url, timeout=5)
    async with connection:
        channel = await connection.channel()
        exchange = f"{unique}.events"
        for stage in PIPELINE:
            for suffix in ("", ".retry", ".dlq"):
                await channel.queue_delete(f"{exchange}.fn.{stage.name}{suffix}")
        await channel.exchange_delete(exchange)


def cleanup(unique: str) -> None:
    """Remove the system's keys, streams, queues and schema (names carry ``unique``)."""
    client = redis.Redis.from_url(SETTINGS.redis_url)
    keys = list(client.scan_iter(f"{unique}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    asyncio.run(_drop_schema(unique))
    # A Redis-only system declared nothing on RabbitMQ: nothing to remove then.
    with contextlib.suppress(Exception):
        asyncio.run(_drop_amqp(unique))


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path
