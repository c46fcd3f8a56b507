"""A real analysis service (``eco2 analyser``) in its own process, for the tests that use one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from tests.s3server import free_port


@dataclass
class Analyser:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def requests(self, endpoint: str) -> float:
        """Requests the service answered 200 on ``endpoint``, from its /metrics."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        line = f'eco2_analyser_requests_total{{endpoint="{endpoint}",status="200"}} '
        found = [row for row in text.splitlines() if row.startswith(line)]
        return float(found[0].split()[-1]) if found else 0.0

    def cached(self) -> float:
        """Texts the service answered from its kept tokens, from its /metrics."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        found = [r for r in text.splitlines() if r.startswith("eco2_analyser_cached_texts_total ")]
        return float(found[0].split()[-1]) if found else 0.0


@contextmanager
def running_analyser(**env: str) -> Iterator[Analyser]:
    """``eco2 analyser`` on a free loopback port, ready (Kiwi built and warm) when yielded."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "eco2.cli", "analyser", "--port", str(port)],
        env={**os.environ, **env},
    )
    server = Analyser(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "eco2 analyser exited at start"
            assert time.monotonic() < deadline, "eco2 analyser was not ready in 120 s"
            try:
                if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield server
    finally:
        server.stop()
