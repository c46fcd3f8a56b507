"""The chaos suite on the RabbitMQ transport: ``eco2 serve --transport amqp`` under load while
RabbitMQ closes this system's connections (as a broker restart or a network cut does).

Only this system's connections are closed (found by the processes that hold them), so other
users of the shared broker are untouched. It asserts what the Redis suite does: every scan ends
done, or failed with a reason its client saw; no SSE gap or duplicate; serve still running.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from domains.vision.render import render_photo_without_mark
from tests.chaos.load import Load, problems
from tests.e2e.conftest import cleanup
from tests.e2e.support import Proc, free_port, isolated_env, serve_argv, sign_up_and_in, spawn

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="no rabbitmqctl here"),
]
AMQP_PORT = 5672


def system_pids(serve: Proc) -> set[int]:
    started = re.findall(r"started \S+ pid=(\d+)", serve.text())
    return {serve.popen.pid, *map(int, started)}


def close_connections_of(pids: set[int]) -> int:
    """Close, on the broker, every AMQP connection one of ``pids`` holds; how many were closed."""
    sockets = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( dport = :{AMQP_PORT} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ports = {
        int(line.split()[2].rsplit(":", 1)[1])  # Local Address:Port (state omitted)
        for line in sockets.splitlines()
        if any(f"pid={pid}," in line for pid in pids)
    }
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "pid", "peer_port"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    closed = 0
    for line in listed.splitlines():  # close_connection takes the connection's Erlang pid
        pid, _, port = line.rpartition("\t")
        if port.isdigit() and int(port) in ports:
            subprocess.run(
                ["rabbitmqctl", "-q", "close_connection", pid, "chaos: connection cut"],
                capture_output=True,
                check=True,
                timeout=60,
            )
            closed += 1
    return closed


def test_every_scan_ends_when_rabbitmq_cuts_the_connections(tmp_path: Path) -> None:
    unique = f"q{uuid.uuid4().hex[:10]}"
    env = isolated_env(unique)
    env.update(
        ECO2_RUNTIME__CLAIM_IDLE_MS="12000",
        ECO2_RUNTIME__HANDLER_TIMEOUT_S="8",
        # One signed-in user drives the whole load: its rate limit must not be what is tested.
        ECO2_AUTH__SCAN_BURST="100000",
        ECO2_AUTH__SCAN_PER_MINUTE="100000",
    )
    port = free_port()
    serve = spawn("serve", serve_argv(port, "--transport", "amqp"), env, tmp_path)
    try:
        serve.wait_for(r"listening on http://127\.0\.0\.1:\d+", 90)
        deadline = time.monotonic() + 120
        while serve.text().count(" consuming ") < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30.0) as http:
            headers = dict(sign_up_and_in(http).headers)
        auth = {"Authorization": headers["authorization"]}
        load = Load(base, render_photo_without_mark(seed=7), clients=6, headers=auth)
        load.start()
        cuts = []
        for _ in range(2):
            time.sleep(8)
            cuts.append(close_connections_of(system_pids(serve)))
        time.sleep(8)
        load.finish(within_s=150)
        scans = list(load.scans)
        wrong = [p for scan in scans for p in problems(scan)]
        ended = {t: sum(s.terminal == t for s in scans) for t in ("done", "failed")}
        report = f"{len(scans)} scans: {ended}, refused {load.refused}, connections cut {cuts}"
        print(report)
        assert all(cuts), report  # each cut found this system's connections
        assert len(scans) >= 10, report
        assert not wrong, "\n".join(wrong[:20]) + "\n" + report
        assert ended["done"] >= len(scans) // 2, report
        assert serve.popen.poll() is None, serve.text()[-3000:]
    finally:
        serve.stop(20)
        cleanup(unique)
