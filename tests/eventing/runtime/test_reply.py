"""Knative reply semantics over HTTP: the reply event in binary mode, 202 for none, a clean 400."""

from __future__ import annotations

import flask
from cloudevents.http import CloudEvent

from eventing.bindings.http import from_http, to_binary
from eventing.events import make_event
from eventing.runtime.reply import install, reply_response
from tests.eventing.runtime.echo import Echo, EchoReply


def echo_event(text: str = "hi") -> CloudEvent:
    return make_event("kr.eco2.test.echo", Echo(text=text), subject="job-1")


def reply_to(event: CloudEvent) -> CloudEvent:
    answer = EchoReply(text=event.data["text"], handled_by="test")
    return make_event("kr.eco2.test.echo.replied", answer, subject=event["subject"])


def app_with(handler) -> flask.Flask:
    """A Flask app whose view answers with ``reply_response``, as the HTTP trigger's does."""
    app = flask.Flask("t")
    install(app)
    install(app)  # idempotent: one check, not two

    @app.post("/")
    def run() -> flask.Response:
        return reply_response(handler(from_http(flask.request.headers, flask.request.get_data())))

    return app


def test_reply_replaces_ok_with_binary_event() -> None:
    client = app_with(
        lambda e: make_event("kr.eco2.test.echo.replied", EchoReply(text="x", handled_by="h"))
    )
    message = to_binary(echo_event())
    response = client.test_client().post("/", headers=dict(message.headers), data=message.body)
    assert response.status_code == 200
    assert response.headers["ce-type"] == "kr.eco2.test.echo.replied"
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
