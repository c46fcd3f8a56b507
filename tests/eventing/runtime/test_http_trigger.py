"""The HTTP trigger: functions-framework's app serving a function built by its factory (clean
400, Knative replies, probes), in process and as ``eco2 function serve-http`` in a subprocess."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import httpx
import pytest

from eventing.bindings.http import from_http, to_binary
from eventing.events import make_event
from eventing.runtime.http_trigger import GunicornServer, create_http_app, server_options
from eventing.runtime.loader import load_function
from tests.eventing.runtime.echo import Echo
from tests.eventing.runtime.helpers import BIN, ECHO, Proc, free_port


def wait_up(url: str, proc: Proc, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.post(url, timeout=1.0)
            return
        except httpx.TransportError:
            if proc.popen.poll() is not None:
                raise AssertionError(f"server exited:\n{proc.output()}") from None
            time.sleep(0.1)
    raise AssertionError(f"server did not come up:\n{proc.output()}")


def echo_request(text: str = "안녕") -> tuple[dict[str, str], bytes, str]:
    event = make_event("kr.eco2.test.echo", Echo(text=text), subject="job-9")
    message = to_binary(event)
    return dict(message.headers), message.body, event["subject"]


def test_app_replies_in_binary_mode_and_serves_probes() -> None:
    fn = load_function(ECHO)
    client = create_http_app(fn).test_client()
    headers, body, subject = echo_request()
    response = client.post("/", headers=headers, data=body)
    assert response.status_code == 200
    reply = from_http(dict(response.headers), response.data)
    assert reply["type"] == "kr.eco2.test.echo.replied" and reply["subject"] == subject
    assert reply.data["text"] == "안녕"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert fn.name == "echo.py:new"


def test_app_gives_clean_400() -> None:
    app = create_http_app(load_function(ECHO))
    response = app.test_client().post(
        "/", headers={"ce-id": "1", "ce-specversion": "1.0", "ce-type": "kr.eco2.test.echo"}
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "binary CloudEvent is missing: ce-source"}
    plain = app.test_client().post("/", json={"text": "hi"})
    assert plain.status_code == 400
    assert "not a CloudEvent" in plain.get_json()["error"]


def test_readiness_and_liveness_follow_the_instance(tmp_path: Path) -> None:
    source = tmp_path / "plain_fn.py"
    source.write_text(
        "class F:\n"
        "    def handle(self, event):\n        return event\n"
        "    def ready(self):\n        return False\n"
        "    def alive(self):\n        return False\n"
        "def new():\n    return F()\n"
    )
    app = create_http_app(load_function(source))
    headers, body, _ = echo_request()
    response = app.test_client().post("/", headers=headers, data=body)
    assert response.status_code == 200 and response.headers["ce-type"] == "kr.eco2.test.echo"
    assert app.test_client().get("/readyz").status_code == 503
    assert app.test_client().get("/healthz").status_code == 503


def test_eco2_serve_http_names_a_missing_file(tmp_path: Path) -> None:
    proc = Proc([str(BIN / "eco2"), "function", "serve-http", str(tmp_path / "missing.py")])
    assert proc.popen.wait(timeout=30) != 0
    assert "missing.py: the file does not exist" in proc.output()


def test_eco2_serve_http_stops_gracefully_on_sigterm() -> None:
    port = free_port()
    proc = Proc(
        [
            str(BIN / "eco2"),
            "function",
            "serve-http",
            ECHO,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={"THREADS": "2"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_up(url, proc)
        assert httpx.get(url + "readyz", timeout=5).status_code == 200
        headers, body, _ = echo_request()
        assert httpx.post(url, headers=headers, content=body, timeout=10).status_code == 200
        assert proc.terminate() == 0
    finally:
        proc.kill()


def test_an_async_function_is_served_with_its_clients_on_one_loop(tmp_path: Path) -> None:
    source = tmp_path / "async_fn.py"
    source.write_text(
        "import asyncio\n"
        "class F:\n"
        "    loop = None\n"
        "    async def start(self):\n"
        "        self.loop = asyncio.get_running_loop()\n"
        "    async def handle(self, event):\n"
        "        assert asyncio.get_running_loop() is self.loop, 'a request ran on another loop'\n"
        "        await asyncio.sleep(0)\n"
        "        return event\n"
        "def new():\n    return F()\n"
    )
    function = load_function(source)
    app = create_http_app(function)
    assert function.is_async and function.start is not None
    from eventing.runtime.loop import BRIDGE as bridge

    bridge.call(function.start)  # what serve_http's post_worker_init does
    try:
        for _ in range(2):
            headers, body, _ = echo_request()
            response = app.test_client().post("/", headers=headers, data=body)
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.headers["ce-type"] == "kr.eco2.test.echo"
    finally:
        bridge.close()


def test_gunicorn_is_configured_as_functions_framework_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THREADS", "3")
    monkeypatch.delenv("GUNICORN_LOG_LEVEL", raising=False)
    monkeypatch.delenv("CLOUD_RUN_TIMEOUT_SECONDS", raising=False)
    app = create_http_app(load_function(ECHO))
    server = GunicornServer(app, "127.0.0.1", 8123, graceful_timeout=7)
    cfg = server.cfg
    assert cfg.bind == ["127.0.0.1:8123"]
    assert (cfg.workers, cfg.threads, cfg.loglevel) == (1, 3, "error")
    assert (cfg.limit_request_line, cfg.timeout, cfg.graceful_timeout) == (0, 0, 7)
    assert server.load() is app


def test_the_master_freezes_what_it_imported_before_forking_its_worker() -> None:
    # Frozen objects are never written by the worker's collections, so their pages stay shared
    # with the master instead of being copied (a pod's memory, bench/RESULTS.md "Cold start").
    options = server_options(load_function(ECHO), grace_s=7)
    assert (options["workers"], options["graceful_timeout"]) == (1, 7)
    before = gc.get_freeze_count()
    try:
        options["pre_fork"](None, None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_the_worker_collects_again_after_a_master_that_imported_without_collecting() -> None:
    # ``eco2 function serve-http`` turns collection off while the master imports; the forked
    # worker must turn it back on, or a long-running pod would never free a reference cycle.
    options = server_options(load_function(ECHO), grace_s=7)
    gc.disable()
    try:
        options["post_fork"](None, None)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_data_of_the_wrong_shape_or_not_json_gets_a_400_with_the_reason() -> None:
    app = create_http_app(load_function(ECHO)).test_client()
    headers = {
        "ce-id": "1",
        "ce-specversion": "1.0",
        "ce-source": "/t",
        "ce-type": "kr.eco2.test.echo",
        "content-type": "application/json",
    }
    wrong = app.post("/", headers=headers, data=b'{"nope": 1}')
    assert wrong.status_code == 400 and "text" in wrong.get_json()["error"]
    not_json = app.post("/", headers=headers, data=b"{not json")
    assert not_json.status_code == 400 and not_json.get_json()["error"]


def test_app_serves_the_process_metrics() -> None:
    # Whatever the process registered (here a counter of this test) is on /metrics, in
    # Prometheus' text format, beside the function's own route.
    from prometheus_client import Counter

    counter = Counter("eco2_test_http_trigger_scrapes", "A counter only this test moves.")
    counter.inc(3)
    client = create_http_app(load_function(ECHO)).test_client()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "eco2_test_http_trigger_scrapes_total 3.0" in response.get_data(as_text=True)
