from __future__ import annotations

import pytest
from cloudevents.conversion import to_json as sdk_to_json
from cloudevents.http import CloudEvent
from cloudevents.http import from_json as sdk_from_json

from eventing.bindings.redis import from_stream_fields, to_stream_fields
from eventing.events import make_event
from eventing.exceptions import MalformedEventError
from tests.eventing.runtime.echo import Echo


def test_stream_fields_round_trip_and_readable_copies() -> None:
    event = make_event("kr.eco2.test.echo", Echo(text="캔"), subject="j")
    fields = to_stream_fields(event)
    assert fields["type"] == b"kr.eco2.test.echo" and fields["id"] == event["id"].encode()
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


# The binding writes and reads the structured format itself (the SDK's path cost 12 % of a
# stage's CPU); the SDK stays the oracle: each side must read what the other writes.
SDK_CASES = [
    CloudEvent({"type": "t", "source": "/s", "id": "1", "subject": "j"}, {"k": ["캔", 1, None]}),
    CloudEvent({"type": "t", "source": "/s", "id": "2", "datacontenttype": "text/plain"}, "txt"),
    CloudEvent({"type": "t", "source": "/s", "id": "3"}, None),
    CloudEvent({"type": "t", "source": "/s", "id": "4", "ext": "x"}, b"\x00\xffbin"),
    CloudEvent({"type": "t", "source": "/s", "id": "5"}, {"f": 0.1, "n": {"s": 'a"\n\t'}}),
]


@pytest.mark.parametrize("event", SDK_CASES, ids=lambda e: e["id"])
def test_written_documents_read_the_same_by_the_sdk_and_back(event: CloudEvent) -> None:
    raw = to_stream_fields(event)["ce"]
    for back in (sdk_from_json(raw), from_stream_fields({b"ce": raw})):
        assert back.get_attributes() == sdk_from_json(sdk_to_json(event)).get_attributes()
        assert back.data == event.data


@pytest.mark.parametrize("event", SDK_CASES, ids=lambda e: e["id"])
def test_sdk_written_documents_are_read(event: CloudEvent) -> None:
    back = from_stream_fields({b"ce": sdk_to_json(event)})
    expected = sdk_from_json(sdk_to_json(event))
    assert back.get_attributes() == expected.get_attributes() and back.data == expected.data


@pytest.mark.parametrize(
    "raw",
    [b"[1, 2]", b'{"source": "/s", "id": "1"}', b'{"specversion": "9.9", "type": "t"}', b"{"],
    ids=["not-an-object", "no-type", "bad-specversion", "truncated"],
)
def test_documents_that_are_no_cloudevent_are_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedEventError, match="not a CloudEvent"):
        from_stream_fields({b"ce": raw})
