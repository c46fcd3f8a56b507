"""Chat load: N concurrent conversations through the chat graph with the simulated model.

Each conversation runs two turns (a compound question, then a follow-up) through a freshly
compiled ``build_graph`` on LangGraph's PostgreSQL checkpointer (real server, a schema of its
own, dropped at the end), with the ``sim`` model: the aggregator's stream waits like a cloud
model (first delta after half its wait). Per turn it records whether the turn completed, the
time to its first streamed token, and the model's own time to first token inside that turn
(from the stream's request to its first delta), so the overhead of the graph — split,
classify, parallel sub-agents, checkpoints — is their difference.

``--workers K`` runs the conversations in K worker processes, as K chat workers of one
consumer group would: conversation n goes to worker n mod K (a consumer group hands entries
round robin to consumers that keep up), and both its turns run there. Each worker builds its
own graph, checkpointer pool and classifier, warms up, and all start together. CPU per turn is
the workers' CPU over the run (warm-up excluded) divided by the turns. The bus, router and
gateway are not in the loop (``bench/run.py`` measures those for scans).

Workers run on uvloop, as ``eco2 function run`` serves the chat function (``--loop asyncio``
for the pure-Python loop the first version of this benchmark used).

``--tree PATH`` runs the workers on another checkout's code (its ``.venv`` and modules), so two
versions can be compared in one sitting with this one harness (bench/RESULTS.md, "Chat").

    .venv/bin/python bench/chat_load.py --conversations 500 --ramp-s 20 --think-s 3 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]

# The turn a stream belongs to: set before each turn, inherited by the graph's tasks.
TURN: contextvars.ContextVar[str] = contextvars.ContextVar("bench_turn", default="")
# Each conversation asks about its own number of bottles, so no cache sees one text twice.
TURNS = ("페트병 {n}개 어떻게 버려? 고철 시세는 얼마야? 이코는 뭐 좋아해?", "알루미늄은?")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def calibrate() -> float:
    """The machine's speed now (``bench/procstats.py``'s fixed loop, ms; lower is faster)."""
    sys.path.insert(0, str(ROOT))
    from bench.procstats import calibrate as timed_loop

    return round(timed_loop(), 1)


# ----- one worker process ------------------------------------------------------------------


async def conversation(
    fn: Any,
    first: dict[str, float],
    n: int,
    results: list[dict[str, Any]],
    start_s: float = 0.0,
    think_s: float = 0.0,
) -> None:
    """One person's two turns, each a ``kr.eco2.chat.requested`` event handled by ``fn``."""
    from domains.chat import events
    from domains.chat.events import ChatCompleted, ChatRequested
    from eventing.events import make_event, payload_of
    from eventing.runtime import report

    chat_id = f"bench-{n}-{uuid.uuid4().hex[:6]}"
    await asyncio.sleep(start_s)
    for t, message in enumerate(TURNS):
        if t:
            await asyncio.sleep(think_s)  # the person reads the answer before asking again
        key = f"{chat_id}:{t}"
        TURN.set(key)
        started = time.perf_counter()
        tokens: list[float] = []

        def sink(
            kind: str, data: dict[str, Any], tokens: list[float] = tokens, t0: float = started
        ) -> None:
            # What the runtime's observer would write to the progress log, as it is told.
            if kind == "token" and not tokens:
                tokens.append(time.perf_counter() - t0)

        ok = False
        bound = report.bind(sink)
        try:
            request = ChatRequested(
                job_id=f"{chat_id}-{t}",
                chat_id=chat_id,
                user_id=chat_id,
                text=message.format(n=n + 2),
                model="sim",
            )
            reply = await fn.handle(make_event(events.REQUESTED, request, subject=request.job_id))
            ok = reply["type"] == events.COMPLETED and bool(payload_of(reply, ChatCompleted).text)
        except Exception as exc:  # a failed turn is counted, not fatal to the run
            print(f"turn {key} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            report.unbind(bound)
        results.append(
            {
                "key": key,
                "ok": ok,
                "ttft": tokens[0] if tokens else None,
                "total": time.perf_counter() - started,
            }
        )


async def worker(args: argparse.Namespace) -> None:
    """One chat worker: the function built by its factory as a worker builds it, warmed; it
    says ready, waits for go, handles its share of the turns and prints its results."""
    from domains.character.memory import MemoryCharacterService
    from domains.image import MemoryImageStore
    from domains.llm import LLMRequest, LLMSettings, ResilientLLM
    from eco2.settings import Settings
    from functions.chat.graph import NoScans
    from functions.chat.main import new, open_checkpointer

    class TimedLLM(ResilientLLM):
        """The port, noting when each stream was asked for and when its first delta came."""

        def __init__(self, settings: LLMSettings) -> None:
            super().__init__(settings)
            self.first: dict[str, float] = {}

        async def stream(self, request: LLMRequest) -> Any:
            asked = time.perf_counter()
            first = True
            async for delta in super().stream(request):
                if first:
                    self.first[TURN.get()] = time.perf_counter() - asked
                    first = False
                yield delta

    index, count = args.worker
    settings = Settings(_env_file=None, database_schema=args.schema)  # type: ignore[call-arg]
    llm_settings = LLMSettings(model="sim", sim_scale=args.sim_scale, timeout_s=120)
    settings = settings.model_copy(
        update={
            "chat": settings.chat.model_copy(update={"checkpoint_pool_size": args.pool}),
            "llm": llm_settings,
        }
    )
    saver, pool = await open_checkpointer(settings)
    # Stores in memory and no database of places (the knowledge-based tools): the graph, the
    # checkpointer and the model are what is measured.
    fn = new(
        settings,
        characters=MemoryCharacterService(),
        images=MemoryImageStore(),
        checkpointer=saver,
        scans=NoScans(),
    )
    llm = TimedLLM(llm_settings)
    fn.llm = llm
    await fn.start()
    # Warm once (Kiwi, the knowledge base): a worker does it once at start, not per turn.
    await conversation(fn, llm.first, -1 - index, [])
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    mine = [n for n in range(args.conversations) if n % count == index]
    ramp = args.ramp_s / max(1, args.conversations)
    results: list[dict[str, Any]] = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    if args.sequential:
        for n in mine:
            await conversation(fn, llm.first, n, results)
    else:
        await asyncio.gather(
            *(conversation(fn, llm.first, n, results, n * ramp, args.think_s) for n in mine)
        )
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{args.profile}.{index}")
    await fn.stop()
    await pool.close()
    cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    for r in results:  # the model's first token is noted when it comes, after the turn began
        r["model_ttft"] = llm.first.get(r["key"])
    print(json.dumps({"cpu_s": cpu_s, "results": results}), flush=True)


# ----- the run -----------------------------------------------------------------------------


async def spawn(args: argparse.Namespace, index: int, schema: str) -> Any:
    tree = Path(args.tree)
    command = [
        str(tree / ".venv" / "bin" / "python"),
        str(SCRIPT),
        "--worker",
        f"{index}/{args.workers}",
        "--schema",
        schema,
        *("--conversations", str(args.conversations)),
        *("--sim-scale", str(args.sim_scale)),
        *("--pool", str(args.pool)),
        *("--ramp-s", str(args.ramp_s)),
        *("--think-s", str(args.think_s)),
        *("--loop", args.loop),
        *(["--sequential"] if args.sequential else []),
        *(["--profile", args.profile] if args.profile else []),
    ]
    # The tree's own modules first, whatever its virtualenv's editable install points at.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return await asyncio.create_subprocess_exec(
        *command,
        cwd=tree,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 26,
    )


async def line_of(process: Any, start: bytes) -> bytes:
    """The worker's next stdout line starting with ``start`` (a library may print others)."""
    while line := await process.stdout.readline():
        if line.startswith(start):
            return bytes(line)
    raise RuntimeError(f"a worker ended without {start!r} (exit {await process.wait()})")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from domains.db import create_engine
    from eco2.settings import Settings
    from functions.chat.main import open_checkpointer

    schema = f"bench_chat_{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, database_schema=schema)  # type: ignore[call-arg]
    engine = create_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The checkpointer's tables once, before the workers (their setups then find them).
    _, setup_pool = await open_checkpointer(settings)
    await setup_pool.close()
    try:
        workers = [await spawn(args, i, schema) for i in range(args.workers)]
        for w in workers:
            await line_of(w, b"ready")
        calibration = calibrate()
        load0 = os.getloadavg()
        wall0 = time.perf_counter()
        for w in workers:
            w.stdin.write(b"go\n")
            await w.stdin.drain()
        outputs = [json.loads(await line_of(w, b"{")) for w in workers]
        wall = time.perf_counter() - wall0
        load1 = os.getloadavg()
        for w in workers:
            await w.wait()
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await engine.dispose()
    results = [r for out in outputs for r in out["results"]]
    cpu_s = sum(out["cpu_s"] for out in outputs)
    done = [r for r in results if r["ok"]]
    timed = [r for r in done if r["ttft"] is not None and r["model_ttft"] is not None]
    overhead = [r["ttft"] - r["model_ttft"] for r in timed]
    return {
        "tree": args.tree,
        "workers": args.workers,
        "conversations": args.conversations,
        "turns": len(results),
        "completed": len(done),
        "completion": round(len(done) / max(1, len(results)), 4),
        "sim_scale": args.sim_scale,
        "checkpoint_pool": args.pool,
        "ramp_s": args.ramp_s,
        "think_s": args.think_s,
        "loop": args.loop,
        "sequential": args.sequential,
        "calibration_ms": calibration,
        "loadavg_1m_start_end": [round(load0[0], 2), round(load1[0], 2)],
        "model_first_token_p50_s": round(statistics.median(r["model_ttft"] for r in timed), 3)
        if timed
        else None,
        "ttft_p50_s": round(pct([r["ttft"] for r in timed], 0.5), 3),
        "ttft_p95_s": round(pct([r["ttft"] for r in timed], 0.95), 3),
        "ttft_over_model_p50_s": round(pct(overhead, 0.5), 3),
        "ttft_over_model_p95_s": round(pct(overhead, 0.95), 3),
        "turn_p95_s": round(pct([r["total"] for r in done], 0.95), 3),
        "wall_s": round(wall, 2),
        "cpu_ms_per_turn": round(1000 * cpu_s / max(1, len(results)), 2),
        "per_worker": [
            {
                "turns": len(out["results"]),
                "cpu_ms_per_turn": round(1000 * out["cpu_s"] / max(1, len(out["results"])), 2),
                "ttft_over_model_p95_s": round(
                    pct(
                        [
                            r["ttft"] - r["model_ttft"]
                            for r in out["results"]
                            if r["ok"] and r["ttft"] is not None and r["model_ttft"] is not None
                        ],
                        0.95,
                    ),
                    3,
                ),
            }
            for out in outputs
        ],
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="Worker processes (K).")
    parser.add_argument("--sim-scale", type=float, default=0.2)
    parser.add_argument("--pool", type=int, default=16, help="Checkpointer pool per worker.")
    parser.add_argument("--ramp-s", type=float, default=0.0, help="Spread the starts over this.")
    parser.add_argument("--think-s", type=float, default=0.0, help="Pause between two turns.")
    parser.add_argument("--sequential", action="store_true", help="One turn at a time.")
    parser.add_argument("--profile", default="", help="cProfile each worker's run to FILE.<i>.")
    parser.add_argument("--tree", default="", help="Run the workers on this checkout's code.")
    parser.add_argument(
        "--loop",
        choices=["uvloop", "asyncio"],
        default="uvloop",
        help="The workers' event loop (uvloop: what `eco2 function run` uses).",
    )
    parser.add_argument("--schema", default="", help=argparse.SUPPRESS)
    parser.add_argument(
        "--worker",
        type=lambda s: tuple(int(p) for p in s.split("/")),
        default=None,
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    args.tree = str(Path(args.tree).resolve() if args.tree else ROOT)
    return args


def main() -> None:
    args = parse()
    if args.worker is not None:
        if args.loop == "uvloop":
            import uvloop

            uvloop.run(worker(args))  # as `eco2 function run` serves the chat function
        else:
            asyncio.run(worker(args))
        return
    print(json.dumps(asyncio.run(run(args)), indent=1))


if __name__ == "__main__":
    main()
