"""The JSON bodies of the scan API (request and response models)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from domains.knowledge.models import CategoryKey


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable reason (clients branch on it).")
    message: str = Field(description="Human-readable explanation.")


class ErrorOut(BaseModel):
    """Every 4xx/5xx body: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


class ScanAccepted(BaseModel):
    """A scan was queued (or replayed for the same idempotency key): where to follow it."""

    job_id: str
    status: str = "queued"
    events_url: str
    result_url: str


class ScanStatusOut(BaseModel):
    """A job as ``GET /api/v1/scans/{job_id}`` reports it; fields depend on ``status``."""

    job_id: str
    status: Literal["queued", "running", "needs_input", "done", "failed"]
    stage: str
    progress: int
    result: dict[str, Any] | None = None
    question: str | None = None
    choices: list[dict[str, Any]] | None = None
    failure_reason: str | None = None


class AnswerIn(BaseModel):
    """The user's answer to a ``needs_input`` question: in words, a picked category, or both."""

    text: str | None = Field(None, min_length=1, max_length=2_000)
    choice: CategoryKey | None = Field(
        None, description="A category key, usually one of the question's choices; it decides."
    )

    @model_validator(mode="after")
    def _says_something(self) -> AnswerIn:
        if self.text is None and self.choice is None:
            raise ValueError("give the answer's text, a choice (a category key), or both")
        return self


def urls(job_id: str) -> dict[str, str]:
    """The two URLs a client follows a job with."""
    return {"events_url": f"/api/v1/scans/{job_id}/events", "result_url": f"/api/v1/scans/{job_id}"}
