"""CloudEvents as Redis Stream entries.

One entry holds the structured JSON of the event in ``ce`` plus ``type`` and ``id`` copied out,
so ``XRANGE`` is readable by a person and consumers can filter without parsing.
"""

from __future__ import annotations

from collections.abc import Mapping

from cloudevents.conversion import to_json
from cloudevents.http import CloudEvent, from_json

from eventing.exceptions import MalformedEventError

FIELD = "ce"


def to_stream_fields(event: CloudEvent) -> dict[str, bytes]:
    """The field map to pass to ``XADD``."""
    return {FIELD: to_json(event), "type": event["type"].encode(), "id": event["id"].encode()}


def from_stream_fields(fields: Mapping[bytes | str, bytes | str]) -> CloudEvent:
    """Read back an entry written by ``to_stream_fields``."""
    raw = fields.get(FIELD, fields.get(FIELD.encode()))  # type: ignore[call-overload]
    if raw is None:
        raise MalformedEventError(
            f"stream entry has no {FIELD!r} field: {sorted(map(str, fields))}"
        )
    try:
        return from_json(raw)
    except Exception as exc:  # the SDK raises several unrelated types here
        raise MalformedEventError(f"stream entry is not a CloudEvent: {exc}") from exc
