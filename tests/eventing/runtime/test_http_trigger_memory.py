"""After ``start()`` the HTTP trigger's worker gives the heap pages start freed back to the
kernel: a model built on the loop's thread leaves its build buffers in that thread's malloc
arena, which glibc does not trim by itself (rule's Kiwi, bench/RESULTS.md "Cold start")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eventing.runtime import http_trigger
from eventing.runtime.loader import load_function


def test_a_thread_s_freed_heap_goes_back_to_the_kernel() -> None:
    # 60 KB objects are below glibc's mmap threshold: they live in the thread's arena, and the
    # last one kept alive stops the arena from shrinking from its top.
    script = (
        "import threading\n"
        "from eventing.runtime.http_trigger import release_freed_memory\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS'):\n"
        "            return int(line.split()[1]) // 1024\n"
        "kept = []\n"
        "def build():\n"
        "    chunks = [bytes(60_000) for _ in range(2_000)]\n"
        "    kept.append(chunks[-1])\n"
        "t = threading.Thread(target=build)\n"
        "t.start(); t.join()\n"
        "before = rss()\n"
        "release_freed_memory()\n"
        "print(before - rss())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 8  # MB returned


def test_the_worker_releases_after_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "started.py"
    source.write_text(
        "class Started:\n"
        "    def start(self):\n"
        "        pass\n"
        "    def handle(self, event):\n"
        "        return None\n"
        "def new(settings=None):\n"
        "    return Started()\n"
    )
    calls: list[str] = []
    monkeypatch.setattr(http_trigger, "release_freed_memory", lambda: calls.append("release"))
    monkeypatch.setattr(http_trigger.BRIDGE, "call", lambda hook: calls.append("start"))
    http_trigger.server_options(load_function(source))["post_worker_init"](None)
    assert calls == ["start", "release"]
