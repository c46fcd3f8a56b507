"""Smoke test of the load benchmark's harness (not a benchmark): the VU client against a tiny
scan API on a real uvicorn server, the figures computed from cycles, /proc sampling and the
report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from bench import loadgen, metrics, procstats, report
from bench.loadgen import Cycle, LoadResult


def fake_api(stages: list[str], *, status: int = 202) -> Starlette:
    """POST /api/v1/scans → 202; the events stream sends ``stages`` then closes."""

    async def submit(request: Request) -> JSONResponse:
        form = await request.form()
        assert form["model"] == "sim" and form["hint"]
        assert request.headers["authorization"] == "Bearer token-of-bench-1"
        body = {"job_id": "j1", "events_url": "/api/v1/scans/j1/events", "result_url": "/r"}
        return JSONResponse(body, status_code=status)

    async def events(request: Request) -> StreamingResponse:
        assert request.headers["authorization"] == "Bearer token-of-bench-1"

        async def body():
            yield ": ping\n\n"
            for seq, stage in enumerate(stages, 1):
                data = {"job_id": "j1", "seq": seq, "stage": stage, "status": "completed"}
                yield f"id: {seq}\nevent: {stage}\ndata: {json.dumps(data)}\n\n"
                await asyncio.sleep(0.01)

        return StreamingResponse(body(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/api/v1/scans", submit, methods=["POST"]),
            Route("/api/v1/scans/{job}/events", events),
        ]
    )


AUTH = {"Authorization": "Bearer token-of-bench-1"}


def login_api(logins: list[str], in_flight: list[int]) -> Starlette:
    """POST /api/v1/auth/dev-login: a token per nickname; records who signed in and how many
    sign-ins were in flight at once."""
    current = [0]

    async def dev_login(request: Request) -> JSONResponse:
        current[0] += 1
        in_flight.append(current[0])
        await asyncio.sleep(0.01)
        nickname = (await request.json())["nickname"]
        logins.append(nickname)
        current[0] -= 1
        return JSONResponse({"access_token": f"token-of-{nickname}"})

    return Starlette(routes=[Route("/api/v1/auth/dev-login", dev_login, methods=["POST"])])


async def test_every_vu_signs_in_once_and_never_all_at_once():
    logins: list[str] = []
    in_flight: list[int] = []
    async with client(login_api(logins, in_flight)) as c:
        auths = await loadgen.sign_in_all(c, 100, concurrency=8)
    assert sorted(logins) == sorted(f"bench-{n}" for n in range(100))
    assert auths[7] == {"Authorization": "Bearer token-of-bench-7"}
    assert max(in_flight) <= 8


@contextlib.asynccontextmanager
async def client(app: Starlette) -> AsyncIterator[aiohttp.ClientSession]:
    """A session whose base URL is ``app`` served by uvicorn on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
                await asyncio.sleep(0.01)
        port = sock.getsockname()[1]
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as session:
            yield session
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


async def test_a_vu_follows_a_scan_to_its_terminal_event():
    photo = loadgen.images(1)[0]
    async with client(fake_api(["queued", "vision", "rule", "answer", "reward", "done"])) as c:
        cycle = await loadgen.one_scan(c, photo, AUTH, "sim", 5)
    assert cycle.outcome == "done" and cycle.events == 6  # the ping is not an event
    assert 0 < cycle.submit_s <= cycle.first_event_s <= cycle.end_s < 5


@pytest.mark.parametrize(
    ("stages", "status", "outcome"),
    [
        (["queued", "vision", "failed"], 202, "failed"),
        (["queued", "vision"], 202, "sse_dropped"),
        (["queued"], 503, "http_503"),
    ],
)
async def test_every_other_ending_is_counted_by_kind(stages, status, outcome):
    async with client(fake_api(stages, status=status)) as c:
        cycle = await loadgen.one_scan(c, loadgen.images(1)[0], AUTH, "sim", 5)
    assert cycle.outcome == outcome
    assert (cycle.end_s is not None) == (outcome == "failed")  # a failed job did end


def cycles(ends: list[float], t0: float = 100.0) -> list[Cycle]:
    return [Cycle(started=t0 + n, submit_s=0.01, first_event_s=0.02, end_s=e, outcome="done")
            for n, e in enumerate(ends)]  # fmt: skip


def test_figures_overhead_bound_and_knee():
    sim = metrics.sim_quantiles(4.0, 5.6, 0.0, 0.1)  # 0.96 s, no jitter: exact
    assert sim == {"p50": pytest.approx(0.96), "p95": pytest.approx(0.96),
                   "p99": pytest.approx(0.96), "mean": pytest.approx(0.96)}  # fmt: skip
    load = LoadResult(vus=2, duration_s=10, wall_s=11)
    load.cycles = cycles([1.0] * 18 + [3.0, 3.0])
    load.cycles.append(Cycle(started=101, outcome="sse_timeout"))
    cpu = {"api": {"cpu_ms": 200.0, "rss_mb": 50.0, "processes": 1}}
    figures = metrics.summarise(load, sim, cpu, ramp_s=0.0, bench_cpu_ms=100.0)
    assert figures["completion_pct"] == pytest.approx(100 * 20 / 21)
    assert figures["errors"] == {"sse_timeout": 1}
    assert figures["overhead_s"]["p50"] == pytest.approx(0.04)
    assert figures["overhead_s"]["p99"] == pytest.approx(2.04)
    assert figures["littles_bound_per_min"] == pytest.approx(2 * 60 / 0.96)
    assert figures["cpu_ms_per_scan"] == {"api": 10.0}
    assert metrics.knee([figures]) is None  # 95 % done is not holding the load


def test_the_knee_is_the_fastest_level_that_held():
    def level(per_min: float, p95: float, done: float = 100.0) -> dict:
        return {"scans_per_min": per_min, "overhead_s": {"p95": p95}, "completion_pct": done}

    held, slow, lossy = level(500, 0.4), level(900, 1.2), level(800, 0.5, done=97.0)
    assert metrics.knee([held, slow, lossy, level(300, 0.1)]) is held
    assert metrics.knee([slow]) is None


def test_proc_sampling_sees_our_own_cpu():
    me = os.getpid()
    before = procstats.snapshot({me: "bench"})
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    after = procstats.snapshot({me: "bench"})
    spent = procstats.cpu_by_role(before, after)["bench"]
    assert spent["cpu_ms"] >= 30 and spent["rss_mb"] > 10
    assert procstats.role_of(["python", "-m", "eco2.cli", "function", "run",
                              "functions/answer/main.py"]) == "worker:answer"  # fmt: skip
    assert procstats.role_of(["python", "-m", "eco2.cli", "api"]) == "api"


async def test_postgres_cpu_counts_a_backend_born_during_the_level() -> None:
    from sqlalchemy import text

    from domains.db import create_engine

    before = procstats.snapshot(procstats.postgres_pids())
    assert before, "the local PostgreSQL server is not visible in /proc"
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    try:
        async with engine.connect() as conn:  # a new backend, after the first snapshot
            await conn.scalar(text("SELECT count(*) FROM generate_series(1, 3000000)"))
            after = procstats.snapshot(procstats.postgres_pids())
    finally:
        await engine.dispose()
    spent = procstats.cpu_by_role(before, after)["postgres"]
    assert spent["cpu_ms"] >= 50 and spent["processes"] > len(before)


def test_calibration_measures_the_cpu_not_the_wall_clock():
    # Best of rounds of process time: a positive, repeatable figure (within 2× run to run).
    first, second = procstats.calibrate(rounds=2), procstats.calibrate(rounds=2)
    assert first > 1 and second > 1 and 0.5 < first / second < 2
    assert procstats.cpu_model()


def test_report_writes_tables_and_plot(tmp_path):
    load = LoadResult(vus=2, duration_s=10, wall_s=11)
    load.cycles = cycles([1.0] * 10)
    sim = metrics.sim_quantiles(4.0, 5.6, 0.0, 0.1)
    cpu = {"api": {"cpu_ms": 50.0, "rss_mb": 50.0, "processes": 1}}
    level = metrics.summarise(load, sim, cpu, ramp_s=0.0, bench_cpu_ms=1.0)
    level |= {"mode": "shard", "sim_s": sim,
              "redis": {"sockets": {"api": 3}, "stats": {}, "sockets_total": 3}}  # fmt: skip
    machine = {"cpus": 2, "python": "3.11", "cpu_model": "AMD EPYC", "calibration_ms": 52.1}
    run = {"when": "now", "machine": machine, "levels": [level],
           "args": {"levels": "2", "duration": 10.0, "scale": 0.1, "jitter": 0.0,
                    "workers": 1, "quick": True, "name": None},
           "knee": metrics.knee([level])}  # fmt: skip
    md = tmp_path / "RESULTS.md"
    md.write_text("# Results\n\nhand-written notes\n")
    report.write(run, md, tmp_path / "plot.png")
    report.write(run, md, tmp_path / "plot.png")  # replaces its block, keeps the notes
    text = md.read_text()
    assert text.count("<!-- generated:quick -->") == 1 and "hand-written notes" in text
    assert "| shard | 2 | 10 | 100.00 |" in text and "**Knee**" in text
    assert "2 CPUs (AMD EPYC, calibration 52.1 ms), Python 3.11" in text
    assert "| total | loadgen | postgres | cores busy |" in text
    assert (tmp_path / "plot-quick.png").stat().st_size > 5_000
