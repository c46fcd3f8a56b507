"""The public shapes of a scan job: its lifecycle vocabulary and the read model ``JobView``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

# ``stage`` is the pipeline step a job last reached (``domains.scan.events.Stage``); the
# progress log's ``failed``/``needs_input`` stages are statuses here, see ``Status``.
from domains.scan.events import STAGES, Stage

__all__ = ["ACTIVE", "STAGES", "TERMINAL", "JobView", "Stage", "Status"]

# Lifecycle: queued → running → (needs_input → running)* → done | failed.
Status = Literal["queued", "running", "needs_input", "done", "failed"]
TERMINAL: frozenset[str] = frozenset({"done", "failed"})
ACTIVE: tuple[str, ...] = ("queued", "running")


class JobView(BaseModel):
    """A scan job as the API and the pipeline read it."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    job_id: str
    user_id: str
    status: Status
    stage: Stage
    progress: int
    hint: str | None = None
    image_ref: str
    image_sha256: str | None = None
    model: str | None = None
    idempotency_key: str | None = None
    question: str | None = None
    choices: list[dict[str, Any]] | None = None
    answer: str | None = None
    failure_reason: str | None = None
    result: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None

    @property
    def terminal(self) -> bool:
        """Done or failed: later stage events no longer change the job."""
        return self.status in TERMINAL
