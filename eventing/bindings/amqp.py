"""CloudEvents as AMQP 0-9-1 messages (RabbitMQ), binary mode.

Attributes travel as headers prefixed ``cloudEvents:`` (the CloudEvents AMQP binding), the data
as the body, ``datacontenttype`` as the content type; ``message_id`` and ``type`` mirror the
event's id and type so RabbitMQ's own tools show them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudevents import exceptions as ce_exceptions
from cloudevents.http import CloudEvent

from eventing.exceptions import MalformedEventError

PREFIX = "cloudEvents:"
REQUIRED = ("id", "source", "type", "specversion")


@dataclass(frozen=True)
class AmqpMessage:
    """What an AMQP publisher sends or a consumer receives, transport-neutral."""

    body: bytes
    headers: Mapping[str, Any] = field(default_factory=dict)
    content_type: str | None = None
    message_id: str | None = None
    type: str | None = None


def to_amqp(event: CloudEvent) -> AmqpMessage:
    """Binary-mode AMQP message for ``event``."""
    attributes = dict(event.get_attributes())
    content_type = attributes.pop("datacontenttype", "application/json")
    headers = {f"{PREFIX}{name}": str(value) for name, value in attributes.items()}
    data = event.data
    if isinstance(data, bytes):
        body = data
    elif data is None:
        body = b""
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return AmqpMessage(body, headers, content_type, event["id"], event["type"])


def from_amqp(message: AmqpMessage) -> CloudEvent:
    """Read a binary-mode AMQP message back into a CloudEvent."""
    try:
        attributes = {
            name[len(PREFIX) :]: _text(value)
            for name, value in message.headers.items()
            if name.startswith(PREFIX)
        }
    except UnicodeDecodeError as exc:
        raise MalformedEventError(f"AMQP CloudEvent header is not UTF-8: {exc}") from exc
    missing = [f"{PREFIX}{name}" for name in REQUIRED if not attributes.get(name)]
    if missing:
        raise MalformedEventError(f"AMQP CloudEvent is missing headers: {', '.join(missing)}")
    content_type = message.content_type or "application/json"
    attributes["datacontenttype"] = content_type
    data: Any = message.body
    if "json" in content_type:
        try:
            data = json.loads(message.body) if message.body else None
        except ValueError as exc:
            raise MalformedEventError(f"AMQP CloudEvent body is not JSON: {exc}") from exc
    try:
        return CloudEvent(attributes, data)
    except ce_exceptions.GenericException as exc:  # an unknown specversion, say
        raise MalformedEventError(f"invalid AMQP CloudEvent: {exc}") from exc


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
