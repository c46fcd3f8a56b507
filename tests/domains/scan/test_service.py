"""Scan jobs on the real PostgreSQL: idempotent creation, the lifecycle, late events."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.db import session_factory
from domains.scan.exceptions import IdempotencyKeyReused, InvalidTransition, JobNotFound
from domains.scan.models import ScanJobRow
from domains.scan.service import ScanJobService

SHA_A = "a" * 64
SHA_B = "b" * 64


@pytest.fixture
def jobs(sessions: async_sessionmaker[AsyncSession]) -> ScanJobService:
    return ScanJobService(sessions)


async def _count(sessions: async_sessionmaker[AsyncSession], user: str) -> int:
    async with sessions() as session:
        return await session.scalar(
            select(func.count()).select_from(ScanJobRow).where(ScanJobRow.user_id == user)
        )


async def test_create_then_get(jobs: ScanJobService, user: str) -> None:
    job, created = await jobs.create_job(user, "blob://a", SHA_A, hint="생수병", model="local")
    assert created
    assert (job.status, job.stage, job.progress) == ("queued", "queued", 0)
    assert (job.hint, job.image_ref, job.model, job.image_sha256) == (
        "생수병",
        "blob://a",
        "local",
        SHA_A,
    )
    assert await jobs.get_job(job.job_id) == job
    with pytest.raises(JobNotFound):
        await jobs.get_job("no-such-job")


async def test_idempotency_key_returns_the_same_job_per_user(
    jobs: ScanJobService, sessions: async_sessionmaker[AsyncSession], user: str, unique: str
) -> None:
    first, created = await jobs.create_job(user, "blob://a", SHA_A, idempotency_key="k1")
    again, created_again = await jobs.create_job(user, "blob://a2", SHA_A, idempotency_key="k1")
    assert created and not created_again
    assert again.job_id == first.job_id and again.image_ref == "blob://a"

    other_user, created_other = await jobs.create_job(
        f"other-{unique}", "blob://a", SHA_A, idempotency_key="k1"
    )
    assert created_other and other_user.job_id != first.job_id

    # Without a key every request is a new job.
    await jobs.create_job(user, "blob://a", SHA_A)
    await jobs.create_job(user, "blob://a", SHA_A)
    assert await _count(sessions, user) == 3

    with pytest.raises(IdempotencyKeyReused):
        await jobs.create_job(user, "blob://b", SHA_B, idempotency_key="k1")


async def test_a_key_whose_job_failed_before_it_was_queued_starts_a_new_attempt(
    jobs: ScanJobService, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    first, _ = await jobs.create_job(user, "blob://a", SHA_A, idempotency_key="retry")
    # The queue refused it (Redis down): the API failed it at ``queued`` and answered 503.
    await jobs.fail(first.job_id, "queued", "the scan could not be queued: down")
    retry, created = await jobs.create_job(user, "blob://a", SHA_A, idempotency_key="retry")
    assert created and retry.job_id != first.job_id and retry.status == "queued"
    # The failed attempt stays on record, keyless; the key now answers the new job.
    assert (await jobs.get_job(first.job_id)).status == "failed"
    again, created_again = await jobs.create_job(user, "blob://a", SHA_A, idempotency_key="retry")
    assert (again.job_id, created_again) == (retry.job_id, False)
    assert await _count(sessions, user) == 2


async def test_a_key_whose_job_failed_in_a_stage_still_answers_that_job(
    jobs: ScanJobService, user: str
) -> None:
    first, _ = await jobs.create_job(user, "blob://a", SHA_A, idempotency_key="ran")
    await jobs.update_stage(first.job_id, "vision", 10)
    await jobs.fail(first.job_id, "vision", "unreadable")
    again, created = await jobs.create_job(user, "blob://a", SHA_A, idempotency_key="ran")
    assert (again.job_id, created, again.status) == (first.job_id, False, "failed")


async def test_concurrent_creates_with_one_key_make_one_job(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    services = [ScanJobService(session_factory(engine)) for _ in range(4)]
    results = await asyncio.wait_for(
        asyncio.gather(
            *(s.create_job(user, "blob://c", SHA_A, idempotency_key="same") for s in services)
        ),
        timeout=20,
    )
    assert len({job.job_id for job, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert await _count(sessions, user) == 1


async def test_lifecycle_to_done_and_the_first_result_wins(jobs: ScanJobService, user: str) -> None:
    job, _ = await jobs.create_job(user, "blob://d")
    running = await jobs.update_stage(job.job_id, "vision", 25)
    assert (running.status, running.stage, running.progress) == ("running", "vision", 25)
    await jobs.update_stage(job.job_id, "answer", 75)

    late = await jobs.update_stage(job.job_id, "rule", 50)  # out of order: ignored
    assert (late.stage, late.progress) == ("answer", 75)

    done = await jobs.complete(job.job_id, {"category": "glass", "reward": {"received": True}})
    assert (done.status, done.stage, done.progress) == ("done", "done", 100)
    assert done.result == {"category": "glass", "reward": {"received": True}}
    assert done.finished_at is not None and done.terminal

    assert (await jobs.complete(job.job_id, {"category": "metal"})).result == done.result
    assert (await jobs.fail(job.job_id, "reward", "late")).status == "done"
    assert (await jobs.update_stage(job.job_id, "reward", 100)).stage == "done"
    assert await jobs.get_job(job.job_id) == done


async def test_failure_is_final_and_keeps_the_stage_and_reason(
    jobs: ScanJobService, user: str
) -> None:
    job, _ = await jobs.create_job(user, "blob://e")
    await jobs.update_stage(job.job_id, "rule", 50)
    failed = await jobs.fail(job.job_id, "rule", "규칙을 찾지 못했어요")
    assert (failed.status, failed.stage, failed.failure_reason) == (
        "failed",
        "rule",
        "규칙을 찾지 못했어요",
    )
    assert failed.finished_at is not None
    assert (await jobs.complete(job.job_id, {"x": 1})).status == "failed"
    with pytest.raises(ValueError):
        await jobs.fail(job.job_id, "teleport", "x")
    with pytest.raises(JobNotFound):
        await jobs.fail("no-such-job", "rule", "x")


async def test_needs_input_then_resume(jobs: ScanJobService, user: str) -> None:
    job, _ = await jobs.create_job(user, "blob://f")
    await jobs.update_stage(job.job_id, "rule", 50)
    asked = await jobs.needs_input(job.job_id, "무슨 재질인가요?")
    assert (asked.status, asked.stage, asked.question) == (
        "needs_input",
        "rule",
        "무슨 재질인가요?",
    )

    # A paused job does not move on stage events until it is resumed.
    assert (await jobs.update_stage(job.job_id, "answer", 75)).status == "needs_input"

    resumed = await jobs.resume(job.job_id, "플라스틱이에요", stage="rule", progress=25)
    assert (resumed.status, resumed.stage, resumed.progress) == ("running", "rule", 25)
    assert (resumed.answer, resumed.question) == ("플라스틱이에요", None)

    with pytest.raises(InvalidTransition):
        await jobs.resume(job.job_id, "again")
    await jobs.complete(job.job_id, {"ok": True})
    with pytest.raises(InvalidTransition):
        await jobs.needs_input(job.job_id, "too late?")
    with pytest.raises(JobNotFound):
        await jobs.resume("no-such-job", "x")


async def test_list_jobs_newest_first(jobs: ScanJobService, user: str) -> None:
    first, _ = await jobs.create_job(user, "blob://1")
    second, _ = await jobs.create_job(user, "blob://2")
    listed = await jobs.list_jobs(user)
    assert [j.job_id for j in listed] == [second.job_id, first.job_id]
    assert [j.job_id for j in await jobs.list_jobs(user, limit=1)] == [second.job_id]


async def test_bad_progress_is_refused(jobs: ScanJobService, user: str) -> None:
    job, _ = await jobs.create_job(user, "blob://g")
    with pytest.raises(ValueError):
        await jobs.update_stage(job.job_id, "vision", 101)


async def test_the_hot_writes_send_no_begin_or_commit(
    jobs: ScanJobService,
    sessions: async_sessionmaker[AsyncSession],
    user: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each is one atomic statement: a BEGIN/COMMIT pair would triple its round trips and hold
    the pooled connection three times as long (the API's pool capped throughput at 1,000 VU)."""
    import asyncpg.transaction

    from domains.character.service import CharacterService

    characters = CharacterService(sessions)
    await characters.match("glass")  # the engine's first connect and the catalogue copy: reads
    started: list[object] = []
    original = asyncpg.transaction.Transaction.start

    async def counted(self: asyncpg.transaction.Transaction) -> None:
        started.append(self)
        await original(self)

    monkeypatch.setattr(asyncpg.transaction.Transaction, "start", counted)
    job, _ = await jobs.create_job(user, image_ref="sha256:x", idempotency_key="k")
    again, created = await jobs.create_job(user, image_ref="sha256:x", idempotency_key="k")
    assert (again.job_id, created) == (job.job_id, False)
    done = await jobs.complete(job.job_id, {"ok": True})
    assert done.status == "done"
    reward = await characters.grant(user, "glass", job.job_id)
    assert reward.received and not reward.already_owned
    assert started == []


async def test_owner_is_answered_without_a_query_once_known(
    jobs: ScanJobService, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    """The stream authorizer asks for a job's owner on every connect: a job this service
    created, or looked up once, is answered from memory; an unknown one still asks the table."""
    statements: list[str] = []
    engine = sessions.kw["bind"]

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        job, _ = await jobs.create_job(user, "blob://o", SHA_A)
        statements.clear()
        assert await jobs.owner(job.job_id) == user
        assert statements == []

        fresh = ScanJobService(sessions)  # another process: it must ask once
        assert await fresh.owner(job.job_id) == user
        assert len(statements) == 1
        assert await fresh.owner(job.job_id) == user
        assert len(statements) == 1

        assert await fresh.owner("no-such-job") is None
        assert await fresh.owner("no-such-job") is None  # absence is never kept
        assert len(statements) == 3
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
