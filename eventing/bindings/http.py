"""CloudEvents over HTTP, binary and structured mode, with errors that name what is missing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from cloudevents import exceptions as ce_exceptions
from cloudevents.conversion import to_binary as _sdk_to_binary
from cloudevents.conversion import to_structured as _sdk_to_structured
from cloudevents.http import CloudEvent
from cloudevents.http import from_http as _sdk_from_http

from eventing.exceptions import MalformedEventError

REQUIRED = ("id", "source", "type", "specversion")
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"


@dataclass(frozen=True)
class HttpMessage:
    """An HTTP request or response carrying one CloudEvent."""

    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


def to_binary(event: CloudEvent) -> HttpMessage:
    """Attributes as ``ce-*`` headers, data as the body."""
    headers, body = _sdk_to_binary(event)
    return HttpMessage(dict(headers), body or b"")


def to_structured(event: CloudEvent) -> HttpMessage:
    """The whole event as one ``application/cloudevents+json`` document."""
    headers, body = _sdk_to_structured(event)
    return HttpMessage(dict(headers), body or b"")


def from_http(headers: Mapping[str, str], body: bytes | str | None) -> CloudEvent:
    """Read a CloudEvent in either mode; ``MalformedEventError`` says exactly what is wrong."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw = body.encode() if isinstance(body, str) else (body or b"")
    structured = lowered.get("content-type", "").startswith(STRUCTURED_CONTENT_TYPE)
    if structured:
        missing = _missing_structured(raw)
    else:
        missing = [f"ce-{name}" for name in REQUIRED if f"ce-{name}" not in lowered]
        if len(missing) == len(REQUIRED):
            raise MalformedEventError(
                "not a CloudEvent: no ce-* headers (binary mode) and Content-Type is not "
                f"{STRUCTURED_CONTENT_TYPE} (structured mode); missing " + ", ".join(missing)
            )
    if missing:
        mode = "structured" if structured else "binary"
        raise MalformedEventError(f"{mode} CloudEvent is missing: {', '.join(missing)}")
    try:
        return _sdk_from_http(dict(headers), raw)
    except ce_exceptions.GenericException as exc:
        raise MalformedEventError(f"invalid CloudEvent: {exc}") from exc


def _missing_structured(raw: bytes) -> list[str]:
    try:
        document = json.loads(raw or b"null")
    except ValueError as exc:
        raise MalformedEventError(f"structured CloudEvent body is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise MalformedEventError("structured CloudEvent body must be a JSON object")
    return [name for name in REQUIRED if not document.get(name)]
