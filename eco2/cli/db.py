"""``eco2 db``: migrate the domain schema and seed the character catalogue."""

from __future__ import annotations

import asyncio

import click

from domains.character.catalogue import prepare_database
from domains.db import downgrade as downgrade_schema
from domains.db import engine_from_settings
from eco2.settings import Settings


def _settings(schema: str | None) -> Settings:
    settings = Settings()
    if schema is not None:
        settings = settings.model_copy(update={"database_schema": schema})
    return settings


schema_option = click.option(
    "--schema", default=None, help="Schema to use instead of ECO2_DATABASE_SCHEMA."
)


@click.group()
def db() -> None:
    """PostgreSQL of the domains (characters, scan jobs): migrations and the catalogue."""


@db.command()
@schema_option
@click.option("--no-seed", is_flag=True, help="Migrate only; do not sync the characters.")
def upgrade(schema: str | None, no_seed: bool) -> None:
    """Migrate to the newest revision and sync the character catalogue (idempotent)."""
    settings = _settings(schema)

    async def run() -> int:
        engine = engine_from_settings(settings)
        try:
            return await prepare_database(engine, settings.database_schema, seed=not no_seed)
        finally:
            await engine.dispose()

    synced = asyncio.run(run())
    click.echo(f"schema {settings.database_schema}: at head, {synced} characters synced")


@db.command()
@schema_option
@click.argument("revision", default="base")
def downgrade(schema: str | None, revision: str) -> None:
    """Migrate down to REVISION (default: base, which drops the domain tables)."""
    settings = _settings(schema)

    async def run() -> None:
        engine = engine_from_settings(settings)
        try:
            await downgrade_schema(engine, settings.database_schema, revision)
        finally:
            await engine.dispose()

    asyncio.run(run())
    click.echo(f"schema {settings.database_schema}: at {revision}")
