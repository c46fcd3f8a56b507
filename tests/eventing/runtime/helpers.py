"""Helpers for the runtime tests: the echo function's path, worker subprocesses, free ports."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import tests.eventing.runtime.echo as echo_module

ECHO = str(Path(echo_module.__file__).resolve())
BIN = Path(sys.executable).parent

# Short timings so retries and reclaims happen within a test's patience.
FAST_ENV = {
    "ECO2_RUNTIME__CLAIM_IDLE_MS": "3000",
    "ECO2_RUNTIME__HANDLER_TIMEOUT_S": "2.5",
    "ECO2_RUNTIME__BLOCK_MS": "100",
    "ECO2_RUNTIME__BACKOFF_INITIAL_S": "0.05",
    "ECO2_RUNTIME__BACKOFF_MAX_S": "0.2",
    "ECO2_RUNTIME__MAX_ATTEMPTS": "3",
    "ECO2_RUNTIME__SHUTDOWN_GRACE_S": "10",
    "ECO2_LOG_LEVEL": "DEBUG",  # the tests wait for the per-event lines
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A subprocess whose stderr+stdout lines are collected by a thread, to wait on."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.popen = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **FAST_ENV, **(env or {})},
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._queue.put(line)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        """The first output line matching ``pattern`` (also those already seen)."""
        regex = re.compile(pattern)
        for line in self.lines:
            if regex.search(line):
                return line
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                if self.popen.poll() is not None and self._queue.empty():
                    break
                continue
            self.lines.append(line)
            if regex.search(line):
                return line
        raise AssertionError(f"no line matching {pattern!r}; output:\n{''.join(self.lines)}")

    def output(self) -> str:
        while not self._queue.empty():
            self.lines.append(self._queue.get_nowait())
        return "".join(self.lines)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def terminate(self, timeout: float = 20.0) -> int:
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout)


def worker(trigger: str, topic: str, group: str, *extra: str) -> Proc:
    """``eco2 function run`` on the echo function."""
    args = [str(BIN / "eco2"), "function", "run", ECHO, "--trigger", trigger]
    return Proc([*args, "--topic", topic, "--group", group, *extra])
