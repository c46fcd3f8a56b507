"""Scan jobs in PostgreSQL: create (idempotently), follow the pipeline, finish or fail.

Rules the pipeline can rely on:

- ``create_job`` with an idempotency key: the first request for (user, key) creates the job; any
  later or concurrent one gets that same job and ``created=False`` (one INSERT … ON CONFLICT DO
  NOTHING, so two racing requests cannot both create). The same key with a different image
  (sha256) is ``IdempotencyKeyReused``. A key whose job failed before any stage took it (the
  queue refused it, or Redis lost it while queued) starts a new attempt: that is the retry the
  503 told the client to make, and answering the failed job would make it useless.
- Every change is one conditional ``UPDATE … RETURNING``: no read-modify-write races.
- ``update_stage`` only moves forward (progress never decreases), and only while the job is
  queued or running; late or duplicated stage events are ignored.
- ``done`` and ``failed`` are final: later ``complete``/``fail``/``update_stage`` calls return the
  job unchanged (the first result wins), so redelivered events are harmless.
- ``resume`` is the only way out of ``needs_input``; anything else is ``InvalidTransition``.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, Update, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.db import autocommit
from domains.scan.exceptions import IdempotencyKeyReused, InvalidTransition, JobNotFound
from domains.scan.models import ScanJobRow
from domains.scan.schemas import ACTIVE, STAGES, TERMINAL, JobView

_table = cast(Table, ScanJobRow.__table__)  # a mapped class's table (typed FromClause)
_job = _table.c
# The hot paths run Core statements and read plain rows: the ORM's per-call statement building
# and entity loading cost more CPU than the round trip (bench/db_writes.py). The INSERT is built
# once; each call only binds its values.
_VIEW = [_job[name] for name in JobView.model_fields]
_CREATE = (
    insert(_table)
    .on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"])
    .returning(*_VIEW)
)
# Frees the key of a job that failed while still queued, so the next request makes a new one.
_RELEASE_KEY = (
    update(_table)
    .where(
        _job.job_id == bindparam("target"),
        _job.status == "failed",
        _job.stage == "queued",
    )
    .values(idempotency_key=None, updated_at=func.now())
)


def _guarded(allowed: ColumnElement[bool], **values: Any) -> Update:
    """A transition: one conditional UPDATE … RETURNING of the job ``:target``, built once.

    Built per call, the statement and its cache key (walking every value) would cost more than
    the round trip; a statement built once keeps its cache key memoized.
    """
    return (
        update(_table)
        .where(_job.job_id == bindparam("target"), allowed)
        .values(**values, updated_at=func.now())
        .returning(*_VIEW)
    )


_TO_STAGE = _guarded(
    _job.status.in_(ACTIVE) & (_job.progress <= bindparam("p_progress")),
    status="running",
    stage=bindparam("p_stage"),
    progress=bindparam("p_progress"),
)
_COMPLETE = _guarded(
    _job.status.not_in(TERMINAL),
    status="done",
    stage="done",
    progress=100,
    result=bindparam("p_result", type_=_job.result.type),
    question=None,
    choices=None,
    finished_at=func.now(),
)
_FAIL = _guarded(
    _job.status.not_in(TERMINAL),
    status="failed",
    stage=bindparam("p_stage"),
    failure_reason=bindparam("p_reason"),
    finished_at=func.now(),
)
_ASK = _guarded(
    _job.status.in_(ACTIVE),
    status="needs_input",
    question=bindparam("p_question"),
    choices=bindparam("p_choices", type_=_job.choices.type),
)
_RESUME = _guarded(
    _job.status == "needs_input",
    status="running",
    stage=bindparam("p_stage"),
    progress=bindparam("p_progress"),
    answer=bindparam("p_answer"),
    question=None,
    choices=None,
)


def _view(row: Any) -> JobView:
    return JobView.model_validate(dict(row._mapping))


def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    return stage


# A job's owner never changes, so the service keeps the owners of the jobs it created or looked
# up: a client follows its scan over the connection that submitted it (keep-alive), so the same
# process authorizes the stream and the lookup costs no query. Bounded, oldest forgotten first.
OWNERS_KEPT = 50_000


class ScanJobService:
    """Repository of scan jobs; each call is one short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._owners: OrderedDict[str, str] = OrderedDict()

    def _remember(self, job_id: str, user_id: str) -> None:
        self._owners[job_id] = user_id
        if len(self._owners) > OWNERS_KEPT:
            self._owners.popitem(last=False)

    async def create_job(
        self,
        user_id: str,
        image_ref: str,
        image_sha256: str | None = None,
        hint: str | None = None,
        model: str | None = None,
        idempotency_key: str | None = None,
        job_id: str | None = None,
    ) -> tuple[JobView, bool]:
        """A new queued job, or the user's existing job for ``idempotency_key``."""
        values = {
            "job_id": job_id or str(uuid.uuid4()),
            "user_id": user_id,
            "idempotency_key": idempotency_key,
            "status": "queued",
            "stage": "queued",
            "progress": 0,
            "hint": hint,
            "image_ref": image_ref,
            "image_sha256": image_sha256,
            "model": model,
        }
        # Two tries at most: the second follows releasing a key whose job never got queued.
        for _attempt in range(2):
            async with autocommit(self._sessions) as connection:  # one atomic statement each
                row = (await connection.execute(_CREATE, values)).first()
                if row is not None:
                    self._remember(str(values["job_id"]), user_id)
                    return _view(row), True
                # Only a keyed request can conflict (NULL keys never do): the winner exists.
                found = await connection.execute(
                    select(*_VIEW).where(
                        _job.user_id == user_id, _job.idempotency_key == idempotency_key
                    )
                )
                existing = found.first()
                if existing is None:  # released by a concurrent retry: insert again
                    continue
                view = _view(existing)
                if view.status != "failed" or view.stage != "queued":
                    break
                await connection.execute(_RELEASE_KEY, {"target": view.job_id})
        else:  # pragma: no cover - a third racing retry won twice in a row
            raise JobNotFound(f"idempotency key {idempotency_key!r} kept conflicting")
        if image_sha256 and view.image_sha256 and view.image_sha256 != image_sha256:
            raise IdempotencyKeyReused(
                f"idempotency key {idempotency_key!r} was used for job {view.job_id} "
                "with a different image"
            )
        return view, False

    async def get_job(self, job_id: str) -> JobView:
        """The job; ``JobNotFound`` if there is none."""
        async with self._sessions() as session:
            row = await session.get(ScanJobRow, job_id)
        if row is None:
            raise JobNotFound(f"no scan job {job_id!r}")
        return JobView.model_validate(row)

    async def owner(self, job_id: str) -> str | None:
        """The user who submitted ``job_id``; None when there is no such job."""
        if (known := self._owners.get(job_id)) is not None:
            return known
        async with self._sessions() as session:
            user_id = await session.scalar(
                select(ScanJobRow.user_id).where(ScanJobRow.job_id == job_id)
            )
        if user_id is not None:
            self._remember(job_id, user_id)
        return user_id

    async def list_jobs(self, user_id: str, limit: int = 20) -> list[JobView]:
        """The user's most recent jobs, newest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ScanJobRow)
                .where(ScanJobRow.user_id == user_id)
                .order_by(ScanJobRow.created_at.desc(), ScanJobRow.job_id)
                .limit(limit)
            )
            return [JobView.model_validate(row) for row in rows]

    async def active_since(self, cutoff: datetime, limit: int = 200) -> list[JobView]:
        """Jobs still queued or running whose last change is older than ``cutoff``, oldest
        first (the sweeper's look for jobs whose live state may be lost)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ScanJobRow)
                .where(ScanJobRow.status.in_(ACTIVE), ScanJobRow.updated_at < cutoff)
                .order_by(ScanJobRow.updated_at)
                .limit(limit)
            )
            return [JobView.model_validate(row) for row in rows]

    async def ended_since(
        self, since: datetime, before: datetime, limit: int = 200
    ) -> list[JobView]:
        """Jobs that ended (done or failed) between ``since`` and ``before``, newest first (the
        sweeper's look for endings Redis lost before their client read them)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ScanJobRow)
                .where(
                    ScanJobRow.status.in_(TERMINAL),
                    ScanJobRow.updated_at >= since,
                    ScanJobRow.updated_at < before,
                )
                .order_by(ScanJobRow.updated_at.desc())
                .limit(limit)
            )
            return [JobView.model_validate(row) for row in rows]

    async def update_stage(self, job_id: str, stage: str, progress: int) -> JobView:
        """Record that the job reached ``stage`` at ``progress``; forward-only, see module doc."""
        _check_stage(stage)
        if not 0 <= progress <= 100:
            raise ValueError(f"progress must be 0..100, got {progress}")
        return await self._transition(job_id, _TO_STAGE, {"p_stage": stage, "p_progress": progress})

    async def complete(self, job_id: str, result: dict[str, Any]) -> JobView:
        """Finish the job with its result; a job already done or failed is left as it is."""
        return await self._transition(job_id, _COMPLETE, {"p_result": result})

    async def fail(self, job_id: str, stage: str, reason: str) -> JobView:
        """End the job without a result; ``stage`` is where it failed."""
        _check_stage(stage)
        return await self._transition(job_id, _FAIL, {"p_stage": stage, "p_reason": reason})

    async def needs_input(
        self, job_id: str, question: str, choices: list[dict[str, Any]] | None = None
    ) -> JobView:
        """Pause a queued or running job until the user answers ``question`` (in words, or by
        picking one of ``choices``)."""
        view = await self._transition(
            job_id, _ASK, {"p_question": question, "p_choices": choices or None}
        )
        if view.status != "needs_input":
            raise InvalidTransition(f"job {job_id} is {view.status}; it cannot ask a question")
        return view

    async def resume(
        self, job_id: str, answer: str, stage: str = "vision", progress: int = 0
    ) -> JobView:
        """Take the user's answer and put the job back to running at ``stage``."""
        _check_stage(stage)
        return await self._transition(
            job_id,
            _RESUME,
            {"p_stage": stage, "p_progress": progress, "p_answer": answer},
            require=True,
        )

    async def _transition(
        self,
        job_id: str,
        change: Update,
        params: dict[str, Any],
        require: bool = False,
    ) -> JobView:
        """Apply ``change`` (a guarded UPDATE above) if its guard holds; otherwise return the job
        as it is.

        With ``require`` a refused change is ``InvalidTransition`` instead.
        """
        async with autocommit(self._sessions) as connection:  # the guarded UPDATE is atomic
            changed = await connection.execute(change, {"target": job_id, **params})
            if (row := changed.first()) is not None:
                return _view(row)
            found = await connection.execute(select(*_VIEW).where(_job.job_id == job_id))
            current = found.first()
        if current is None:
            raise JobNotFound(f"no scan job {job_id!r}")
        if require:
            raise InvalidTransition(f"job {job_id} is {current.status}; it cannot resume")
        return _view(current)
