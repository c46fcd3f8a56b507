"""The load benchmark: the whole system on the loopback servers, closed-loop VUs, per-level figures.

    .venv/bin/python bench/run.py --levels 100,300,500,1000,2000 --duration 60 --scale 1.0
    .venv/bin/python bench/run.py --quick            # 20 and 50 VU, scale 0.1, 20 s each

For each channel mode and VU level it starts a fresh ``eco2 serve`` (API + SSE gateway, router,
one worker per stage) with the simulated model (``ECO2_LLM__MODEL=sim``), its own key/stream
prefix and PostgreSQL schema, waits until every worker consumes, runs one warm-up scan, drives
the level (``bench/loadgen.py``), samples CPU/RSS/Redis (``bench/procstats.py``), stops the
system and removes its keys and schema. A fresh system per level keeps levels independent (no
backlog or warm cache carried over) at ~10 s of start-up each. Results: bench/results/<ts>.json,
bench/RESULTS.md and bench/results/plot.png (``bench/report.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import uvloop
from redis import asyncio as aioredis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import loadgen, metrics, procstats, report  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
RESULTS = ROOT / "bench" / "results"


class System:
    """One ``eco2 serve`` with its own prefix and schema; ``with`` starts and cleans it up."""

    def __init__(
        self,
        *,
        port: int,
        mode: str,
        scale: float,
        jitter: float,
        workers: int,
        apis: int = 1,
        worker_nice: int = 0,
    ) -> None:
        self.port, self.mode, self.apis, self.worker_nice = port, mode, apis, worker_nice
        self.tag = f"bench{uuid.uuid4().hex[:8]}"
        self.log = Path(f"/tmp/{self.tag}.log")
        self.env = {
            **os.environ,
            "ECO2_LLM__MODEL": "sim",
            "ECO2_LLM__SIM_SCALE": str(scale),
            "ECO2_LLM__SIM_JITTER": str(jitter),
            "ECO2_PROGRESS__KEY_PREFIX": f"{self.tag}:",
            "ECO2_GATEWAY__CLIENT_NAME": f"{self.tag}-gw",
            "ECO2_PIPELINE__TOPIC_PREFIX": f"{self.tag}:",
            "ECO2_DATABASE_SCHEMA": self.tag,
            # VUs sign in once through the dev login; the limits must not throttle the load.
            "ECO2_AUTH__DEV_LOGIN": "true",
            "ECO2_AUTH__REDIS_PREFIX": f"{self.tag}:auth:",
            "ECO2_AUTH__SCAN_BURST": "1000000",
            "ECO2_AUTH__SCAN_PER_MINUTE": "1000000",
        }
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, within_s: float = 90) -> None:
        argv = [sys.executable, "-m", "eco2.cli", "serve", "--port", str(self.port)]
        argv += ["--workers-per-stage", str(self.workers), "--api-replicas", str(self.apis)]
        argv += ["--worker-nice", str(self.worker_nice), "--channels", self.mode]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + within_s
        wanted = 4 * self.workers  # every worker logs "consuming <topic>" once it reads
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"eco2 serve exited; see {self.log}")
            if self.log.read_text(errors="replace").count(" consuming ") >= wanted:
                return
            time.sleep(0.3)
        raise RuntimeError(f"eco2 serve not ready in {within_s}s; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def clean(self) -> None:
        """Remove this system's keys (its prefix only) and its schema."""
        redis = aioredis.Redis.from_url(REDIS_URL)
        try:
            batch = [key async for key in redis.scan_iter(match=f"{self.tag}:*", count=1000)]
            for n in range(0, len(batch), 500):
                await redis.unlink(*batch[n : n + 500])
        finally:
            await redis.aclose()
        drop = asyncio.to_thread(
            subprocess.run,
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-c",
             f"DROP SCHEMA IF EXISTS {self.tag} CASCADE"],
            check=False, capture_output=True, timeout=30,
        )  # fmt: skip
        await drop


async def sample_redis(pids: dict[int, str], stop: asyncio.Event) -> dict[str, Any]:
    """Peaks over the level: our Redis sockets per role, Pub/Sub output buffer, all clients."""
    redis = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    peak: dict[str, Any] = {"sockets": {}, "stats": {}}
    try:
        while not stop.is_set():
            sockets = procstats.sockets_to(pids)
            for role, addrs in sockets.items():
                peak["sockets"][role] = max(peak["sockets"].get(role, 0), len(addrs))
            stats = await procstats.redis_stats(redis, set().union(*sockets.values()))
            for key, value in stats.items():
                old = peak["stats"].get(key)
                peak["stats"][key] = (
                    value if isinstance(value, str) or old is None else max(old, value)
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2.0)
    finally:
        await redis.aclose()
    peak["sockets_total"] = sum(peak["sockets"].values())
    return peak


async def warm_up(url: str) -> None:
    """One scan end to end, so imports, pools and caches are warm before the clock starts."""
    async with aiohttp.ClientSession(base_url=url) as session:
        auth = await loadgen.sign_in(session, "bench-warmup")
        cycle = await loadgen.one_scan(session, loadgen.images(1)[0], auth, "sim", 60)
    if cycle.outcome != "done":
        raise RuntimeError(f"warm-up scan ended {cycle.outcome}")


async def level(args: argparse.Namespace, mode: str, vus: int) -> dict[str, Any]:
    system = System(
        port=args.port,
        mode=mode,
        scale=args.scale,
        jitter=args.jitter,
        workers=args.workers,
        apis=args.api_replicas,
        worker_nice=args.worker_nice,
    )
    try:
        await asyncio.to_thread(system.start)
        await warm_up(system.url)
        # Logins before the counters start: a user signs in once, then scans for weeks.
        auths = await loadgen.sign_in_vus(system.url, vus)
        assert system.proc is not None
        pids = procstats.system_pids(system.proc.pid)
        before = procstats.snapshot(pids)
        postgres_before = procstats.snapshot(procstats.postgres_pids())
        own_before = time.process_time()
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_redis(pids, stop))
        ramp_s = min(args.duration / 4, 10.0)
        load = await loadgen.run_level(
            system.url,
            vus,
            args.duration,
            ramp_s=ramp_s,
            cycle_timeout_s=args.cycle_timeout,
            auths=auths,
        )
        own_ms = (time.process_time() - own_before) * 1000
        after = procstats.snapshot(pids)
        postgres = procstats.cpu_by_role(
            postgres_before, procstats.snapshot(procstats.postgres_pids())
        )
        stop.set()
        peaks = await sampler
    finally:
        system.stop()
        await system.clean()
    sim = metrics.sim_quantiles(args.sim_vision, args.sim_text, args.jitter, args.scale)
    cpu = procstats.cpu_by_role(before, after)
    postgres_ms = postgres.get("postgres", {}).get("cpu_ms")
    figures = metrics.summarise(
        load, sim, cpu, ramp_s=ramp_s, bench_cpu_ms=own_ms, postgres_cpu_ms=postgres_ms
    )
    figures |= {"mode": mode, "sim_s": sim, "redis": peaks}
    return figures


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--levels", default="100,300,500,1000,2000")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level")
    parser.add_argument("--scale", type=float, default=1.0, help="ECO2_LLM__SIM_SCALE")
    parser.add_argument("--jitter", type=float, default=0.0, help="ECO2_LLM__SIM_JITTER")
    parser.add_argument("--channel-mode", default="shard", choices=["shard", "job", "both"])
    parser.add_argument("--workers", type=int, default=1, help="workers per stage")
    parser.add_argument(
        "--api-replicas", type=int, default=2, help="API processes on the port (SO_REUSEPORT)"
    )
    parser.add_argument(
        "--worker-nice", type=int, default=5, help="eco2 serve --worker-nice (API first)"
    )
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--cycle-timeout", type=float, default=120.0, help="bound of one scan")
    parser.add_argument("--name", default=None, help="results name (default: quick or time)")
    parser.add_argument("--quick", action="store_true", help="20,50 VU, scale 0.1, 20 s")
    parser.add_argument("--no-report", action="store_true", help="JSON only (no RESULTS.md)")
    args = parser.parse_args()
    if args.quick:
        args.levels, args.scale, args.duration = "20,50", 0.1, 20.0
    # The profile the workers use (eco2/settings.py defaults unless overridden in the env).
    from domains.llm.settings import LLMSettings

    llm = LLMSettings()
    args.sim_vision, args.sim_text = llm.sim_vision_s, llm.sim_text_s
    return args


async def main() -> int:
    args = parse()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children inherit it
    modes = ["shard", "job"] if args.channel_mode == "both" else [args.channel_mode]
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    calibration_ms = procstats.calibrate()  # before the load: the machine's own speed
    print(f"calibration: {calibration_ms:.1f} ms (bench/procstats.py calibrate)", flush=True)
    results: list[dict[str, Any]] = []
    for mode in modes:
        for vus in levels:
            print(
                f"== {mode} mode, {vus} VU, {args.duration:.0f} s, scale {args.scale}", flush=True
            )
            figures = await level(args, mode, vus)
            results.append(figures)
            print(report.line(figures), flush=True)
    run = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "cpu_model": procstats.cpu_model(),
            "calibration_ms": round(calibration_ms, 1),
        },
        "args": {k: v for k, v in vars(args).items()},
        "levels": results,
        "knee": metrics.knee([r for r in results if r["mode"] == "shard"]),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = args.name or ("quick" if args.quick else time.strftime("%Y%m%d-%H%M%S"))
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(run, indent=2, ensure_ascii=False))
    print(f"wrote {path.relative_to(ROOT)}")
    if not args.no_report:
        report.write(run, ROOT / "bench" / "RESULTS.md", RESULTS / "plot.png")
    return 0


if __name__ == "__main__":
    sys.exit(uvloop.run(main()))  # the C event loop: the load generator shares the cores
