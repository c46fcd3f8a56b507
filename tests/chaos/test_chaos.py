"""The chaos suite: ``eco2 serve`` under load, on a Redis of its own, while its parts are killed.

Under a steady load of scans and chat turns (each client follows its scan or turn over SSE,
resuming with Last-Event-ID through every fault), it SIGKILLs the router, a stage worker mid-job,
the chat worker mid-turn and the API process with its streams open, then restarts Redis with its
AOF and then empty. It asserts what a person would: every scan and turn ends done, or failed
with a reason the client saw; no SSE gap and no duplicate (a job whose log Redis lost goes on,
or is failed, in a new seq epoch: eventing.progress.LOST_EPOCH); a turn's tokens spell its
answer once; and ``eco2 serve`` recovered unassisted, still running at the end.

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
import redis

from domains.vision.render import render_photo_without_mark
from tests.chaos.load import Followed, Load, problems
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
        ECO2_AUTH__CHAT_BURST="100000",
        ECO2_AUTH__CHAT_PER_MINUTE="100000",
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
        while serve.text().count(" consuming ") < 5 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield serve, own, f"http://127.0.0.1:{port}"
    finally:
        serve.stop(20)
        own.kill()
        cleanup(unique)


def pid_of(serve: Proc, part: str) -> int:
    """The newest pid ``eco2 serve`` started for ``part``."""
    return int(re.findall(rf"started {re.escape(part)} pid=(\d+)", serve.text())[-1])


def where(own: OwnRedis, base: str, auth: dict[str, str], jobs: list[Followed]) -> str:
    """What the bus and the record say of jobs that did not end (printed to judge a failure)."""
    client = redis.Redis.from_url(own.url, decode_responses=True)
    prefix = next(iter(client.scan_iter(match="*:progress:*", count=1000)), ":").split(":")[0]
    lines = []
    with httpx.Client(base_url=base, timeout=10.0, headers=auth) as http:
        for job in jobs[:10]:
            state = client.hgetall(f"{prefix}:progress:state:{job.job_id}")
            replay = client.zrange(f"{prefix}:progress:replay:{job.job_id}", 0, -1, withscores=True)
            record = http.get(f"/api/v1/scans/{job.job_id}") if job.kind == "scan" else None
            said = f"{record.status_code} {record.text[:300]}" if record else "-"
            lines.append(
                f"{job.kind} {job.job_id}: seqs {job.seqs}, reconnects {job.reconnects}, "
                f"state {state}, replay seqs {[int(s) for _m, s in replay]}, record {said}"
            )
    return "\n".join(lines)


def kill(serve: Proc, part: str) -> None:
    os.kill(pid_of(serve, part), signal.SIGKILL)


def test_every_scan_ends_and_serve_recovers_through_every_fault(
    system: tuple[Proc, OwnRedis, str],
) -> None:
    serve, own, base = system
    with httpx.Client(base_url=base, timeout=30.0) as http:
        headers = dict(sign_up_and_in(http).headers)
    auth = {"Authorization": headers["authorization"]}
    load = Load(base, render_photo_without_mark(seed=5), clients=6, chat_clients=2, headers=auth)
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
        fault("chat worker SIGKILL mid-turn", lambda: kill(serve, "chat-1"))
        fault("API SIGKILL with streams open", lambda: kill(serve, "api"))
        fault("Redis restarted with its AOF", lambda: own.restart(empty=False))
        fault("Redis restarted empty", lambda: own.restart(empty=True))
    time.sleep(8)
    load.finish(within_s=150)
    scans, turns = list(load.scans), list(load.turns)
    wrong = [
        f"{p} at {[round(t - begun, 1) for t in job.times]}"
        for job in scans + turns
        for p in problems(job)
    ]
    ended = {t: sum(s.terminal == t for s in scans) for t in ("done", "failed")}
    answered = {t: sum(s.terminal == t for s in turns) for t in ("done", "failed")}
    report = (
        f"{len(scans)} scans: {ended}, {len(turns)} chat turns: {answered}, "
        f"refused {load.refused}, faults {faults}"
    )
    print(report)
    if unended := [job for job in scans + turns if job.terminal is None]:
        print(where(own, base, auth, unended))
    assert len(scans) >= 20 and len(turns) >= 10, report
    # Most survive; the lost ones fail, said.
    assert ended["done"] >= len(scans) // 2 and answered["done"] >= len(turns) // 2, report
    assert not wrong, (
        "\n".join(wrong[:20]) + "\n" + report + "\n" + where(own, base, auth, scans + turns)
    )
    assert serve.popen.poll() is None, serve.text()[-3000:]  # recovered unassisted
    assert "crash loop" not in serve.text()
