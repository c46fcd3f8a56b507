"""A function over HTTP: functions-framework's app, with Knative replies and a clean 400.

``create_http_app`` loads the function with ``functions_framework.create_app`` (so the code path
is the framework's, as under ``functions-framework --signature-type cloudevent``) and then:

- answers a malformed CloudEvent with ``400 {"error": "<what is missing>"}``;
- serves the reply the way Knative expects: the reply event in binary mode (200 + ``ce-*``
  headers), or 202 with no body when the handler returned None;
- adds ``GET /healthz`` (the process is up) and ``GET /readyz`` (the module's ``ready()``).

``serve_http`` runs it under gunicorn as functions-framework does, calling the module's
``start(settings)`` in the worker process and ``stop()`` when it exits; SIGTERM lets in-flight
requests finish for ``shutdown_grace_s``. It goes through gunicorn's documented custom
application API (``gunicorn.app.base.BaseApplication``), not functions-framework's private
``_http.create_server``, with the framework's defaults: its ``THREADS`` (CPUs × 4),
``GUNICORN_LOG_LEVEL`` (error) and ``CLOUD_RUN_TIMEOUT_SECONDS`` (0: none) variables, and no
limit on the request line.

Flask views are sync: an ``async def`` handler (and its async hooks) runs on the process's one
event-loop thread (``loop.BRIDGE``, started on first use), so the clients it opens in ``start``
stay valid for every request.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import flask
import functions_framework
from gunicorn.app.base import BaseApplication

from eco2.settings import Settings
from eventing.bindings.http import from_http
from eventing.exceptions import HandlerLoadError
from eventing.runtime.loader import Function, function_from_module
from eventing.runtime.loop import BRIDGE
from eventing.runtime.reply import install, reply_response

SIGNATURE_TYPE = "cloudevent"


def create_http_app(source: str | Path, target: str = "handle") -> tuple[flask.Flask, Function]:
    """The WSGI app serving ``target`` from ``source``, and the loaded function (for hooks)."""
    path = Path(source).resolve()
    if not path.is_file():
        raise HandlerLoadError(f"cannot load target {target!r}: file {path} does not exist")
    try:
        app = functions_framework.create_app(target, str(path), SIGNATURE_TYPE)
    except Exception as exc:  # the framework raises its own types and the module's own errors
        raise HandlerLoadError(
            f"cannot load target {target!r} from file {path}: {type(exc).__name__}: {exc}"
        ) from exc
    # The framework registered the module under its file stem; take the hooks from that very
    # module, not a second import of it.
    function = function_from_module(sys.modules[path.stem], path, target)
    install(app)
    raw = getattr(function.handle, "__wrapped__", function.handle)

    def run(path: str = "") -> flask.Response:
        # ``validate_request`` already turned a malformed event into a 400.
        event = from_http(flask.request.headers, flask.request.get_data())
        return reply_response(BRIDGE.call(raw, event))

    def ready() -> tuple[str, int]:
        return ("ready", 200) if function.is_ready() else ("not ready", 503)

    app.view_functions[SIGNATURE_TYPE] = run
    app.add_url_rule("/healthz", "healthz", lambda: "ok", methods=["GET"])
    app.add_url_rule("/readyz", "readyz", ready, methods=["GET"])
    return app, function


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

    def load(self) -> flask.Flask:
        return self.application


def serve_http(
    source: str | Path,
    target: str = "handle",
    *,
    host: str = "0.0.0.0",
    port: int = 8080,
    settings: Settings | None = None,
) -> None:
    """Serve the function until SIGTERM/SIGINT (blocks)."""
    settings = settings or Settings()
    app, function = create_http_app(source, target)
    options: dict[str, object] = {
        "workers": 1,  # one process per pod; Knative/KEDA scale pods, not workers
        "graceful_timeout": max(1, int(settings.runtime.shutdown_grace_s)),
    }
    if function.start is not None:
        start = function.start
        options["post_worker_init"] = lambda _worker: BRIDGE.call(start, settings)
    stop = function.stop

    def worker_exit(_server: object, _worker: object) -> None:
        if stop is not None:
            BRIDGE.call(stop)
        BRIDGE.close()

    options["worker_exit"] = worker_exit
    GunicornServer(app, host, port, **options).run()
