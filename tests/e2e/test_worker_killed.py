"""A stage worker SIGKILLed while it holds the job: a replacement reclaims the unacked entry
(after ``claim_idle_ms``) and the job still completes, every stage reported."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from domains.vision.render import random_spec, render_mark
from eco2.serve import health_url, plan
from eco2.settings import Settings
from tests.e2e.conftest import cleanup
from tests.e2e.support import (
    Proc,
    follow,
    follow_to_end,
    free_port,
    isolated_env,
    sign_up_and_in,
    spawn,
    spawn_part,
    submit,
)
from tests.e2e.test_serve import ORDER

pytestmark = pytest.mark.timeout(90)


def wait_healthy(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not healthy in {timeout_s}s")


def test_vision_worker_killed_mid_job_and_the_job_still_completes(unique: str, logs: Path) -> None:
    env = isolated_env(unique)
    env["ECO2_LOG_LEVEL"] = "DEBUG"  # the replacement's "handling" line is asserted
    port = free_port()
    parts = {
        part.name: part
        for part in plan(Settings(_env_file=None), host="127.0.0.1", port=port, transport="redis")  # type: ignore[call-arg]
    }
    # Each stage holds its event 1.5 s after reporting 'started': the kill lands mid-job.
    slow = [sys.executable, "-m", "tests.e2e.slow_worker", "1.5"]

    def spawn_worker(name: str, as_name: str | None = None) -> Proc:
        # parts[name].args is ("function", "run", …): the slow worker is the function group.
        return spawn(as_name or name, [*slow, *parts[name].args[1:]], env, logs)

    procs: list[Proc] = []
    try:
        procs += [spawn_part(parts[name], env, logs) for name in ("router", "api")]
        wait_healthy(health_url("127.0.0.1", port), 60)
        workers = {n: spawn_worker(n) for n, p in parts.items() if p.role == "worker"}
        procs += workers.values()
        for worker in workers.values():
            worker.wait_for(r"consuming ", 30)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            sign_up_and_in(client)
            scan = submit(client, render_mark(random_spec("무색페트", None, 0)))
            for _name, data in follow(client, scan):
                if (data["stage"], data["status"]) == ("vision", "started"):
                    break
            victim = workers["vision-1"]
            os.kill(victim.popen.pid, signal.SIGKILL)
            assert victim.popen.wait(timeout=10) == -signal.SIGKILL
            replacement = spawn_worker("vision-1", "vision-2")
            procs.append(replacement)
            assert follow_to_end(client, scan) == "done"
            steps = [s for s in scan.steps if s[0] != "queued"]
            # vision started twice (the killed attempt, then the reclaim), then the full chain.
            assert steps[0] == ("vision", "started")
            assert steps[1:] == ORDER
            assert "handling" in replacement.text()
            result = client.get(scan.result_url)
            assert result.status_code == 200
            assert result.json()["result"]["rule"]["category"] == "clear_pet"
    finally:
        for proc in procs:
            if proc.popen.poll() is None:
                proc.stop()
        cleanup(unique)
