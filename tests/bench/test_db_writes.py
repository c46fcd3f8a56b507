"""The kept PostgreSQL-writes benchmark runs in both modes and leaves no schema behind."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from bench import db_writes
from domains.db import create_engine


@pytest.mark.parametrize("transaction", [False, True])
async def test_it_times_a_scan_s_writes_and_drops_its_schema(
    transaction: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await _bench_schemas()
    await db_writes.run(5, transaction)
    line = capsys.readouterr().out
    mode = "BEGIN … COMMIT" if transaction else "autocommit"
    assert re.match(rf"{mode}: 5 scans, [\d.]+ ms wall and [\d.]+ ms client CPU", line), line
    # Only its own: another bench (a cold-start or chat run) may hold a schema meanwhile.
    assert await _bench_schemas() <= before


async def _bench_schemas() -> set[str]:
    engine = create_engine(db_writes.URL)
    try:
        async with engine.connect() as conn:
            names = await conn.scalars(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'")
            )
            return set(names)
    finally:
        await engine.dispose()


async def test_the_comparison_mode_leaves_the_services_on_autocommit() -> None:
    from domains.db import autocommit
    from domains.scan import service

    await db_writes.run(1, transaction=True)
    assert service.autocommit is autocommit
