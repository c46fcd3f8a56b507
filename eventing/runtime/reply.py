"""Knative reply semantics on top of functions-framework.

A Knative function answers a CloudEvent with another CloudEvent in the HTTP response (binary
mode, ``ce-*`` headers) or with 202 and no body when it has nothing to say. functions-framework
3.10 discards a cloudevent function's return value and always answers ``200 OK``, and its 400 for
a malformed event is a long dump of headers and exceptions. The ``function`` decorator fixes
both without changing what a handler is: called directly it is still the pure
``handle(event) -> CloudEvent | None`` (or its ``async def`` form), so tests and the queue
workers call it as it is.

- While functions-framework imports the module it holds its Flask app context; the decorator
  uses it to register a ``before_request`` check that answers a malformed event with a clean
  ``400 {"error": "binary CloudEvent is missing: ce-source, ce-type"}``.
- Inside a request it registers ``after_this_request`` to replace the framework's ``OK`` with
  the reply event (200, binary mode) or an empty 202.
"""

from __future__ import annotations

import functools
from typing import Any

import flask
from cloudevents.http import CloudEvent

from eventing.bindings.http import from_http, to_binary
from eventing.exceptions import MalformedEventError
from eventing.runtime.loader import Handler, is_async
from eventing.runtime.loop import BRIDGE

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
        from_http(flask.request.headers, flask.request.get_data())
    except MalformedEventError as exc:
        return flask.make_response({"error": str(exc)}, 400)
    return None


def install(app: flask.Flask) -> None:
    """Add the clean-400 check to ``app`` once (the decorator and the HTTP trigger both call it)."""
    if app.extensions.get(_INSTALLED):
        return
    app.extensions[_INSTALLED] = True
    app.before_request(validate_request)


def function(handler: Handler) -> Handler:
    """Mark ``handler`` as an Eco² function: pure when called, Knative-like over HTTP.

    An ``async def`` handler stays one to its callers (``loader.is_async`` sees through the
    wrapper; triggers and tests await what it returns); only inside a Flask request, where the
    framework calls it synchronously, it runs to its end on the process's ``BRIDGE`` loop.
    """
    if flask.has_app_context():  # being imported by functions_framework.create_app
        install(flask.current_app._get_current_object())  # type: ignore[attr-defined]

    def answer(reply: CloudEvent | None) -> CloudEvent | None:
        if flask.has_request_context():
            flask.after_this_request(lambda _response: reply_response(reply))
        return reply

    if is_async(handler):

        @functools.wraps(handler)  # ``is_async`` sees through it: triggers await the coroutine
        def handle_async(event: CloudEvent) -> Any:
            if flask.has_request_context():  # functions-framework's sync view
                return answer(BRIDGE.call(handler, event))
            return handler(event)

        return handle_async

    @functools.wraps(handler)
    def handle(event: CloudEvent) -> CloudEvent | None:
        return answer(handler(event))  # type: ignore[arg-type]

    return handle
