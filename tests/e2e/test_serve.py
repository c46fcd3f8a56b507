"""``eco2 serve`` end to end on the real Redis, RabbitMQ and PostgreSQL: the API, the router,
the gateway's SSE and a worker per stage, driven over HTTP like a client."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domains.vision.render import random_spec, render_mark, render_photo_without_mark
from tests.e2e.conftest import cleanup
from tests.e2e.support import (
    Proc,
    alive,
    follow_to_end,
    free_port,
    isolated_env,
    serve_argv,
    sign_up_and_in,
    spawn,
    submit,
)

pytestmark = pytest.mark.timeout(90)

ORDER = [
    ("vision", "started"),
    ("vision", "completed"),
    ("rule", "started"),
    ("rule", "completed"),
    ("answer", "started"),
    ("answer", "completed"),
    ("reward", "started"),
    ("reward", "completed"),
    ("done", "completed"),
]
MARK = render_mark(random_spec("무색페트", None, 0))  # OCR reads it as clear PET
# A hint the classifier is not sure of (test_unsure_hint_asks in tests/functions/test_rule.py).
UNSURE = "스티로폼 박스에 담긴 유리병"  # glass or styrofoam: which one is thrown away?


def start_serve(unique: str, logs: Path, *args: str) -> tuple[Proc, httpx.Client]:
    port = free_port()
    proc = spawn("serve", serve_argv(port, *args), isolated_env(unique), logs)
    proc.wait_for(r"listening on http://127\.0\.0\.1:\d+", 75)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20.0)
    return proc, sign_up_and_in(client)


def child_pids(serve: Proc) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"started (\S+) pid=(\d+)", serve.text())}


def assert_completed(client: httpx.Client, steps: list[tuple[str, str]], job_id: str) -> dict:
    assert [s for s in steps if s[0] != "queued"] == ORDER
    result = client.get(f"/api/v1/scans/{job_id}")
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["status"] == "done"
    assert body["result"]["rule"]["category"] == "clear_pet"
    return body


@pytest.fixture(scope="module")
def redis_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, httpx.Client]]:
    unique = f"e{time.time_ns() % 10**12:x}"
    proc, client = start_serve(unique, tmp_path_factory.mktemp("serve"))
    try:
        yield proc, client
    finally:
        client.close()
        proc.stop()
        cleanup(unique)


@pytest.fixture(scope="module")
def redis_system(redis_serve: tuple[Proc, httpx.Client]) -> httpx.Client:
    return redis_serve[1]


def test_scan_reports_every_stage_in_order_then_the_result(redis_system: httpx.Client) -> None:
    scan = submit(redis_system, MARK)
    assert follow_to_end(redis_system, scan) == "done"
    body = assert_completed(redis_system, scan.steps, scan.job_id)
    done = scan.seen[-1][1]
    assert done["progress"] == 100 and done["payload"]["rule"]["category"] == "clear_pet"
    assert body["result"]["reward"]["character"]


def analyser_tokenized(serve: Proc) -> float:
    """Tokenize requests eco2 serve's analysis service answered, from its /metrics."""
    port = re.search(r"analysis service on port (\d+)", serve.text())
    assert port, serve.text()[-2000:]
    metrics = httpx.get(f"http://127.0.0.1:{port[1]}/metrics", timeout=10).text
    line = 'eco2_analyser_requests_total{endpoint="tokenize",status="200"} '
    found = [row for row in metrics.splitlines() if row.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


def test_the_rule_worker_classifies_through_the_analysis_service(
    redis_serve: tuple[Proc, httpx.Client],
) -> None:
    # No chat turn here: the second scan's new hint can only have been tokenized by the rule
    # worker (chat's worker is idle; rule's start sent its warm-up texts before).
    serve, client = redis_serve
    for n in range(2):  # the first scan waits for the worker's start; the second is measured
        before = analyser_tokenized(serve)
        hint = f"검은 비닐 봉지 {time.time_ns() % 10**9}"  # a text no worker has analysed yet
        scan = submit(client, render_photo_without_mark(seed=5 + n), hint=hint)
        assert follow_to_end(client, scan) in ("done", "needs_input"), scan.steps
        assert ("rule", "started") in scan.steps
    assert analyser_tokenized(serve) > before
    assert "analysis service unusable" not in serve.text()  # no fallback to its own Kiwi


def test_photo_without_mark_asks_then_the_answer_completes_it(redis_system: httpx.Client) -> None:
    scan = submit(redis_system, render_photo_without_mark(seed=3))
    assert follow_to_end(redis_system, scan) == "needs_input", scan.steps
    assert scan.steps[-1] == ("needs_input", "needs_input")
    question = scan.seen[-1][1]["payload"]["question"]
    assert "어떤 물건" in question
    answered = redis_system.post(f"{scan.result_url}/answer", json={"text": "다 마신 생수 페트병"})
    assert answered.status_code in (200, 202), answered.text
    # Resumes after the question's id; the steps say where it stopped if it does not finish.
    assert follow_to_end(redis_system, scan) == "done", scan.steps
    assert redis_system.get(scan.result_url).json()["result"]["rule"]["category"] == "clear_pet"


def test_an_unsure_classification_asks_with_choices_and_the_pick_completes_it(
    redis_system: httpx.Client,
) -> None:
    scan = submit(redis_system, render_photo_without_mark(seed=4), hint=UNSURE)
    assert follow_to_end(redis_system, scan) == "needs_input", scan.steps
    payload = scan.seen[-1][1]["payload"]
    choices = [c["category"] for c in payload["choices"]]
    assert len(choices) == 2 and len(set(choices)) == 2, payload
    assert all(c["name"] for c in payload["choices"])
    waiting = redis_system.get(scan.result_url).json()
    assert waiting["status"] == "needs_input" and waiting["choices"] == payload["choices"]
    refused = redis_system.post(f"{scan.result_url}/answer", json={"choice": "not_a_category"})
    assert refused.status_code == 422, refused.text
    picked = choices[1]  # the second choice, so the person's pick visibly decides
    answered = redis_system.post(f"{scan.result_url}/answer", json={"choice": picked})
    assert answered.status_code == 202, answered.text
    assert follow_to_end(redis_system, scan) == "done", scan.steps
    result = redis_system.get(scan.result_url).json()["result"]
    assert result["rule"]["category"] == picked and result["rule"]["evidence"] == "person"
    assert result["request"]["choice"] == picked and result["answer"]["text"]


def test_rabbitmq_triggered_stages_and_sigterm_stops_every_child(unique: str, logs: Path) -> None:
    serve: Proc | None = None
    try:
        serve, client = start_serve(unique, logs, "--transport", "amqp")
        with client:
            scan = submit(client, MARK)
            assert follow_to_end(client, scan) == "done"
            assert_completed(client, scan.steps, scan.job_id)
        children = child_pids(serve)
        assert {"router", "analyser", "api", "vision-1", "rule-1", "answer-1", "reward-1"} <= set(
            children
        )
        assert all(alive(pid) for pid in children.values())
        assert serve.stop() == 0
        assert [name for name, pid in children.items() if alive(pid)] == []
        assert "stopped" in serve.text()
    finally:
        if serve is not None and serve.popen.poll() is None:
            serve.stop()
        cleanup(unique)


def test_a_killed_child_is_restarted_and_the_system_recovers_unassisted(
    unique: str, logs: Path
) -> None:
    serve: Proc | None = None
    try:
        serve, client = start_serve(unique, logs)
        children = child_pids(serve)
        os.kill(children["rule-1"], signal.SIGKILL)
        serve.wait_for(r"rule-1 exited unexpectedly with code -9; restarting", 30)
        first = children["rule-1"]
        serve.wait_for(rf"started rule-1 pid=(?!{first}\b)\d+", 30)
        assert serve.popen.poll() is None  # still serving
        scan = submit(client, MARK)
        assert follow_to_end(client, scan) == "done"
        client.close()
        assert serve.stop() == 0
        restarted = child_pids(serve)["rule-1"]  # the last "started rule-1" line
        assert restarted != children["rule-1"] and not alive(restarted)
    finally:
        if serve is not None and serve.popen.poll() is None:
            serve.stop()
        cleanup(unique)


def run_scan(tmp_path: Path, image: bytes, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "item.png"
    path.write_bytes(image)
    argv = [sys.executable, "-m", "eco2.cli", "scan", str(path), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_eco2_scan_shows_the_result(redis_system: httpx.Client, tmp_path: Path) -> None:
    done = run_scan(tmp_path, MARK, "--url", str(redis_system.base_url), "--json")
    assert done.returncode == 0, done.stderr
    assert "clear_pet" in done.stdout and "캐릭터" in done.stdout


def test_eco2_scan_answers_a_question_or_exits_2(
    redis_system: httpx.Client, tmp_path: Path
) -> None:
    photo = render_photo_without_mark(seed=5)
    url = str(redis_system.base_url)
    unanswered = run_scan(tmp_path, photo, "--url", url)
    assert unanswered.returncode == 2 and "어떤 물건" in unanswered.stderr
    answered = run_scan(tmp_path, photo, "--url", url, "--answer", "다 마신 생수 페트병")
    assert answered.returncode == 0, answered.stderr
    assert "clear_pet" in answered.stdout


def test_eco2_scan_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    missing = run_scan(tmp_path, MARK, "--url", f"http://127.0.0.1:{free_port()}")
    assert missing.returncode == 1 and "eco2 serve" in missing.stderr


def test_api_replicas_share_the_port_and_niced_workers_finish_a_scan(
    unique: str, logs: Path
) -> None:
    serve: Proc | None = None
    try:
        serve, client = start_serve(unique, logs, "--api-replicas", "2", "--worker-nice", "5")
        with client:
            children = child_pids(serve)
            apis = {children["api-1"], children["api-2"]}
            # "ready" is said only once both answered /healthz; new connections reach both.
            seen = set()
            for _ in range(200):
                with httpx.Client(base_url=str(client.base_url)) as fresh:
                    seen.add(fresh.get("/healthz").json()["pid"])
                if seen == apis:
                    break
            assert seen == apis
            assert niceness(children["vision-1"]) == niceness(children["api-1"]) + 5
            scan = submit(client, MARK)
            assert follow_to_end(client, scan) == "done"
            assert_completed(client, scan.steps, scan.job_id)
        assert serve.stop() == 0
        assert [name for name, pid in children.items() if alive(pid)] == []
    finally:
        if serve is not None and serve.popen.poll() is None:
            serve.stop()
        cleanup(unique)


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_a_port_in_use_is_refused_before_anything_starts(unique: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            serve_argv(port, "--api-replicas", "2"),
            capture_output=True,
            text=True,
            timeout=60,
            env=isolated_env(unique),
            check=False,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "started" not in done.stderr
