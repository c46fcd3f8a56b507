"""The HTTP trigger: our app (clean 400, Knative replies, probes) and the plain
``functions-framework`` command, both as real servers in subprocesses."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from eventing.bindings.http import from_http, to_binary
from eventing.events import Echo, make_event
from eventing.exceptions import HandlerLoadError
from eventing.runtime.http_trigger import GunicornServer, create_http_app
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
    event = make_event("kr.eco2.demo.echo", Echo(text=text), subject="job-9")
    message = to_binary(event)
    return dict(message.headers), message.body, event["subject"]


def test_app_replies_in_binary_mode_and_serves_probes() -> None:
    app, fn = create_http_app(ECHO)
    client = app.test_client()
    headers, body, subject = echo_request()
    response = client.post("/", headers=headers, data=body)
    assert response.status_code == 200
    reply = from_http(dict(response.headers), response.data)
    assert reply["type"] == "kr.eco2.demo.echo.replied" and reply["subject"] == subject
    assert reply.data["text"] == "안녕"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert fn.name == "echo.py:handle"


def test_app_gives_clean_400() -> None:
    app, _ = create_http_app(ECHO)
    response = app.test_client().post(
        "/", headers={"ce-id": "1", "ce-specversion": "1.0", "ce-type": "kr.eco2.demo.echo"}
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "binary CloudEvent is missing: ce-source"}
    plain = app.test_client().post("/", json={"text": "hi"})
    assert plain.status_code == 400
    assert "not a CloudEvent" in plain.get_json()["error"]


def test_undecorated_handler_still_replies_and_readiness_follows_ready(tmp_path: Path) -> None:
    source = tmp_path / "plain_fn.py"
    source.write_text("def handle(event):\n    return event\ndef ready():\n    return False\n")
    app, _ = create_http_app(source)
    headers, body, _ = echo_request()
    response = app.test_client().post("/", headers=headers, data=body)
    assert response.status_code == 200 and response.headers["ce-type"] == "kr.eco2.demo.echo"
    assert app.test_client().get("/readyz").status_code == 503


def test_load_errors_name_file_and_target(tmp_path: Path) -> None:
    with pytest.raises(HandlerLoadError, match=r"'handle'.*missing\.py does not exist"):
        create_http_app(tmp_path / "missing.py")
    with pytest.raises(HandlerLoadError, match=r"'nope'.*echo\.py"):
        create_http_app(ECHO, target="nope")


def test_functions_framework_command_serves_the_function() -> None:
    port = free_port()
    proc = Proc(
        [
            str(BIN / "functions-framework"),
            "--target",
            "handle",
            "--source",
            ECHO,
            "--signature-type",
            "cloudevent",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={"WORKERS": "1", "THREADS": "2"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_up(url, proc)
        headers, body, _ = echo_request("분리배출")
        response = httpx.post(url, headers=headers, content=body, timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["ce-type"] == "kr.eco2.demo.echo.replied"
        assert response.json()["text"] == "분리배출"
        bad = httpx.post(
            url, headers={"ce-id": "1", "ce-specversion": "1.0"}, content=b"{}", timeout=10
        )
        assert bad.status_code == 400
        assert bad.json() == {"error": "binary CloudEvent is missing: ce-source, ce-type"}
    finally:
        proc.kill()


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
        "from eventing.runtime import function\n"
        "_loop = None\n"
        "async def start(settings):\n"
        "    global _loop\n"
        "    _loop = asyncio.get_running_loop()\n"
        "@function\n"
        "async def handle(event):\n"
        "    assert asyncio.get_running_loop() is _loop, 'a request ran on another loop'\n"
        "    await asyncio.sleep(0)\n"
        "    return event\n"
    )
    app, function = create_http_app(source)
    assert function.is_async
    from eventing.runtime.loop import BRIDGE as bridge

    bridge.call(function.start, None)  # what serve_http's post_worker_init does
    try:
        for _ in range(2):
            headers, body, _ = echo_request()
            response = app.test_client().post("/", headers=headers, data=body)
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.headers["ce-type"] == "kr.eco2.demo.echo"
    finally:
        bridge.close()


def test_gunicorn_is_configured_as_functions_framework_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THREADS", "3")
    monkeypatch.delenv("GUNICORN_LOG_LEVEL", raising=False)
    monkeypatch.delenv("CLOUD_RUN_TIMEOUT_SECONDS", raising=False)
    app, _ = create_http_app(ECHO)
    server = GunicornServer(app, "127.0.0.1", 8123, graceful_timeout=7)
    cfg = server.cfg
    assert cfg.bind == ["127.0.0.1:8123"]
    assert (cfg.workers, cfg.threads, cfg.loglevel) == (1, 3, "error")
    assert (cfg.limit_request_line, cfg.timeout, cfg.graceful_timeout) == (0, 0, 7)
    assert server.load() is app
