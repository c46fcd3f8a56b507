"""Redis connections of one SSE gateway under N concurrent clients: shard mode vs per-job mode.

    .venv/bin/python bench/sse_connections.py --clients 500

For each mode it starts a gateway process (``eco2 gateway``) with its own client name and key
prefix, registers N jobs and routes one event each (in-process router), opens N concurrent SSE
clients (one per job) and waits until each has its first event (so every subscription exists),
counts the gateway's connections in ``CLIENT LIST``, then emits a second event per job and times
its fan-out. Loopback only, every wait bounded. Prints both modes side by side and writes
bench/results/sse_connections.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from redis import asyncio as aioredis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventing.progress import ProgressKeys, ProgressPublisher, connect  # noqa: E402
from eventing.router import Router, RouterSettings  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def count_connections(redis: aioredis.Redis, name: str) -> int:
    clients = await redis.client_list()
    return sum(1 for client in clients if client.get("name") == name)


async def wait_up(url: str, proc: subprocess.Popen, within: float = 30) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("gateway exited")
            try:
                if (await client.get(f"{url}/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("gateway did not start")


class Client:
    """One SSE client: records when each seq arrived."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.arrivals: dict[int, float] = {}
        self.first = asyncio.Event()
        self.second = asyncio.Event()

    async def run(self, http: httpx.AsyncClient) -> None:
        async with http.stream("GET", self.url) as response:
            async for line in response.aiter_lines():
                if line.startswith("id:"):
                    seq = int(line[3:].strip())
                    self.arrivals[seq] = time.perf_counter()
                    (self.first if seq == 1 else self.second).set()
                    if seq >= 2:
                        return


def start_gateway(env: dict[str, str], port: int, mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/eco2"),
            "gateway",
            "--port",
            str(port),
            "--channels",
            mode,
            "--no-auth",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=raise_fd_limit,
    )


async def run_mode(mode: str, clients: int, shards: int, port: int) -> dict[str, object]:
    tag = f"bench{uuid.uuid4().hex[:8]}"
    prefix, name = f"{tag}:", f"{tag}-gw"
    keys = ProgressKeys(shards, prefix)
    redis = connect(REDIS_URL, max_connections=32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO2_")}
    env.update(
        ECO2_SHARDS=str(shards),
        ECO2_PROGRESS__KEY_PREFIX=prefix,
        ECO2_GATEWAY__CLIENT_NAME=name,
        ECO2_GATEWAY__CLIENT_QUEUE="64",
    )
    gateway = start_gateway(env, port, mode)
    url = f"http://127.0.0.1:{port}"
    router = Router(redis, keys, RouterSettings(block_ms=100), consumer=tag, channels=mode)
    router_task: asyncio.Task[None] | None = None
    try:
        await wait_up(url, gateway)
        idle = await count_connections(redis, name)
        publisher = ProgressPublisher(redis, keys)
        jobs = [f"job{i}" for i in range(clients)]
        await router.setup()
        router_task = asyncio.create_task(router.run())
        for job in jobs:
            await publisher.register_job(job)
            await publisher.emit(job, "queued", "started", 0)
        limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60)) as http:
            sse = [Client(f"{url}/api/v1/scans/{job}/events") for job in jobs]
            started = time.perf_counter()
            tasks = [asyncio.create_task(client.run(http)) for client in sse]
            async with asyncio.timeout(120):
                while not all(client.first.is_set() for client in sse):
                    failed = [task for task in tasks if task.done()]
                    if failed:
                        await failed[0]  # a client that ended early: show why
                        raise RuntimeError("an SSE client ended before its first event")
                    await asyncio.sleep(0.1)
            connect_s = time.perf_counter() - started
            await asyncio.sleep(0.5)
            connected = await count_connections(redis, name)
            emitted: dict[str, float] = {}
            for job in jobs:
                emitted[job] = time.perf_counter()
                await publisher.emit(job, "vision", "started", 5)
            async with asyncio.timeout(120):
                await asyncio.gather(*tasks)
        pairs = zip(sse, jobs, strict=True)
        latencies = sorted((client.arrivals[2] - emitted[job]) * 1000 for client, job in pairs)
        return {
            "mode": mode,
            "clients": clients,
            "redis_connections_idle": idle,
            "redis_connections_with_clients": connected,
            "connect_all_s": round(connect_s, 2),
            "fanout_p50_ms": round(statistics.median(latencies), 1),
            "fanout_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        }
    finally:
        router.stop()
        if router_task is not None:
            await asyncio.wait_for(router_task, 5)
        gateway.send_signal(signal.SIGTERM)
        try:
            gateway.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gateway.kill()
        stale = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        for start in range(0, len(stale), 500):
            await redis.delete(*stale[start : start + 500])
        await redis.aclose()


async def measure(clients: int, shards: int, port: int) -> list[dict[str, object]]:
    return [await run_mode(mode, clients, shards, port) for mode in ("shard", "job")]


def main(clients: int, shards: int, port: int, out: Path) -> None:
    raise_fd_limit()
    results = asyncio.run(measure(clients, shards, port))
    rows = [
        ("Redis connections, gateway idle", "redis_connections_idle"),
        (f"Redis connections, {clients} clients", "redis_connections_with_clients"),
        (f"all {clients} clients connected + replayed (s)", "connect_all_s"),
        ("fan-out latency p50 (ms)", "fanout_p50_ms"),
        ("fan-out latency p95 (ms)", "fanout_p95_ms"),
    ]
    print(f"{'':44} {'shard mode':>12} {'per-job mode':>14}")
    for label, key in rows:
        print(f"{label:44} {results[0][key]!s:>12} {results[1][key]!s:>14}")
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "sse_connections",
        "shards": shards,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "results": results,
    }
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/sse_connections.json")
    args = parser.parse_args()
    main(args.clients, args.shards, args.port, args.out)
