"""``--metrics-host`` of ``eco2 router`` and ``eco2 function run``: the metrics server listens
where it is told (a pod's address, for Prometheus), and on loopback only by default.

Each process is pointed at a Redis that is not there: it keeps retrying (or gives up), touching
no shared server, while its metrics server (started first) answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.eventing.runtime.helpers import ECHO

EXE = Path(sys.executable).parent / "eco2"
COMMANDS = {
    "router": ["router"],
    "worker": ["function", "run", ECHO, "--trigger=redis", "--topic=t", "--group=g"],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _outside_address() -> str:
    """An address of this machine that is not loopback (skip when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            pytest.skip("no route off loopback on this machine")
        address = str(s.getsockname()[0])
    if address.startswith("127."):
        pytest.skip("no address off loopback on this machine")
    return address


def _scrape(host: str, port: int, wait_s: float) -> str | None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=1) as reply:
                return str(reply.read().decode())
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    return None


@pytest.fixture
def start() -> Iterator[Callable[..., None]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(command: str, *args: str) -> None:
        env = {**os.environ, "ECO2_REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"}
        started.append(
            subprocess.Popen(
                [str(EXE), *COMMANDS[command], *args],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.parametrize("command", COMMANDS)
def test_metrics_listen_on_the_address_given(command: str, start: Callable[..., None]) -> None:
    address, port = _outside_address(), _free_port()
    start(command, "--metrics-host=0.0.0.0", f"--metrics-port={port}")
    text = _scrape(address, port, wait_s=30)
    assert text is not None, f"nothing answered on {address}:{port}"
    assert "python_info" in text  # the default registry, as Prometheus reads it
    if command == "router":
        assert "eco2_router_claimed_total" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_metrics_stay_on_loopback_by_default(command: str, start: Callable[..., None]) -> None:
    address, port = _outside_address(), _free_port()
    start(command, f"--metrics-port={port}")
    assert _scrape("127.0.0.1", port, wait_s=30) is not None
    assert _scrape(address, port, wait_s=1) is None
