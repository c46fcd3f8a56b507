"""Knative reply semantics on top of functions-framework.

A Knative function answers a CloudEvent with another CloudEvent in the HTTP response (binary
mode, ``ce-*`` headers) or with 202 and no body when it has nothing to say. functions-framework
discards a cloudevent function's return value and always answers ``200 OK``, and its 400 for a
malformed event is a long dump of headers and exceptions; the HTTP trigger fixes both:

- ``validate_request`` (a ``before_request`` check) answers a malformed event with a clean
  ``400 {"error": "binary CloudEvent is missing: ce-source, ce-type"}``;
- ``reply_response`` turns the handler's result into the reply event (200, binary mode) or an
  empty 202.
"""

from __future__ import annotations

import flask
from cloudevents.http import CloudEvent

from eventing.bindings.http import from_http, to_binary
from eventing.exceptions import MalformedEventError

_INSTALLED = "eco2.runtime.reply"


def reply_response(reply: CloudEvent | None) -> flask.Response:
    """The HTTP response for a handler's result: the event in binary mode, or an empty 202."""
    if reply is None:
        return flask.Response(b"", status=202)
    message = to_binary(reply)
    return flask.Response(message.body, status=200, headers=dict(message.headers))


def validate_request() -> flask.Response | None:
    """``before_request`` hook: a POST that is no CloudEvent gets a 400 naming what is missing."""
    if flask.request.method != "POST":
        return None
    try:
        from_http(flask.request.headers, flask.request.get_data())  # type: ignore[arg-type]  # werkzeug Headers: no Mapping, but has the items() and dict() from_http uses
    except MalformedEventError as exc:
        return flask.make_response({"error": str(exc)}, 400)
    return None


def install(app: flask.Flask) -> None:
    """Add the clean-400 check to ``app`` once."""
    if app.extensions.get(_INSTALLED):
        return
    app.extensions[_INSTALLED] = True
    app.before_request(validate_request)
