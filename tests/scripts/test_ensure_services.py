"""The service check `make test` runs first: it passes on this machine and names what is down."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "ensure-services.sh"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


def run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_all_servers_answer() -> None:
    result = run()
    assert result.returncode == 0, result.stderr
    assert "Redis, RabbitMQ and PostgreSQL answer" in result.stdout


def test_an_unreachable_server_is_named() -> None:
    result = run(ENSURE_NO_START="1", ENSURE_AMQP_PORT=str(_closed_port()))
    assert result.returncode == 1
    assert "RabbitMQ is unreachable" in result.stderr
    assert "Redis" not in result.stderr and "PostgreSQL" not in result.stderr
