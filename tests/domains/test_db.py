"""Migrations against a real, empty PostgreSQL schema: upgrade, agree with the models, downgrade."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from domains.db import (
    Base,
    alembic_config,
    at_head,
    check_schema,
    create_engine,
    downgrade,
    head_revisions,
    upgrade,
)
from tests.domains.conftest import DATABASE_URL, drop_schema

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "characters",
    "user_characters",
    "scan_jobs",
    "chats",
    "chat_messages",
    "facilities",
    "bulk_waste_fees",
    "recyclable_prices",
    "collection_zones",
    "reminders",
    "users",
    "user_identities",
    "image_owners",
}


async def _tables(schema: str) -> set[str]:
    engine = create_engine(DATABASE_URL)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            )
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def test_upgrade_creates_tables_matching_the_models_and_downgrade_removes_them(
    unique: str,
) -> None:
    schema = f"m_{unique}"
    engine = create_engine(DATABASE_URL, schema=schema)
    try:
        await upgrade(engine, schema)
        assert await _tables(schema) == TABLES | {"alembic_version"}
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            # One history with one head: get_current_head raises on several.
            head = ScriptDirectory.from_config(alembic_config(schema)).get_current_head()
            assert version == head

            def diff(sync: Connection) -> list[object]:
                context = MigrationContext.configure(sync, opts={"compare_type": True})
                return compare_metadata(context, Base.metadata)

            assert await connection.run_sync(diff) == []

        await upgrade(engine, schema)  # already at head: a no-op, not an error
        await downgrade(engine, schema)
        assert await _tables(schema) == {"alembic_version"}
    finally:
        await engine.dispose()
        await drop_schema(schema)


def test_alembic_command_line_uses_the_schema_from_x_argument(unique: str) -> None:
    schema = f"m_{unique}"
    env = {**os.environ, "ECO2_DATABASE_URL": DATABASE_URL}
    alembic = [sys.executable, "-m", "alembic", "-x", f"schema={schema}"]
    try:
        done = subprocess.run(
            [*alembic, "upgrade", "head"], cwd=REPO, env=env, capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr.decode()
        assert asyncio.run(_tables(schema)) == TABLES | {"alembic_version"}
    finally:
        asyncio.run(drop_schema(schema))


@pytest.mark.parametrize("name", ["Public", "a-b", "x;drop", "", "1abc"])
def test_schema_names_that_could_break_ddl_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        check_schema(name)


def test_eco2_db_upgrade_migrates_and_seeds_twice_without_change(unique: str) -> None:
    from click.testing import CliRunner

    from eco2.cli.db import db

    schema = f"m_{unique}"
    runner = CliRunner(env={"ECO2_DATABASE_URL": DATABASE_URL})
    try:
        for _ in range(2):
            result = runner.invoke(db, ["upgrade", "--schema", schema])
            assert result.exit_code == 0, result.output
            assert "19 characters synced" in result.output

        async def count() -> int:
            engine = create_engine(DATABASE_URL, schema=schema)
            try:
                async with engine.connect() as connection:
                    return await connection.scalar(text("SELECT count(*) FROM characters"))
            finally:
                await engine.dispose()

        assert asyncio.run(count()) == 19
        result = runner.invoke(db, ["downgrade", "--schema", schema])
        assert result.exit_code == 0, result.output
        assert asyncio.run(_tables(schema)) == {"alembic_version"}
    finally:
        asyncio.run(drop_schema(schema))


def test_the_heads_read_without_alembic_are_alembics() -> None:
    script = ScriptDirectory.from_config(alembic_config("eco2"))
    assert head_revisions() == frozenset(script.get_heads())


async def test_at_head_only_when_the_schema_is_migrated_to_the_last_revision(unique: str) -> None:
    from domains.character.catalogue import prepare_database

    schema = f"m_{unique}"
    engine = create_engine(DATABASE_URL, schema=schema)
    try:
        assert not await at_head(engine, schema)  # no schema at all
        script = ScriptDirectory.from_config(alembic_config(schema))
        below = script.get_revision(script.get_current_head()).down_revision
        await upgrade(engine, schema, str(below))
        assert not await at_head(engine, schema)  # one migration behind
        # A worker's start migrates what is not at head, then finds it there.
        assert await prepare_database(engine, schema) == 19
        assert await at_head(engine, schema)
        assert await _tables(schema) == TABLES | {"alembic_version"}
    finally:
        await engine.dispose()
        await drop_schema(schema)
