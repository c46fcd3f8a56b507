"""PostgreSQL fixtures for the domain tests: one throw-away schema per test session.

The schema gets a unique name, is migrated with Alembic (the real migrations, not
``create_all``) and seeded with the packaged catalogue once, then dropped at the end. Engines
are per test because asyncpg connections belong to the event loop that opened them. Tests
isolate their rows from each other with unique user ids.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.character.catalogue import sync_catalogue
from domains.db import create_engine, session_factory, upgrade
from eco2.settings import Settings

DATABASE_URL = Settings(_env_file=None).database_url  # type: ignore[call-arg]


async def drop_schema(schema: str) -> None:
    """Drop a test schema and everything in it."""
    engine = create_engine(DATABASE_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


async def _prepare(schema: str) -> None:
    engine = create_engine(DATABASE_URL, schema=schema)
    try:
        await upgrade(engine, schema)
        async with session_factory(engine)() as session:
            await sync_catalogue(session)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A migrated, seeded schema for this test session."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_prepare(schema))
    try:
        yield schema
    finally:
        asyncio.run(drop_schema(schema))


@pytest.fixture
async def engine(pg_schema: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the session's schema."""
    engine = create_engine(DATABASE_URL, schema=pg_schema, pool_size=4, max_overflow=4)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the session's schema."""
    return session_factory(engine)


@pytest.fixture
def user(unique: str) -> str:
    """A user id no other test uses."""
    return f"user-{unique}"
