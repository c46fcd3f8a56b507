"""CloudEvents as Redis Stream entries.

One entry holds the structured JSON of the event in ``ce`` plus ``type`` and ``id`` copied out,
so ``XRANGE`` is readable by a person and consumers can filter without parsing.

The JSON is the CloudEvents structured format, written and read here directly when the data is
JSON and by the SDK's ``to_json``/``from_json`` otherwise (binary data): the SDK goes through its
HTTP marshaller and a second event model, a visible share of a stage worker's CPU per event
(bench/stage.py measures it). Both paths write and read the same documents
(tests/eventing/bindings/test_redis.py checks them against the SDK).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cloudevents.conversion import to_json
from cloudevents.http import CloudEvent, from_json

from eventing.exceptions import MalformedEventError

FIELD = "ce"


def to_stream_fields(event: CloudEvent) -> dict[str, bytes]:
    """The field map to pass to ``XADD``."""
    return {FIELD: _to_json(event), "type": event["type"].encode(), "id": event["id"].encode()}


def from_stream_fields(fields: Mapping[bytes | str, bytes | str]) -> CloudEvent:
    """Read back an entry written by ``to_stream_fields``."""
    raw = fields.get(FIELD, fields.get(FIELD.encode()))
    if raw is None:
        raise MalformedEventError(
            f"stream entry has no {FIELD!r} field: {sorted(map(str, fields))}"
        )
    try:
        return _from_json(raw)
    except Exception as exc:  # the SDK raises several unrelated types here
        raise MalformedEventError(f"stream entry is not a CloudEvent: {exc}") from exc


def _to_json(event: CloudEvent) -> bytes:
    data = event.data
    if not isinstance(data, bytes | bytearray | memoryview):
        document: dict[str, Any] = {**event.get_attributes(), "data": data}
        try:
            return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        except TypeError:  # not JSON: the SDK decides what becomes of it
            pass
    return to_json(event)


def _from_json(raw: bytes | str) -> CloudEvent:
    document = json.loads(raw)
    if not isinstance(document, dict) or "data_base64" in document:
        return from_json(raw)  # the SDK's errors and its base64 data
    data = document.pop("data", None)
    return CloudEvent(document, data)
