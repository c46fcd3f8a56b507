"""Fixtures of the places tests: a fresh migrated schema per test (importer counts must start
from an empty table), and sessions on it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.db import create_engine, session_factory, upgrade
from tests.domains.conftest import DATABASE_URL, drop_schema


@pytest.fixture
async def fresh() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a schema of this test alone, migrated to head, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(DATABASE_URL, schema=schema, pool_size=2, max_overflow=2)
    try:
        await upgrade(engine, schema)
        yield session_factory(engine)
    finally:
        await engine.dispose()
        await drop_schema(schema)
