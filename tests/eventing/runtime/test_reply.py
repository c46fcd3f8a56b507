"""Knative reply semantics of the ``function`` decorator, inside and outside a Flask request."""

from __future__ import annotations

import flask
from cloudevents.http import CloudEvent

from eventing.bindings.http import to_binary
from eventing.events import Echo, EchoReply, make_event
from eventing.runtime import function


def echo_event(text: str = "hi") -> CloudEvent:
    return make_event("kr.eco2.demo.echo", Echo(text=text), subject="job-1")


def reply_to(event: CloudEvent) -> CloudEvent:
    answer = EchoReply(text=event.data["text"], handled_by="test")
    return make_event("kr.eco2.demo.echo.replied", answer, subject=event["subject"])


def app_with(handler) -> flask.Flask:
    """A Flask app that calls the handler and answers "OK", as functions-framework does."""
    app = flask.Flask("t")
    with app.app_context():  # functions-framework imports the module inside this context
        handle = function(handler)

    @app.post("/")
    def run() -> str:
        handle(CloudEvent({"type": "kr.eco2.demo.echo", "source": "/t"}, {"text": "hi"}))
        return "OK"

    return app


def test_direct_call_is_pure_and_returns_the_event() -> None:
    handle = function(reply_to)
    event = echo_event("안녕")
    reply = handle(event)
    assert reply["type"] == "kr.eco2.demo.echo.replied"
    assert reply.data == {"text": "안녕", "handled_by": "test"}
    assert handle.__name__ == "reply_to" and handle.__wrapped__ is reply_to


def test_reply_replaces_ok_with_binary_event() -> None:
    client = app_with(
        lambda e: make_event("kr.eco2.demo.echo.replied", EchoReply(text="x", handled_by="h"))
    )
    message = to_binary(echo_event())
    response = client.test_client().post("/", headers=dict(message.headers), data=message.body)
    assert response.status_code == 200
    assert response.headers["ce-type"] == "kr.eco2.demo.echo.replied"
    assert response.headers["ce-specversion"] == "1.0"
    assert response.get_json() == {"text": "x", "handled_by": "h"}


def test_none_reply_is_202_with_empty_body() -> None:
    message = to_binary(echo_event())
    response = (
        app_with(lambda e: None)
        .test_client()
        .post("/", headers=dict(message.headers), data=message.body)
    )
    assert response.status_code == 202
    assert response.data == b""


def test_malformed_event_gets_a_400_naming_the_missing_attributes() -> None:
    client = app_with(lambda e: None).test_client()
    response = client.post(
        "/",
        headers={"ce-id": "1", "ce-specversion": "1.0"},
        data=b"{}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "binary CloudEvent is missing: ce-source, ce-type"}


def test_structured_mode_missing_attributes_are_named() -> None:
    client = app_with(lambda e: None).test_client()
    response = client.post(
        "/", data=b'{"specversion": "1.0", "id": "1"}', content_type="application/cloudevents+json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "structured CloudEvent is missing: source, type"
