from __future__ import annotations

import pytest

from eventing.bindings.amqp import AmqpMessage, from_amqp, to_amqp
from eventing.events import make_event
from eventing.exceptions import MalformedEventError
from tests.eventing.runtime.echo import Echo


def test_amqp_round_trip_binary_mode() -> None:
    event = make_event("kr.eco2.test.echo", Echo(text="비닐"), subject="job-9")
    message = to_amqp(event)
    assert message.headers["cloudEvents:type"] == "kr.eco2.test.echo"
    assert message.message_id == event["id"] and message.content_type == "application/json"
    back = from_amqp(message)
    assert back["subject"] == "job-9" and back.data == event.data


def test_amqp_missing_headers_are_named() -> None:
    message = AmqpMessage(b"{}", {"cloudEvents:id": "1", "cloudEvents:specversion": "1.0"})
    with pytest.raises(MalformedEventError, match="cloudEvents:source, cloudEvents:type"):
        from_amqp(message)


def test_amqp_header_values_may_arrive_as_bytes() -> None:
    event = make_event("kr.eco2.test.echo", Echo(text="x"))
    message = to_amqp(event)
    raw = AmqpMessage(
        message.body, {k: v.encode() for k, v in message.headers.items()}, message.content_type
    )
    assert from_amqp(raw)["type"] == "kr.eco2.test.echo"


def test_amqp_body_that_is_not_json() -> None:
    message = to_amqp(make_event("kr.eco2.test.echo", Echo(text="x")))
    bad = AmqpMessage(b"{oops", message.headers, "application/json")
    with pytest.raises(MalformedEventError, match="not JSON"):
        from_amqp(bad)
