"""The hot PostgreSQL writes of a scan, one after another: wall and CPU time per scan.

    .venv/bin/python bench/db_writes.py [--scans 500] [--transaction]

A scan writes three rows in the hot path: the API creates the job, the reward stage grants a
character, the last stage completes the job. Each is one atomic statement, run in autocommit
(``domains.db.autocommit``: one round trip, on a connection without an ORM session).
``--transaction`` runs each in an ORM session's BEGIN … COMMIT instead, as before, for the
comparison. Runs on the loopback PostgreSQL in a throw-away schema.
Result in bench/RESULTS.md ("What changed in session 5").
"""

from __future__ import annotations

import argparse
import contextlib
import time
import uuid

import uvloop
from sqlalchemy import text

from domains.character import service as character_service
from domains.character.catalogue import prepare_database
from domains.db import create_engine, session_factory
from domains.scan import service as scan_service

URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@contextlib.asynccontextmanager
async def _in_a_transaction(sessions):
    """``autocommit``'s stand-in: an ORM session's connection in BEGIN … COMMIT (as before)."""
    async with sessions() as session, session.begin():
        yield await session.connection()


@contextlib.contextmanager
def _without_autocommit():
    """Make the services write in a transaction instead of ``domains.db.autocommit``."""
    saved = scan_service.autocommit, character_service.autocommit
    scan_service.autocommit = character_service.autocommit = _in_a_transaction  # type: ignore[assignment]
    try:
        yield
    finally:
        scan_service.autocommit, character_service.autocommit = saved


async def run(scans: int, transaction: bool) -> None:
    with _without_autocommit() if transaction else contextlib.nullcontext():
        await _run(scans, transaction)


async def _run(scans: int, transaction: bool) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(URL, schema=schema, pool_size=4, max_overflow=0)
    try:
        await prepare_database(engine, schema)
        sessions = session_factory(engine)
        jobs = scan_service.ScanJobService(sessions)
        characters = character_service.CharacterService(sessions)
        await characters.match("glass")  # the catalogue copy, loaded once

        async def one(n: int) -> None:
            job, _ = await jobs.create_job(f"u{n % 50}", image_ref="sha256:x")
            await characters.grant(job.user_id, "glass", job.job_id)
            await jobs.complete(job.job_id, {"ok": True})

        for n in range(50):  # warm the pool and SQLAlchemy's statement cache
            await one(n)
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(scans):
            await one(n)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        mode = "BEGIN … COMMIT" if transaction else "autocommit"
        print(
            f"{mode}: {scans} scans, {wall / scans * 1e3:.2f} ms wall and "
            f"{cpu / scans * 1e3:.2f} ms client CPU per scan (3 writes)"
        )
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--transaction", action="store_true", help="BEGIN … COMMIT per write")
    args = parser.parse_args()
    uvloop.run(run(args.scans, args.transaction))


if __name__ == "__main__":
    main()
