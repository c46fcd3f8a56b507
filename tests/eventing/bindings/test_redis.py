from __future__ import annotations

import pytest

from eventing.bindings.redis import from_stream_fields, to_stream_fields
from eventing.events import Echo, make_event
from eventing.exceptions import MalformedEventError


def test_stream_fields_round_trip_and_readable_copies() -> None:
    event = make_event("kr.eco2.demo.echo", Echo(text="캔"), subject="j")
    fields = to_stream_fields(event)
    assert fields["type"] == b"kr.eco2.demo.echo" and fields["id"] == event["id"].encode()
    as_redis_returns = {k.encode(): v for k, v in fields.items()}
    back = from_stream_fields(as_redis_returns)
    assert back["id"] == event["id"] and back.data == {"text": "캔", **_defaults()}


def _defaults() -> dict:
    return {"fail_times": 0, "poison": False, "sleep_s": 0.0}


def test_entry_without_ce_field_is_malformed() -> None:
    with pytest.raises(MalformedEventError, match="no 'ce' field"):
        from_stream_fields({b"other": b"1"})


def test_entry_with_garbage_is_malformed() -> None:
    with pytest.raises(MalformedEventError, match="not a CloudEvent"):
        from_stream_fields({b"ce": b"not json"})
