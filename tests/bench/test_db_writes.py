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
    await db_writes.run(5, transaction)
    line = capsys.readouterr().out
    mode = "BEGIN … COMMIT" if transaction else "autocommit"
    assert re.match(rf"{mode}: 5 scans, [\d.]+ ms wall and [\d.]+ ms client CPU", line), line
    engine = create_engine(db_writes.URL)
    try:
        async with engine.connect() as conn:
            left = await conn.scalar(
                text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench\\_%'")
            )
    finally:
        await engine.dispose()
    assert left == 0


async def test_the_comparison_mode_leaves_the_services_on_autocommit() -> None:
    from domains.db import autocommit
    from domains.scan import service

    await db_writes.run(1, transaction=True)
    assert service.autocommit is autocommit
