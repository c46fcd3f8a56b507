"""Chat load: N concurrent conversations through the chat graph with the simulated model.

Each conversation runs ``--turns`` turns (a compound question, then a follow-up) through a
freshly compiled ``build_graph`` on LangGraph's PostgreSQL checkpointer (real server, a schema
of its own, dropped at the end), with the ``sim`` model: the aggregator's stream waits like a
cloud model (first delta after half its wait). Per turn it records whether the turn completed,
the time to its first streamed token, and the model's own time to first token inside that turn
(from the stream's request to its first delta), so the overhead of the graph — split,
classify, parallel sub-agents, checkpoints — is their difference. CPU per turn is the process's
CPU time over the run divided by the turns.

    .venv/bin/python bench/chat_load.py --conversations 500 --sim-scale 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import resource
import statistics
import time
import uuid
from typing import Any

from domains.character.memory import MemoryCharacterService
from domains.chat.tools import CardPainter
from domains.db import create_engine
from domains.image import MemoryImageStore
from domains.llm import LLMRequest, LLMSettings, ResilientLLM
from eco2.settings import Settings
from functions.chat.graph import GraphDeps, build_graph
from functions.chat.main import open_checkpointer
from functions.chat.parts import Tools

# The turn a stream belongs to: set before each turn, inherited by the graph's tasks.
TURN: contextvars.ContextVar[str] = contextvars.ContextVar("bench_turn", default="")
DURABILITY = "async"
# Each conversation asks about its own number of bottles, so no cache sees one text twice.
TURNS = ("페트병 {n}개 어떻게 버려? 고철 시세는 얼마야? 이코는 뭐 좋아해?", "알루미늄은?")


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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def conversation(
    graph: Any,
    llm: TimedLLM,
    n: int,
    results: list[dict[str, Any]],
    start_s: float = 0.0,
    think_s: float = 0.0,
) -> None:
    chat_id = f"bench-{n}-{uuid.uuid4().hex[:6]}"
    config = {"configurable": {"thread_id": chat_id}}
    await asyncio.sleep(start_s)
    for t, message in enumerate(TURNS):
        if t:
            await asyncio.sleep(think_s)  # the person reads the answer before asking again
        key = f"{chat_id}:{t}"
        TURN.set(key)
        started = time.perf_counter()
        first_token: float | None = None
        ok = False
        try:
            text = message.format(n=n + 2)
            payload = {"message": text, "chat_id": chat_id, "user_id": chat_id, "model": "sim"}
            async for mode, _chunk in graph.astream(
                payload, config, stream_mode=["messages", "custom"], durability=DURABILITY
            ):
                if mode == "messages" and first_token is None:
                    first_token = time.perf_counter() - started
            state = await graph.aget_state(config)
            ok = bool(state.values.get("answer"))
        except Exception as exc:  # a failed turn is counted, not fatal to the run
            print(f"turn {key} failed: {type(exc).__name__}: {exc}")
        results.append(
            {
                "key": key,
                "ok": ok,
                "ttft": first_token,
                "total": time.perf_counter() - started,
            }
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--sim-scale", type=float, default=0.2)
    parser.add_argument("--durability", choices=["sync", "async", "exit"], default="async")
    parser.add_argument("--pool", type=int, default=16)
    parser.add_argument("--ramp-s", type=float, default=0.0, help="Spread the starts over this.")
    parser.add_argument("--think-s", type=float, default=0.0, help="Pause between two turns.")
    args = parser.parse_args()
    global DURABILITY
    DURABILITY = args.durability
    schema = f"bench_chat_{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, database_schema=schema)  # type: ignore[call-arg]
    settings = settings.model_copy(
        update={"chat": settings.chat.model_copy(update={"checkpoint_pool_size": args.pool})}
    )
    engine = create_engine(settings.database_url)
    from sqlalchemy import text

    async with engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    saver, pool = await open_checkpointer(settings)
    llm_settings = LLMSettings(model="sim", sim_scale=args.sim_scale, timeout_s=120)
    llm = TimedLLM(llm_settings)
    images = MemoryImageStore()
    tools = Tools(characters=MemoryCharacterService(), painter=CardPainter(images))
    graph = build_graph(GraphDeps(llm=llm, tools=tools, images=images), saver)
    # Warm once (model training, Kiwi): a worker does it once at start, not per turn.
    await conversation(graph, llm, -1, [])
    results: list[dict[str, Any]] = []
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.perf_counter()
    ramp = args.ramp_s / max(1, args.conversations)
    await asyncio.gather(
        *(
            conversation(graph, llm, n, results, n * ramp, args.think_s)
            for n in range(args.conversations)
        )
    )
    wall = time.perf_counter() - wall0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    await pool.close()
    async with engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()
    done = [r for r in results if r["ok"]]
    overhead = [
        r["ttft"] - llm.first[r["key"]]
        for r in done
        if r["ttft"] is not None and r["key"] in llm.first
    ]
    report = {
        "conversations": args.conversations,
        "turns": len(results),
        "completed": len(done),
        "completion": round(len(done) / max(1, len(results)), 4),
        "sim_scale": args.sim_scale,
        "durability": args.durability,
        "checkpoint_pool": args.pool,
        "ramp_s": args.ramp_s,
        "think_s": args.think_s,
        "model_first_token_p50_s": round(statistics.median(llm.first.values()), 3),
        "ttft_p50_s": round(pct([r["ttft"] for r in done if r["ttft"]], 0.5), 3),
        "ttft_p95_s": round(pct([r["ttft"] for r in done if r["ttft"]], 0.95), 3),
        "ttft_over_model_p50_s": round(pct(overhead, 0.5), 3),
        "ttft_over_model_p95_s": round(pct(overhead, 0.95), 3),
        "turn_p95_s": round(pct([r["total"] for r in done], 0.95), 3),
        "wall_s": round(wall, 2),
        "cpu_ms_per_turn": round(1000 * cpu_s / max(1, len(results)), 2),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
