"""Secrets never reach a log: ``eco2 serve`` with every key set, its providers unreachable (so the
error paths, which quote requests, run), a scan through an OpenAI model that falls back to the
local one and a chat turn; then every line any process wrote is searched for each key."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest

from domains.vision.render import random_spec, render_mark
from tests.e2e.conftest import cleanup
from tests.e2e.support import (
    Scan,
    follow_to_end,
    free_port,
    isolated_env,
    serve_argv,
    sign_up_and_in,
    spawn,
)

pytestmark = pytest.mark.timeout(300)

SECRETS = {
    "ECO2_LLM__OPENAI_API_KEY": "sk-proj-SECRETopenai7f3a9",
    "ECO2_LLM__GEMINI_API_KEY": "AIzaSECRETgemini51c2e",
    "ECO2_LOCATION__KAKAO_REST_API_KEY": "SECRETkakao0b8d41",
    "ECO2_CHAT__KMA_SERVICE_KEY": "SECRETkma9e77c2",
}


def test_no_configured_key_appears_in_any_log(tmp_path: Path) -> None:
    unique = f"s{time.time_ns() % 10**12:x}"
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: every call fails fast
    env = isolated_env(unique)
    env.update(SECRETS)
    env.update(
        ECO2_LLM__OPENAI_BASE_URL=f"{closed}/v1",
        ECO2_LLM__GEMINI_BASE_URL=closed,
        ECO2_LOCATION__KAKAO_BASE_URL=closed,
        ECO2_CHAT__KMA_BASE_URL=closed,
        ECO2_LOG_LEVEL="DEBUG",
        # Each provider's SDK retries a refused connection before the chain falls back.
        ECO2_RUNTIME__HANDLER_TIMEOUT_S="20",
        ECO2_RUNTIME__CLAIM_IDLE_MS="30000",
    )
    port = free_port()
    serve = spawn("serve", serve_argv(port), env, tmp_path)
    try:
        serve.wait_for(r"listening on http://127\.0\.0\.1:\d+", 90)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            sign_up_and_in(client)
            response = client.post(
                "/api/v1/scans",
                files={
                    "image": ("m.png", render_mark(random_spec("무색페트", None, 0)), "image/png")
                },
                data={"hint": "투명 페트병", "model": "gpt-4o-mini"},
            )
            assert response.status_code == 202, response.text
            body = response.json()
            scan = Scan(body["job_id"], body["result_url"], body["events_url"])
            assert follow_to_end(client, scan) == "done"
            chat = client.post("/api/v1/chats", json={}).json()
            turn = client.post(
                f"/api/v1/chats/{chat['chat_id']}/messages",
                json={
                    "text": "강남구 오늘 날씨 어때? 페트병은 어디 버려?",
                    "model": "gemini-2.0-flash",
                },
            )
            assert turn.status_code == 202, turn.text
            events = turn.json()["events_url"]
            assert follow_to_end(client, Scan(turn.json()["job_id"], "", events)) in (
                "done",
                "needs_input",
            )
        # The chat worker tokenized in eco2 serve's analysis service, not with a Kiwi of its own.
        analyser = f"http://127.0.0.1:{env['ECO2_KNOWLEDGE__ANALYSER_PORT']}/metrics"
        assert 'endpoint="tokenize",status="200"' in httpx.get(analyser, timeout=10).text
        settings = spawn("settings", [sys.executable, "-m", "eco2.cli", "settings"], env, tmp_path)
        settings.popen.wait(30)
    finally:
        serve.stop(20)
        cleanup(unique)
    logs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.log")}
    assert "serve.log" in logs and len(logs["serve.log"]) > 1000, logs.keys()
    leaks = [
        f"{name} in {log_name}"
        for log_name, text in logs.items()
        for name, secret in SECRETS.items()
        if secret in text
    ]
    assert leaks == [], leaks
    assert "analysis service unusable" not in logs["serve.log"]  # no fallback to its own Kiwi
