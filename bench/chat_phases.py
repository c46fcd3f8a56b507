"""Where the chat function's cold start goes, phase by phase, in one interpreter.

    ECO2_DATABASE_SCHEMA=NAME .venv/bin/python bench/chat_phases.py [--turns 6]

What ``eco2 function serve-http functions/chat/main.py`` does before ready, in its order: the
CLI and the HTTP trigger's modules, ``import functions.chat.main``, the settings groups its
factory names, then ``start()`` with its parts timed (``warm_up``: the intent model, Kiwi and
the knowledge base's classifier; the database head check; the checkpointer; the graph), each as
CPU seconds of this process, wall seconds and RSS after it. Then ``--turns`` chat turns
(bench/coldstart.py's), each in a chat of its own, with their wall and CPU milliseconds: the
first turn of each kind pays what nothing built before it. The schema must be migrated
(``eco2 db upgrade --schema NAME``); run with ``ECO2_LLM__MODEL=sim ECO2_LLM__SIM_SCALE=0`` as
bench/coldstart.py does.

One interpreter, no gunicorn: the master/worker split and its memory are bench/coldstart.py's.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MARKS: list[tuple[str, float, float, int]] = []
_LAST = [time.perf_counter(), 0.0]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def mark(name: str) -> None:
    """Record the wall and CPU seconds since the previous mark under ``name``."""
    now, cpu = time.perf_counter(), _cpu()
    MARKS.append((name, now - _LAST[0], cpu - _LAST[1], _rss_mb()))
    _LAST[:] = [now, cpu]


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(function):

        @functools.wraps(function)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            mark("  (between)")
            result = await function(*args, **kwargs)
            mark(f"  {name}")
            return result

        return run_async

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        mark("  (between)")
        result = function(*args, **kwargs)
        mark(f"  {name}")
        return result

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    _LAST[1] = _cpu()
    mark("interpreter")
    import eco2.cli.function  # noqa: F401  (the command serve-http runs)
    import eventing.runtime.http_trigger  # noqa: F401

    mark("CLI and HTTP trigger")
    import functions.chat.main as chat

    mark("import functions.chat.main")
    from eco2.settings_core import reads, settings_for

    # The groups chat's factory names, as ``eco2 function serve-http`` composes them.
    settings = settings_for({*(reads(chat.new) or ()), "runtime"})
    mark("settings")
    for name in ("warm_up", "prepare_database", "open_checkpointer", "build_graph"):
        setattr(chat, name, _timed(name, getattr(chat, name)))
    from bench.coldstart import _chat_event

    async def run() -> list[str]:
        function = chat.new(settings)
        mark("(new)")
        await function.start()
        mark("  (rest of start)")
        turns = []
        for n in range(args.turns):
            event = _chat_event(n)
            wall, cpu = time.perf_counter(), _cpu()
            reply = await function.handle(event)
            wall_ms, cpu_ms = (time.perf_counter() - wall) * 1000, (_cpu() - cpu) * 1000
            spent = f"{wall_ms:7.1f} ms, {cpu_ms:6.1f} ms CPU"
            turns.append(f"turn {n} {event.data['text']!r}: {spent}, {reply.data['intents']}")
        await function.stop()
        return turns

    turns = asyncio.run(run())
    ready = [m for m in MARKS if m[0] != "interpreter"]
    for name, wall, cpu, rss in MARKS:
        print(f"{name:32s} {cpu:6.2f} CPU s {wall:6.2f} s  RSS {rss} MB")
    print(f"{'to ready (after the interpreter)':32s} {sum(m[2] for m in ready):6.2f} CPU s")
    print("\n".join(turns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
