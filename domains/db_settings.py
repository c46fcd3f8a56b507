"""The PostgreSQL settings every process reads (``ECO2_DATABASE_*``), apart from the engine code
of ``domains.db``: reading them must not import SQLAlchemy, which the functions that never open
the database (vision, rule, answer) would otherwise load at every cold start."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DatabaseSettings(BaseModel):
    """PostgreSQL, the record of truth of every domain; flat fields mixed into a root settings
    class (``ECO2_DATABASE_URL``, ``ECO2_DATABASE_SCHEMA``, …)."""

    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test", description="SQLAlchemy URL."
    )
    database_schema: str = Field(
        "eco2",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="Schema of the domain tables (search_path); tests use their own.",
    )
    # Every process has its own pool: (API replicas + stage workers) x (pool + overflow) must
    # stay under PostgreSQL's max_connections, or inserts fail under load. No overflow by
    # default: an overflow connection is closed when returned, so a busy process would open a
    # new one per transaction; waiting for a pooled one is cheaper.
    database_pool_size: int = Field(
        8, ge=1, description="Connections a process keeps open (opened on demand)."
    )
    database_max_overflow: int = Field(
        0, ge=0, description="Extra connections under load, each closed after its transaction."
    )
