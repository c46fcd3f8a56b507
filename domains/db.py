"""The PostgreSQL plumbing every domain shares: engine, sessions, declarative base, migrations.

Domain tables are unqualified and live in one schema chosen through the connection's
``search_path`` (``ECO2_DATABASE_SCHEMA``, default ``eco2``). The same models therefore work in
production's schema and in a test's throw-away schema, and Alembic keeps its version table there
too. Migrations are run from here (``upgrade``/``downgrade``) on an async engine by handing
Alembic a live connection, so they also work inside a running event loop.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, MetaData, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import DeclarativeBase

from domains.db_settings import DatabaseSettings

if TYPE_CHECKING:
    # Alembic is imported where migrations run, not here: every process reads this module
    # (its settings), and only the migrating ones need Alembic (a second of a cold start).
    from alembic.config import Config

# Alembic's scripts sit at the repository root beside alembic.ini (see docs/domains.md).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Deterministic constraint names, so migrations can drop/alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every domain table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def check_schema(schema: str) -> str:
    """Return ``schema`` if it is a plain lower-case identifier; it is interpolated into DDL."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"schema name must match {_SCHEMA_NAME.pattern}, got {schema!r}")
    return schema


def create_engine(url: str, schema: str | None = None, **kwargs: object) -> AsyncEngine:
    """An async engine whose connections resolve unqualified tables in ``schema``."""
    connect_args: dict[str, object] = dict(kwargs.pop("connect_args", None) or {})  # type: ignore[call-overload]  # a mapping when given
    if schema is not None:
        connect_args["server_settings"] = {"search_path": check_schema(schema)}
    # No pre-ping: it is a round trip on every checkout, a large share of a stage worker's CPU
    # under load. After a PostgreSQL restart the first use of a dead connection fails instead,
    # SQLAlchemy then invalidates the whole pool, and the failed attempt is retried (stage
    # workers) or answered 500 once (API).
    kwargs.setdefault("pool_recycle", 1800)
    return _create_async_engine(url, connect_args=connect_args, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects readable after commit (services return them)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@contextlib.asynccontextmanager
async def autocommit(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncConnection]:
    """A pooled connection of ``sessions``' engine on which each statement is its own transaction.

    For the hot single-statement writes (``INSERT … ON CONFLICT … RETURNING``, a guarded
    ``UPDATE … RETURNING``), which are atomic on their own: one round trip instead of three
    (no BEGIN and COMMIT), a pooled connection held a third as long, and no ORM session to set
    up and tear down (its identity map and transaction snapshot cost more client CPU than the
    statement: bench/db_writes.py). Core statements and plain rows only.
    """
    engine: AsyncEngine = sessions.kw["bind"]
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def alembic_config(schema: str) -> Config:
    """An Alembic config for ``schema`` that does not need alembic.ini on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["schema"] = check_schema(schema)
    return config


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The head revision(s) of ``migrations/versions``, read from each script's ``revision`` and
    ``down_revision`` lines without importing Alembic (tests/domains/test_db.py holds them equal
    to Alembic's own heads)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for node in ast.parse(script.read_text("utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign):
                targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                if node.value is None or not names & {"revision", "down_revision"}:
                    continue
                value = ast.literal_eval(node.value)
                if "revision" in names:
                    revisions.add(str(value))
                elif "down_revision" in names and value is not None:
                    parents.update([value] if isinstance(value, str) else value)
    return frozenset(revisions - parents)


async def at_head(engine: AsyncEngine, schema: str) -> bool:
    """Whether ``schema`` is migrated to head: one query of its version table. A worker's start
    asks this instead of running Alembic, which the migrations Job has run already."""
    query = text(f'SELECT version_num FROM "{check_schema(schema)}".alembic_version')
    try:
        async with engine.connect() as connection:
            versions = set((await connection.execute(query)).scalars())
    except ProgrammingError:  # no schema or no version table yet: an empty database
        return False
    return versions == head_revisions()


async def upgrade(engine: AsyncEngine, schema: str, revision: str = "head") -> None:
    """Create ``schema`` if needed and migrate it to ``revision``, in one transaction."""
    from alembic import command

    await _run(engine, schema, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, schema: str, revision: str = "base") -> None:
    """Migrate ``schema`` down to ``revision`` (``base`` drops every domain table)."""
    from alembic import command

    await _run(engine, schema, lambda config: command.downgrade(config, revision))


async def _run(engine: AsyncEngine, schema: str, action: Callable[[Config], None]) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(schema)
        config.attributes["connection"] = connection
        action(config)

    async with engine.begin() as connection:
        await connection.run_sync(run)


def engine_from_settings(settings: DatabaseSettings) -> AsyncEngine:
    """The engine on ``database_url`` in ``database_schema``, its pool sized by the settings."""
    return create_engine(
        settings.database_url,
        schema=settings.database_schema,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
