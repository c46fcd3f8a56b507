"""Helpers for the end-to-end tests: an isolated environment, processes, an HTTP scan client.

Every system a test starts gets its own names on the shared servers: key prefix (progress log,
SSE channels), stage-stream prefix, RabbitMQ exchange and queues, PostgreSQL schema. Timeouts
are short so a killed worker's event is reclaimed within seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from eco2.cli.scan import sse_events
from eco2.serve import Part, die_with_parent

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = ("done", "failed", "needs_input")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(unique: str) -> dict[str, str]:
    """The environment of one isolated system (inherits PATH etc., replaces every ECO2_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO2_")}
    env.update(
        ECO2_PROGRESS__KEY_PREFIX=f"{unique}:",
        ECO2_GATEWAY__PING_S="1",
        ECO2_ROUTER__BLOCK_MS="200",
        ECO2_PIPELINE__TOPIC_PREFIX=f"{unique}:",
        ECO2_PIPELINE__EXCHANGE=f"{unique}.events",
        ECO2_DATABASE_SCHEMA=unique,
        ECO2_RUNTIME__CLAIM_IDLE_MS="5000",
        ECO2_RUNTIME__HANDLER_TIMEOUT_S="4",
        ECO2_RUNTIME__BLOCK_MS="200",
        ECO2_RUNTIME__SHUTDOWN_GRACE_S="3",
        ECO2_RUNTIME__DEDUPE_TTL_S="600",
        ECO2_RUNTIME__MAX_ATTEMPTS="3",
        ECO2_AUTH__REDIS_PREFIX=f"{unique}:auth:",
        ECO2_AUTH__DEV_LOGIN="true",  # eco2 scan / eco2 chat sign in with it
        # eco2 serve's analysis service: one port per system, as systems run side by side.
        ECO2_KNOWLEDGE__ANALYSER_PORT=str(free_port()),
    )
    return env


def sign_up_and_in(client: httpx.Client) -> httpx.Client:
    """A new account through the real sign-up and login (argon2 and all); ``client`` then sends
    its access token on every request."""
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
    account = {"email": email, "password": "e2e-password", "nickname": "e2e"}
    # A client of its own: ``client`` stays unopened for the test's ``with client:``.
    with httpx.Client(base_url=client.base_url, timeout=30.0) as auth:
        made = auth.post("/api/v1/auth/signup", json=account)
        assert made.status_code == 201, made.text
        login = auth.post("/api/v1/auth/login", json={"email": email, "password": "e2e-password"})
        assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return client


@dataclass
class Proc:
    """A child process whose output goes to a log file the test can read and show."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if found := re.search(pattern, self.text()):
                return found
            if self.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: no {pattern!r} in {timeout_s}s:\n{self.text()[-3000:]}")

    def stop(self, timeout_s: float = 15.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise


def spawn(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Proc:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=die_with_parent,  # a test killed by its timeout leaves no system behind
        )
    return Proc(name, popen, log)


def spawn_part(part: Part, env: dict[str, str], logs: Path, name: str | None = None) -> Proc:
    return spawn(name or part.name, part.argv, env, logs)


def serve_argv(port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "eco2.cli", "serve", "--port", str(port), *args]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose (its parent has not reaped it yet).
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


@dataclass
class Scan:
    """What a client saw of one job: its id, every SSE (event, data) in order."""

    job_id: str
    result_url: str
    events_url: str
    seen: list[tuple[str, dict]] = field(default_factory=list)
    last_id: str | None = None

    @property
    def steps(self) -> list[tuple[str, str]]:
        return [
            (data["stage"], data["status"]) for _, data in self.seen if data["status"] != "token"
        ]


def submit(client: httpx.Client, image: bytes, hint: str | None = None) -> Scan:
    response = client.post(
        "/api/v1/scans",
        files={"image": ("item.png", image, "image/png")},
        data={"hint": hint} if hint else {},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    return Scan(body["job_id"], body["result_url"], body["events_url"])


def follow(client: httpx.Client, scan: Scan) -> Iterator[tuple[str, dict]]:
    """Yield the job's SSE events (resuming after ``scan.last_id``) until a terminal one."""
    headers = {"Last-Event-ID": scan.last_id} if scan.last_id else {}
    with client.stream("GET", scan.events_url, headers=headers) as response:
        assert response.status_code == 200
        for event_id, name, raw in sse_events(response):
            scan.last_id = event_id or scan.last_id
            data = json.loads(raw)
            scan.seen.append((name, data))
            yield name, data
            if name in TERMINAL:
                return


def follow_to_end(client: httpx.Client, scan: Scan) -> str:
    """Follow until a terminal event; returns its name."""
    last = ""
    for last, _ in follow(client, scan):  # noqa: B007 - the loop's last value is the answer
        pass
    return last
