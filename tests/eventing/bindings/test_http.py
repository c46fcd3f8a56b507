from __future__ import annotations

import json

import pytest

from eventing.bindings.http import from_http, to_binary, to_structured
from eventing.events import make_event
from eventing.exceptions import MalformedEventError
from tests.eventing.runtime.echo import Echo


def sample():
    return make_event("kr.eco2.test.echo", Echo(text="안녕 페트병"), subject="job-1")


def test_binary_round_trip_keeps_attributes_and_data() -> None:
    event = sample()
    message = to_binary(event)
    assert message.headers["ce-type"] == "kr.eco2.test.echo"
    back = from_http(message.headers, message.body)
    assert back["id"] == event["id"] and back["subject"] == "job-1"
    assert back.data == event.data


def test_structured_round_trip() -> None:
    event = sample()
    message = to_structured(event)
    assert message.headers["content-type"].startswith("application/cloudevents+json")
    assert json.loads(message.body)["type"] == "kr.eco2.test.echo"
    assert from_http(message.headers, message.body).data == event.data


def test_binary_missing_attributes_are_named() -> None:
    headers = {"ce-specversion": "1.0", "ce-id": "1", "content-type": "application/json"}
    with pytest.raises(MalformedEventError, match="missing: ce-source, ce-type"):
        from_http(headers, b"{}")


def test_plain_request_says_it_is_not_a_cloudevent() -> None:
    with pytest.raises(MalformedEventError, match="not a CloudEvent"):
        from_http({"content-type": "application/json"}, b'{"hello": 1}')


def test_structured_missing_attributes_are_named() -> None:
    headers = {"content-type": "application/cloudevents+json"}
    body = json.dumps({"specversion": "1.0", "id": "1"}).encode()
    with pytest.raises(MalformedEventError, match="missing: source, type"):
        from_http(headers, body)


def test_structured_body_that_is_not_json() -> None:
    with pytest.raises(MalformedEventError, match="not JSON"):
        from_http({"content-type": "application/cloudevents+json"}, b"{oops")
