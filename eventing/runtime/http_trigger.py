"""A function over HTTP: functions-framework's app, with Knative replies and a clean 400.

``create_http_app`` takes a built function (its instance made by its factory, like every other
trigger's) and serves it with the app ``functions_framework.create_app`` makes for the
function's source file, so the request handling, logging and server are the framework's, as
under ``functions-framework --signature-type cloudevent``. Then it:

- answers a malformed CloudEvent, or one whose data is not what its type carries, with
  ``400 {"error": "<what is wrong>"}``;
- serves the reply the way Knative expects: the reply event in binary mode (200 + ``ce-*``
  headers), or 202 with no body when the handler returned None;
- adds ``GET /healthz`` (the instance's ``alive()``), ``GET /readyz`` (its ``ready()``) and
  ``GET /metrics`` (the process's Prometheus metrics, such as its LLM calls by provider).

``serve_http`` runs it under gunicorn as functions-framework does, calling the instance's
``start()`` in the worker process (then returning the heap pages it freed to the kernel) and
``stop()`` when it exits (what the master imported is
frozen out of the garbage collector before the fork, so the worker shares those pages instead
of copying them); SIGTERM lets in-flight requests
finish for ``grace_s``. It goes through gunicorn's documented custom
application API (``gunicorn.app.base.BaseApplication``), not functions-framework's private
``_http.create_server``, with the framework's defaults: its ``THREADS`` (CPUs × 4),
``GUNICORN_LOG_LEVEL`` (error) and ``CLOUD_RUN_TIMEOUT_SECONDS`` (0: none) variables, and no
limit on the request line.

Flask views are sync: an ``async def`` handler (and its async hooks) runs on the process's one
event-loop thread (``loop.BRIDGE``, started on first use), so the clients it opens in ``start``
stay valid for every request.
"""

from __future__ import annotations

import ctypes
import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import functions_framework
from gunicorn.app.base import BaseApplication
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from eventing.bindings.http import from_http
from eventing.exceptions import HandlerLoadError, InvalidPayloadError
from eventing.runtime.loader import Function
from eventing.runtime.loop import BRIDGE
from eventing.runtime.reply import install, reply_response

SIGNATURE_TYPE = "cloudevent"


def create_http_app(function: Function) -> flask.Flask:
    """The WSGI app serving ``function`` (built by its factory)."""
    path = Path(function.source).resolve()
    try:
        # The framework imports the source and registers its factory as the route's target;
        # the route's view is replaced below by one that calls the built instance.
        app = functions_framework.create_app(function.target, str(path), SIGNATURE_TYPE)
    except Exception as exc:  # the framework raises its own types and the module's own errors
        raise HandlerLoadError(
            f"cannot serve {function.name} from file {path}: {type(exc).__name__}: {exc}"
        ) from exc
    install(app)
    handle = function.handle

    def run(path: str = "") -> flask.Response:
        # ``validate_request`` already turned a malformed event into a 400.
        event = from_http(flask.request.headers, flask.request.get_data())  # type: ignore[arg-type]  # werkzeug Headers: no Mapping, but has the items() and dict() from_http uses
        try:
            return reply_response(BRIDGE.call(handle, event))
        except InvalidPayloadError as exc:  # the event is well formed, its data is not
            return flask.make_response({"error": str(exc)}, 400)

    def alive() -> tuple[str, int]:
        return ("ok", 200) if function.is_alive() else ("not alive", 503)

    def ready() -> tuple[str, int]:
        return ("ready", 200) if function.is_ready() else ("not ready", 503)

    def metrics() -> flask.Response:
        # One gunicorn worker per pod (see GunicornServer), so the default registry is the
        # whole process's.
        return flask.Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    app.view_functions[SIGNATURE_TYPE] = run
    app.add_url_rule("/healthz", "healthz", alive, methods=["GET"])
    app.add_url_rule("/readyz", "readyz", ready, methods=["GET"])
    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
    return app


class GunicornServer(BaseApplication):
    """``app`` under gunicorn, configured as functions-framework configures it, plus ``options``."""

    def __init__(self, app: flask.Flask, host: str, port: int, **options: Any) -> None:
        self.options: dict[str, Any] = {
            "bind": f"{host}:{port}",
            "workers": 1,
            "threads": int(os.environ.get("THREADS", (os.cpu_count() or 1) * 4)),
            "loglevel": os.environ.get("GUNICORN_LOG_LEVEL", "error"),
            "limit_request_line": 0,
            "timeout": int(os.environ.get("CLOUD_RUN_TIMEOUT_SECONDS", 0)),
            **options,
        }
        self.application = app
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:  # the WSGI callable gunicorn serves
        return self.application


def _freeze_before_fork(_server: object, _worker: object) -> None:
    """Move everything the master imported (the function's modules, the framework) out of the
    garbage collector's reach, so the forked worker's collections do not write to those objects
    and copy the pages it shares with its master: a pod is charged both processes' pages."""
    gc.freeze()


def _collect_in_worker(_server: object, _worker: object) -> None:
    """The worker collects garbage again (``eco2 function serve-http`` turns collection off in
    the master while it imports; a master that never did leaves it on, and this changes
    nothing)."""
    gc.enable()


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the kernel (glibc's ``malloc_trim``).

    ``start()`` runs on the loop's thread, whose malloc arena glibc does not trim by itself: a
    model built there leaves its build buffers free but resident (rule's Kiwi: ~20 MB), and the
    pod's memory is charged for them. Elsewhere than glibc there is nothing to ask."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):
        return
    trim(0)


def _start_then_release(start: Callable[[], Any]) -> None:
    BRIDGE.call(start)
    release_freed_memory()


def server_options(function: Function, grace_s: float = 25.0) -> dict[str, Any]:
    """gunicorn's options for serving ``function`` (its hooks included)."""
    options: dict[str, Any] = {
        "workers": 1,  # one process per pod; Knative/KEDA scale pods, not workers
        "graceful_timeout": max(1, int(grace_s)),
        "pre_fork": _freeze_before_fork,
        "post_fork": _collect_in_worker,
    }
    if function.start is not None:
        start = function.start
        options["post_worker_init"] = lambda _worker: _start_then_release(start)
    stop = function.stop

    def worker_exit(_server: object, _worker: object) -> None:
        if stop is not None:
            BRIDGE.call(stop)
        BRIDGE.close()

    options["worker_exit"] = worker_exit
    return options


def serve_http(
    function: Function, *, host: str = "0.0.0.0", port: int = 8080, grace_s: float = 25.0
) -> None:
    """Serve ``function`` until SIGTERM/SIGINT (blocks)."""
    app = create_http_app(function)
    GunicornServer(app, host, port, **server_options(function, grace_s)).run()
