"""Properties of the CloudEvents bindings and the SSE resume point, by hypothesis.

Any event the SDK can hold comes back equal through every binding; any bytes and headers a
peer sends either read as a CloudEvent or raise ``MalformedEventError`` (which the runtime
answers 400 or dead-letters), never another exception; any Last-Event-ID is a seq or refused.
"""

from __future__ import annotations

import contextlib
import json
import string

from cloudevents.http import CloudEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from eventing.bindings.amqp import AmqpMessage, from_amqp, to_amqp
from eventing.bindings.http import from_http, to_binary, to_structured
from eventing.bindings.redis import from_stream_fields, to_stream_fields
from eventing.exceptions import MalformedEventError
from eventing.gateway.app import resume_point

# Attribute values travel as HTTP header values and AMQP strings: printable text.
ATTR = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.:/가나다", min_size=1, max_size=40
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
DATA = st.dictionaries(st.text(min_size=1, max_size=10), JSON, max_size=5)


def _event(kind: str, source: str, subject: str, data: dict[str, object]) -> CloudEvent:
    return CloudEvent(
        {"type": kind, "source": source, "subject": subject, "datacontenttype": "application/json"},
        data,
    )


def _same(a: CloudEvent, b: CloudEvent) -> None:
    for name in ("id", "type", "source", "subject", "specversion"):
        assert a[name] == b[name]
    assert a.data == b.data


@settings(max_examples=150, deadline=None)
@given(ATTR, ATTR, ATTR, DATA)
def test_every_binding_round_trips_an_event(
    kind: str, source: str, subject: str, data: dict[str, object]
) -> None:
    event = _event(kind, source, subject, data)
    for message in (to_binary(event), to_structured(event)):
        _same(event, from_http(message.headers, message.body))
    _same(event, from_amqp(to_amqp(event)))
    _same(event, from_stream_fields(to_stream_fields(event)))


HEADER_NAMES = st.sampled_from(
    ["ce-id", "ce-type", "ce-source", "ce-specversion", "content-type", "ce-subject", "x-other"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(HEADER_NAMES, st.text(max_size=30), max_size=7), st.binary(max_size=200))
def test_any_http_request_is_an_event_or_a_malformed_event_error(
    headers: dict[str, str], body: bytes
) -> None:
    with contextlib.suppress(MalformedEventError):
        from_http(headers, body)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "cloudEvents:id",
                "cloudEvents:type",
                "cloudEvents:source",
                "cloudEvents:specversion",
                "other",
            ]
        ),
        st.text(max_size=20) | st.binary(max_size=20) | st.integers(),
    ),
    st.binary(max_size=200),
    st.sampled_from([None, "application/json", "text/plain"]),
)
def test_any_amqp_message_is_an_event_or_a_malformed_event_error(
    headers: dict[str, object], body: bytes, content_type: str | None
) -> None:
    with contextlib.suppress(MalformedEventError):
        from_amqp(AmqpMessage(body, headers, content_type))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode())))
def test_any_stream_entry_is_an_event_or_a_malformed_event_error(raw: bytes) -> None:
    with contextlib.suppress(MalformedEventError):
        from_stream_fields({"ce": raw})


@given(st.text(max_size=40))
def test_a_resume_point_is_a_bounded_ascii_seq_or_refused(raw: str) -> None:
    after = resume_point(raw)
    if after is None:
        assert not (raw.isascii() and raw.isdigit() and len(raw) <= 18)
    else:
        assert raw.isascii() and raw.isdigit() and 0 <= after < 10**18


def test_digits_python_accepts_but_a_seq_does_not() -> None:
    assert [resume_point(raw) for raw in ("²", "①", "٣", "1" * 19, "", " 1")] == [None] * 6
    assert resume_point("0042") == 42
