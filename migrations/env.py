"""Alembic environment for the domain tables, on an async (asyncpg) engine.

Two ways in:

- ``alembic upgrade head`` from the repository root: the URL and schema come from
  ``ECO2_DATABASE_URL`` / ``ECO2_DATABASE_SCHEMA`` (``-x schema=NAME`` overrides the schema);
  this file opens its own async engine.
- ``domains.db.upgrade(engine, schema)``: the caller hands over a live connection in
  ``config.attributes["connection"]`` (Alembic's cookbook recipe for async apps), so migrations
  run inside an already running event loop, e.g. in tests or at service start.

Either way the schema is created if missing, tables are created unqualified through the
``search_path``, and the version table lives in the same schema, so schemas never share state.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text

import domains.character.models
import domains.chat.models
import domains.image.models
import domains.info.models
import domains.location.models
import domains.scan.models
import domains.users.models  # noqa: F401  (register the tables on Base.metadata)
from domains.db import Base, check_schema, create_engine
from eco2.settings import Settings

config = context.config
target_metadata = Base.metadata


def _schema() -> str:
    schema = config.attributes.get("schema") or context.get_x_argument(as_dictionary=True).get(
        "schema"
    )
    return check_schema(schema or Settings().database_schema)


def _configure(connection: Connection, schema: str) -> None:
    # Point this connection at the schema even when the caller's engine did not.
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table_schema=schema,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_own_engine(schema: str) -> None:
    engine = create_engine(Settings().database_url, schema=schema)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_configure, schema)
    finally:
        await engine.dispose()


def run_offline() -> None:
    """``alembic upgrade head --sql``: print the DDL instead of running it."""
    schema = _schema()
    context.configure(
        url=Settings().database_url,
        target_metadata=target_metadata,
        version_table_schema=schema,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        context.execute(f'SET search_path TO "{schema}"')
        context.run_migrations()


def run_online() -> None:
    schema = _schema()
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(_run_own_engine(schema))
    else:
        _configure(connection, schema)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
