"""The supervisor of ``eco2 serve`` on stand-in processes: a child that dies is restarted with
backoff, a crash loop stops the system with a failure, a signal stops it cleanly."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from eco2.serve import Part
from eco2.supervisor import Supervisor
from tests.eventing.runtime.helpers import free_port

# A stand-in API: answers /healthz like the real one, until it is stopped.
API = """
import http.server, json, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"status": "ok", "pid": os.getpid()}).encode()
        self.send_response(200); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


@dataclass(frozen=True)
class Script(Part):
    """A part that runs a Python snippet instead of an ``eco2`` subcommand."""

    code: str = ""

    @property
    def argv(self) -> list[str]:
        return [sys.executable, "-c", self.code, *self.args]


def system(worker: str, port: int, lines: list[str], **options: float) -> Supervisor:
    parts = [
        Script("api", (str(port),), "api", code=API),
        Script("worker-1", (), "worker", code=worker),
    ]
    return Supervisor(
        parts,
        f"http://127.0.0.1:{port}/healthz",
        say=lines.append,
        restart_initial_s=0.05,
        stop_timeout_s=5,
        **options,  # type: ignore[arg-type]
    )


def stop_after(supervisor: Supervisor, lines: list[str], text: str, times: int) -> None:
    """Ask the supervisor to stop once ``text`` began ``times`` lines (or after 20 s)."""

    def watch() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if sum(line.startswith(text) for line in list(lines)) >= times:
                break
            time.sleep(0.05)
        time.sleep(0.5)  # the restarted child is up and stays up
        supervisor.request_stop()

    threading.Thread(target=watch, daemon=True).start()


def test_a_child_that_dies_once_is_restarted_and_the_system_keeps_running(tmp_path: Path) -> None:
    flag = tmp_path / "died-once"
    # Dies the first time it runs, then stays up like a healthy worker.
    worker = (
        "import pathlib, sys, time\n"
        f"flag = pathlib.Path({str(flag)!r})\n"
        "if not flag.exists():\n    flag.touch(); sys.exit(3)\n"
        "time.sleep(60)\n"
    )
    lines: list[str] = []
    supervisor = system(worker, free_port(), lines)
    stop_after(supervisor, lines, "started worker-1", 2)  # once it was restarted
    assert supervisor.run() == 0  # stopped by the signal, not by the death
    restarted = [line for line in lines if "restarting in" in line]
    assert restarted and "worker-1 exited unexpectedly with code 3" in restarted[0]
    assert sum(line.startswith("started worker-1") for line in lines) == 2
    assert lines[-1] == "stopped"


def test_a_crash_loop_stops_the_system_with_a_failure() -> None:
    lines: list[str] = []
    supervisor = system("import sys; sys.exit(7)", free_port(), lines, max_restarts=3)
    started = time.monotonic()
    assert supervisor.run() == 1
    assert time.monotonic() - started < 20
    assert sum(line.startswith("started worker-1") for line in lines) == 4  # first + 3 restarts
    assert any("4 times in a row" in line and "crash loop" in line for line in lines)
    assert [c.poll() is not None for c in supervisor.children.values()] == [True, True]


def test_the_backoff_doubles_with_each_death_in_a_row() -> None:
    lines: list[str] = []
    supervisor = system("import sys; sys.exit(1)", free_port(), lines, max_restarts=4)
    supervisor.run()
    delays = [
        line.split("restarting in ")[1].split("s ")[0] for line in lines if "restarting" in line
    ]
    assert delays == ["0.1", "0.1", "0.2", "0.4"]  # 0.05 x 2^n, shown to a tenth
