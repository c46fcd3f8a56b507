"""The chaos suite: ``eco2 serve`` under load, on a Redis of its own, while its parts are killed.

Under a steady load of scans (each client follows its scan over SSE, resuming with
Last-Event-ID through every fault), it SIGKILLs the router, a stage worker mid-job and the API
process with its streams open, then restarts Redis with its AOF and then empty. It asserts what
a person would: every scan ends done, or failed with a reason the client saw; no SSE gap and no
duplicate (a scan whose log Redis lost goes on, or is failed, in a new seq epoch:
eventing.progress.LOST_EPOCH); and ``eco2 serve`` recovered unassisted, still running at the end.

CI runs the short form (one of each fault); ``make chaos`` runs longer (CHAOS_ROUNDS=3).
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domains.vision.render import render_photo_without_mark
from tests.chaos.load import Load, problems
from tests.chaos.own_redis import OwnRedis
from tests.e2e.conftest import cleanup
from tests.e2e.support import Proc, free_port, isolated_env, serve_argv, sign_up_and_in, spawn

ROUNDS = int(os.environ.get("CHAOS_ROUNDS", "1"))
pytestmark = pytest.mark.timeout(240 + 120 * ROUNDS)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[tuple[Proc, OwnRedis, str]]:
    unique = f"c{uuid.uuid4().hex[:10]}"
    own = OwnRedis(free_port(), tmp_path / "redis")
    own.start()
    env = isolated_env(unique)
    env.update(
        ECO2_REDIS_URL=own.url,
        ECO2_API_SWEEP_INTERVAL_S="1",
        # Six clients scan as one user without pause: the per-user limit is not under test.
        ECO2_AUTH__SCAN_BURST="100000",
        ECO2_AUTH__SCAN_PER_MINUTE="100000",
        ECO2_API_SWEEP_GRACE_S="10",
        # OCR on a busy 2-core machine can take seconds: time out late, reclaim after that.
        ECO2_RUNTIME__CLAIM_IDLE_MS="12000",
        ECO2_RUNTIME__HANDLER_TIMEOUT_S="8",
        # A killed router's pending entries are claimed by its successor after this.
        ECO2_ROUTER__CLAIM_IDLE_MS="5000",
        ECO2_ROUTER__CLAIM_INTERVAL_S="1",
    )
    port = free_port()
    serve = spawn("serve", serve_argv(port), env, tmp_path)
    try:
        serve.wait_for(r"listening on http://127\.0\.0\.1:\d+", 90)
        # Every stage worker reading (the rule stage loads its tokenizer first).
        deadline = time.monotonic() + 120
        while serve.text().count(" consuming ") < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield serve, own, f"http://127.0.0.1:{port}"
    finally:
        serve.stop(20)
        own.kill()
        cleanup(unique)


def pid_of(serve: Proc, part: str) -> int:
    """The newest pid ``eco2 serve`` started for ``part``."""
    return int(re.findall(rf"started {re.escape(part)} pid=(\d+)", serve.text())[-1])


def kill(serve: Proc, part: str) -> None:
    os.kill(pid_of(serve, part), signal.SIGKILL)


def test_every_scan_ends_and_serve_recovers_through_every_fault(
    system: tuple[Proc, OwnRedis, str],
) -> None:
    serve, own, base = system
    with httpx.Client(base_url=base, timeout=30.0) as http:
        headers = dict(sign_up_and_in(http).headers)
    auth = {"Authorization": headers["authorization"]}
    load = Load(base, render_photo_without_mark(seed=5), clients=6, headers=auth)
    load.start()
    begun = time.monotonic()
    faults: list[tuple[str, float]] = []

    def fault(name: str, action: object) -> None:
        time.sleep(6)
        started = time.monotonic()
        action()  # type: ignore[operator]
        faults.append((name, round(started - begun, 1)))

    for _ in range(ROUNDS):
        fault("router SIGKILL", lambda: kill(serve, "router"))
        fault("vision worker SIGKILL mid-job", lambda: kill(serve, "vision-1"))
        fault("API SIGKILL with streams open", lambda: kill(serve, "api"))
        fault("Redis restarted with its AOF", lambda: own.restart(empty=False))
        fault("Redis restarted empty", lambda: own.restart(empty=True))
    time.sleep(8)
    load.finish(within_s=150)
    scans = list(load.scans)
    wrong = [
        f"{p} at {[round(t - begun, 1) for t in scan.times]}"
        for scan in scans
        for p in problems(scan)
    ]
    ended = {t: sum(s.terminal == t for s in scans) for t in ("done", "failed")}
    report = f"{len(scans)} scans: {ended}, refused {load.refused}, faults {faults}"
    print(report)
    assert len(scans) >= 20, report
    assert ended["done"] >= len(scans) // 2, report  # most survive; the lost ones fail, said
    assert not wrong, "\n".join(wrong[:20]) + "\n" + report
    assert serve.popen.poll() is None, serve.text()[-3000:]  # recovered unassisted
    assert "crash loop" not in serve.text()
