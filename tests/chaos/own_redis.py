"""A Redis server of the chaos suite's own, on another port, that it may kill and restart.

``appendfsync always``: a restart "with AOF" keeps every acknowledged write, as a persistent
deployment would; ``restart(empty=True)`` wipes its data first, as a cache node failing over does.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis


class OwnRedis:
    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"]
        argv += ["--save", "", "--maxclients", "4000", "--loglevel", "warning"]
        log = (self.folder.parent / f"redis-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, *, empty: bool) -> None:
        """SIGKILL, then start again: with its AOF, or with nothing (``empty``)."""
        self.kill()
        if empty:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.start()
