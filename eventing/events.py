"""Typed payloads of every CloudEvent Eco² emits, and the table that names their types.

Event types are reverse-DNS (``kr.eco2.<area>.<what>``). ``EVENT_TYPES`` is the single table of
type → payload model; ``docs/events.md`` is generated from it (``eco2 events``) and a test keeps
the two in step. Payloads are frozen pydantic models serialised as the CloudEvent's JSON data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from cloudevents.http import CloudEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eventing.exceptions import InvalidPayloadError, UnknownEventTypeError

SOURCE = "/eco2"
Stage = Literal["queued", "vision", "rule", "answer", "reward", "done", "failed", "needs_input"]


class Payload(BaseModel):
    """Base of every event payload: frozen, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ScanRequested(Payload):
    """A scan was accepted by the API; the vision stage starts from here."""

    job_id: str = Field(min_length=1)
    user_id: str = "anonymous"
    image_ref: str = Field(min_length=1, description="Where the image bytes are (blob key or URL).")
    image_bytes: int | None = Field(
        None, ge=0, description="The image's size, so vision can budget memory before fetching."
    )
    hint: str | None = Field(None, description="What the user typed about the item, if anything.")
    model: str | None = Field(None, description="LLM model for this scan; settings decide if None.")


class VisionResult(Payload):
    """What vision recognised: the item, the words read off it, where that came from."""

    item: str | None = Field(None, description="A short item description, Korean.")
    text: str = Field("", description="Everything read or given, as the rule stage's input.")
    marks: list[str] = Field(default_factory=list, description="Recycling-mark words found.")
    parts: list[str] = Field(default_factory=list)
    source: Literal["ocr", "hint", "llm", "ocr+hint", "none"] = "none"
    confidence: float = Field(0.0, ge=0.0, le=1.0)


class RuleResult(Payload):
    """The disposal category and the rules found for it (the rule classifier's output)."""

    text: str = Field("", description="The text that was classified.")
    category: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    item: str | None = None
    parts: list[dict[str, Any]] = Field(default_factory=list, description="name, category, steps")
    rules: list[dict[str, Any]] = Field(default_factory=list, description="id, title, category")
    tags: list[str] = Field(default_factory=list, description="Situation tags found in the text.")
    method: str = "none"


class AnswerResult(Payload):
    """The disposal guidance written for the person."""

    text: str
    steps: list[str] = Field(default_factory=list)
    model: str = "local"


class RewardResult(Payload):
    """The character matched to the category and whether the user already had it."""

    received: bool
    already_owned: bool = False
    character: str | None = None
    dialog: str | None = None


class ScanState(Payload):
    """The job as it travels the pipeline; each stage fills its own field and passes it on."""

    request: ScanRequested
    vision: VisionResult | None = None
    rule: RuleResult | None = None
    answer: AnswerResult | None = None
    reward: RewardResult | None = None


class ScanFailed(Payload):
    """A scan ended without a result; ``reason`` is shown to the client."""

    job_id: str
    stage: Stage
    reason: str


class ScanNeedsInput(Payload):
    """The item could not be identified; the client is asked a question and may answer it."""

    job_id: str
    question: str
    state: ScanState


class Progress(Payload):
    """One progress step of a job, as routed to SSE clients (see docs/events.md)."""

    # No tab or line break: the router's Pub/Sub lines are split on them (eventing/gateway/frame).
    job_id: str = Field(min_length=1, pattern=r"^[^\t\n\r]+$")
    seq: int = Field(ge=0, description="Per-job sequence; only grows.")
    stage: Stage
    status: Literal["started", "completed", "token", "failed", "needs_input"]
    progress: int = Field(ge=0, le=100)
    payload: dict[str, Any] | None = None


class Echo(Payload):
    """A message for the demo handler and runtime tests: the handler echoes or fails on it."""

    text: str
    fail_times: int = Field(0, ge=0, description="Test aid: fail this many attempts, then succeed.")
    poison: bool = Field(False, description="Test aid: always fail.")
    sleep_s: float = Field(0.0, ge=0.0, description="Test aid: work this long.")


class EchoReply(Payload):
    """The demo handler's answer."""

    text: str
    handled_by: str


EVENT_TYPES: dict[str, type[Payload]] = {
    "kr.eco2.scan.requested": ScanState,
    "kr.eco2.scan.vision.completed": ScanState,
    "kr.eco2.scan.rule.completed": ScanState,
    "kr.eco2.scan.answer.completed": ScanState,
    "kr.eco2.scan.reward.completed": ScanState,
    "kr.eco2.scan.needs_input": ScanNeedsInput,
    "kr.eco2.scan.failed": ScanFailed,
    "kr.eco2.scan.progress": Progress,
    "kr.eco2.demo.echo": Echo,
    "kr.eco2.demo.echo.replied": EchoReply,
}

P = TypeVar("P", bound=Payload)


def make_event(
    event_type: str,
    payload: Payload,
    *,
    subject: str | None = None,
    source: str = SOURCE,
    event_id: str | None = None,
) -> CloudEvent:
    """Build a CloudEvent whose data is ``payload``; the type must be in ``EVENT_TYPES``."""
    model = EVENT_TYPES.get(event_type)
    if model is None:
        raise UnknownEventTypeError(f"unknown event type {event_type!r}")
    if not isinstance(payload, model):
        raise InvalidPayloadError(
            f"{event_type} carries {model.__name__}, got {type(payload).__name__}"
        )
    attributes: dict[str, Any] = {
        "type": event_type,
        "source": source,
        "id": event_id or str(uuid.uuid4()),
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
    }
    if subject:
        attributes["subject"] = subject
    return CloudEvent(attributes, payload.model_dump(mode="json"))


_REPLY_NAMESPACE = uuid.UUID("6b1d8a52-3c9e-4f1a-9a57-2f0e6c1d4e10")


def reply_to(event: CloudEvent, event_type: str, payload: Payload) -> CloudEvent:
    """The event that follows ``event``: same subject (job), and an id derived from the incoming
    id and the reply type, so a handler retried after a crash emits the very same id and the
    next stage's dedupe drops the duplicate."""
    event_id = str(uuid.uuid5(_REPLY_NAMESPACE, f"{event['id']}:{event_type}"))
    return make_event(event_type, payload, subject=event.get("subject"), event_id=event_id)


def payload_of(event: CloudEvent, model: type[P] | None = None) -> P:
    """Validate an event's data against the model of its type (or ``model`` when given)."""
    event_type = event["type"]
    expected = model or EVENT_TYPES.get(event_type)
    if expected is None:
        raise UnknownEventTypeError(f"unknown event type {event_type!r}")
    try:
        return expected.model_validate(event.data or {})  # type: ignore[return-value]
    except ValidationError as exc:
        raise InvalidPayloadError(f"{event_type} (id {event['id']}): {exc}") from exc
