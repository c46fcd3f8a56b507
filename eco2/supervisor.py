"""The supervisor of ``eco2 serve``: start the parts in order, keep them running, stop them all.

A child that dies is restarted after a backoff that doubles with each death in a row (a child
that stayed up ``stable_s`` starts its count again); one that keeps dying right after it starts
cannot start at all, and then the whole system stops with a failure rather than retry forever.
Only Ctrl-C/SIGTERM, or such a crash loop, stops ``eco2 serve``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from eco2.serve import Part, child_setup


@dataclass
class Supervisor:
    """Starts the parts, restarts the ones that die, and stops them all together."""

    parts: list[Part]
    health_url: str
    env: Mapping[str, str] | None = None
    stop_timeout_s: float = 15.0
    health_timeout_s: float = 60.0
    say: Callable[[str], None] = print
    announce: str = "ready"
    restart_initial_s: float = 0.5
    restart_max_s: float = 15.0
    # A child that dies this many times in a row, each within ``stable_s`` of its start, is in
    # a crash loop: it cannot start at all, so the system stops instead of retrying forever.
    max_restarts: int = 5
    stable_s: float = 30.0
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    stopping: bool = False
    _started_at: dict[str, float] = field(default_factory=dict)
    _streak: dict[str, int] = field(default_factory=dict)
    _due: dict[str, float] = field(default_factory=dict)

    def _spawn(self, part: Part) -> None:
        env = dict(self.env) if self.env is not None else None
        if part.env:
            env = {**(env if env is not None else os.environ), **dict(part.env)}
        child = subprocess.Popen(
            part.argv,
            env=env,
            process_group=0,
            preexec_fn=child_setup(part.nice),  # the supervisor runs no threads
        )
        self.children[part.name] = child
        self._started_at[part.name] = time.monotonic()
        self.say(f"started {part.name} pid={child.pid}")

    def _dead(self) -> list[tuple[str, int]]:
        return [(n, c.returncode) for n, c in self.children.items() if c.poll() is not None]

    def _wait_healthy(self, pids: frozenset[int] = frozenset()) -> bool:
        """Until ``/healthz`` answers 200, and has answered from each of ``pids`` (API replicas
        sharing the port: each probe is a new connection, which the kernel may give to any)."""
        deadline = time.monotonic() + self.health_timeout_s
        seen: set[int] = set()
        while time.monotonic() < deadline and not self.stopping:
            if self._dead():
                return False
            try:
                response = httpx.get(self.health_url, timeout=1.0)
                if response.status_code == 200:
                    seen.add(response.json().get("pid", 0))
                    if pids <= seen:
                        return True
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.05 if seen else 0.2)
        return False

    def request_stop(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        self.stopping = True

    def run(self) -> int:
        """Start everything, block until a signal or a failure, stop everything; exit code."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.request_stop)
        # A second API replica starts once the first is healthy: the first migrates the
        # database, and two migrating at once could race on creating the schema.
        later_apis = [p for p in self.parts if p.role == "api"][1:]
        try:
            for part in (p for p in self.parts if p.role != "worker" and p not in later_apis):
                self._spawn(part)
            healthy = self._wait_healthy()
            if healthy and later_apis:
                for part in later_apis:
                    self._spawn(part)
                apis = (self.children[p.name].pid for p in self.parts if p.role == "api")
                healthy = self._wait_healthy(frozenset(apis))
            if not healthy:
                if not self.stopping:
                    self.say(f"the API did not become healthy at {self.health_url}")
                    return self._finish(1)
                return self._finish(0)
            for part in (p for p in self.parts if p.role == "worker"):
                self._spawn(part)
            self.say(f"{self.announce}; {len(self.children)} processes, Ctrl-C stops them all")
            while not self.stopping:
                for name, code in self._dead():
                    if not self._schedule_restart(name, code):
                        return self._finish(1)
                self._restart_due()
                time.sleep(0.2)
            return self._finish(0)
        except BaseException:
            self._finish(1)
            raise

    def _schedule_restart(self, name: str, code: int) -> bool:
        """Plan a dead child's restart after its backoff; False on a crash loop.

        Its in-flight work is not lost: a worker's unacked events are reclaimed by the bus (Redis
        Streams) or requeued (RabbitMQ), an SSE client reconnects with Last-Event-ID.
        """
        child = self.children.pop(name)
        lived = time.monotonic() - self._started_at.get(name, 0.0)
        streak = self._streak.get(name, 0) + 1 if lived < self.stable_s else 1
        self._streak[name] = streak
        if streak > self.max_restarts:
            self.say(
                f"{name} exited with code {code} {streak} times in a row, each within "
                f"{self.stable_s:.0f}s of starting: a crash loop; stopping"
            )
            self.children[name] = child  # so _finish accounts for it
            return False
        delay = min(self.restart_max_s, self.restart_initial_s * 2 ** (streak - 1))
        self.say(
            f"{name} exited unexpectedly with code {code}; restarting in {delay:.1f}s "
            f"(attempt {streak} of {self.max_restarts})"
        )
        self._due[name] = time.monotonic() + delay
        return True

    def _restart_due(self) -> None:
        now = time.monotonic()
        for name, when in list(self._due.items()):
            if when <= now:
                del self._due[name]
                self._spawn(next(p for p in self.parts if p.name == name))

    def _finish(self, code: int) -> int:
        """Stop every child: SIGTERM, wait, SIGKILL the stragglers."""
        alive = {n: c for n, c in self.children.items() if c.poll() is None}
        for child in alive.values():
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        for name, child in alive.items():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not stop in {self.stop_timeout_s}s; killed")
                child.kill()
                child.wait()
        self.say("stopped")
        return code
