"""CloudEvents with typed payloads: the payload base, the progress step, and the helpers that
build, answer and read events.

Event types are reverse-DNS (``kr.eco2.<area>.<what>``). Each domain declares its own events in
an ``EventCatalog`` (the scan domain's is ``domains.scan.events.SCAN_EVENTS``), so a new service
adds its events without touching the transport. Payloads are frozen pydantic models serialised
as the CloudEvent's JSON data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from cloudevents.http import CloudEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eventing.exceptions import InvalidPayloadError, UnknownEventTypeError

SOURCE = "/eco2"

# The stages every job ends on, whatever its service: the stream closes after them.
TERMINAL_STAGES: frozenset[str] = frozenset({"done", "failed", "needs_input"})
TERMINAL_STATUSES: frozenset[str] = frozenset({"failed", "needs_input"})


class Payload(BaseModel):
    """Base of every event payload: frozen, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Progress(Payload):
    """One progress step of a job, as routed to SSE clients (docs/sse.md).

    ``stage`` is the service's own vocabulary (a scan's ``vision`` … ``reward``, a chat's phases)
    plus the terminal stages every job shares: ``done``, ``failed``, ``needs_input``.
    """

    # No tab or line break: the router's Pub/Sub lines are split on them (eventing/gateway/frame).
    job_id: str = Field(min_length=1, pattern=r"^[^\t\n\r]+$")
    seq: int = Field(ge=0, description="Per-job sequence; only grows.")
    stage: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    status: Literal["started", "completed", "token", "failed", "needs_input"]
    progress: int = Field(ge=0, le=100)
    payload: dict[str, Any] | None = None


P = TypeVar("P", bound=Payload)


class EventCatalog(Mapping[str, type[Payload]]):
    """A domain's table of event type → payload model; it builds only the events it names."""

    def __init__(self, types: Mapping[str, type[Payload]]) -> None:
        for event_type in types:
            if not event_type.startswith("kr.eco2."):
                raise ValueError(f"event type {event_type!r} is not under kr.eco2.")
        self._types = dict(types)

    def __getitem__(self, event_type: str) -> type[Payload]:
        return self._types[event_type]

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def make(self, event_type: str, payload: Payload, **attributes: Any) -> CloudEvent:
        """``make_event`` after checking that ``payload`` is what ``event_type`` carries."""
        model = self._types.get(event_type)
        if model is None:
            raise UnknownEventTypeError(f"unknown event type {event_type!r}")
        if not isinstance(payload, model):
            raise InvalidPayloadError(
                f"{event_type} carries {model.__name__}, got {type(payload).__name__}"
            )
        return make_event(event_type, payload, **attributes)

    def payload(self, event: CloudEvent) -> Payload:
        """The event's data validated against the model of its type."""
        model = self._types.get(event["type"])
        if model is None:
            raise UnknownEventTypeError(f"unknown event type {event['type']!r}")
        return payload_of(event, model)


def make_event(
    event_type: str,
    payload: Payload,
    *,
    subject: str | None = None,
    source: str = SOURCE,
    event_id: str | None = None,
) -> CloudEvent:
    """A CloudEvent of ``event_type`` whose JSON data is ``payload``."""
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


def payload_of(event: CloudEvent, model: type[P]) -> P:
    """Validate an event's data against ``model``."""
    try:
        return model.model_validate(event.data or {})
    except ValidationError as exc:
        raise InvalidPayloadError(f"{event['type']} (id {event['id']}): {exc}") from exc
