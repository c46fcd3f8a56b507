"""CPU time and memory of the system's processes, and what Redis says about its clients.

Linux only (``/proc``). A snapshot before and after a load level gives each process's CPU
milliseconds spent during the level (user + system, children excluded) and its RSS; Redis adds
its connection count and the Pub/Sub output buffers (a router that falls behind is cut by
``client-output-buffer-limit pubsub``: the buffers show it coming).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel
from redis import asyncio as aioredis

TICKS = os.sysconf("SC_CLK_TCK")


class ProcSample(BaseModel):
    """One process at one instant."""

    pid: int
    role: str
    cpu_ms: float  # user + system since the process started
    rss_mb: float


def cpu_ms(pid: int) -> float:
    """User + system CPU of ``pid`` in milliseconds (``/proc/<pid>/stat`` fields 14 and 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cmdline(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's ``children`` list)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def role_of(argv: list[str]) -> str:
    """``api``, ``router``, ``worker:<stage>``, ``redis`` or the program name."""
    if any("redis-server" in part for part in argv[:1]):
        return "redis"
    if "eco2.cli" in argv:
        args = argv[argv.index("eco2.cli") + 1 :]
        if args[:2] == ["function", "run"] and len(args) > 2:
            return "worker:" + Path(args[2]).parent.name
        return args[0] if args else "eco2"
    return Path(argv[0]).name if argv else "?"


def find_redis() -> int | None:
    """The pid of the local ``redis-server`` (the one the system uses), if visible."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = cmdline(int(entry.name))
            except OSError:
                continue
            if argv and "redis-server" in argv[0]:
                return int(entry.name)
    return None


def postgres_pids() -> dict[int, str]:
    """The local PostgreSQL server's processes: the postmaster and its children (backends,
    writers), all under the role ``postgres``. Backends come and go with pool connections, so
    take this list again for each snapshot; ``cpu_by_role`` counts a pid new since the first
    snapshot in full (a backend that exited meanwhile is lost: pools keep theirs open)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = cmdline(int(entry.name))
        except OSError:
            continue
        if argv and Path(argv[0]).name == "postgres" and "-D" in argv:
            postmaster = int(entry.name)
            try:
                backends = children(postmaster)
            except OSError:
                return {}
            return {pid: "postgres" for pid in [postmaster, *backends]}
    return {}


def snapshot(pids: dict[int, str]) -> dict[int, ProcSample]:
    """CPU and RSS of each pid still alive."""
    taken: dict[int, ProcSample] = {}
    for pid, role in pids.items():
        try:
            taken[pid] = ProcSample(pid=pid, role=role, cpu_ms=cpu_ms(pid), rss_mb=rss_mb(pid))
        except OSError:
            continue
    return taken


def system_pids(supervisor: int, *, with_redis: bool = True) -> dict[int, str]:
    """The processes of an ``eco2 serve`` (its children by role) and Redis."""
    pids = {pid: role_of(cmdline(pid)) for pid in children(supervisor)}
    if with_redis and (redis := find_redis()) is not None:
        pids[redis] = "redis"
    return pids


def cpu_by_role(
    before: dict[int, ProcSample], after: dict[int, ProcSample]
) -> dict[str, dict[str, float]]:
    """Per role: CPU ms spent between the snapshots, peak RSS, process count."""
    roles: dict[str, dict[str, float]] = {}
    for pid, end in after.items():
        start = before.get(pid)
        spent = end.cpu_ms - (start.cpu_ms if start else 0.0)
        row = roles.setdefault(end.role, {"cpu_ms": 0.0, "rss_mb": 0.0, "processes": 0})
        row["cpu_ms"] += spent
        row["rss_mb"] += end.rss_mb
        row["processes"] += 1
    return roles


def _tcp_to(port: int) -> dict[str, str]:
    """Socket inode → local ``ip:port`` of ESTABLISHED IPv4 TCP connections to ``port``."""
    found: dict[str, str] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if int(cols[2].rsplit(":", 1)[1], 16) == port and cols[3] == "01":
            raw_ip, raw_port = cols[1].split(":")
            ip = ".".join(str(b) for b in reversed(bytes.fromhex(raw_ip)))
            found[cols[9]] = f"{ip}:{int(raw_port, 16)}"
    return found


def sockets_to(pids: dict[int, str], port: int = 6379) -> dict[str, set[str]]:
    """Per role: the local addresses of its TCP connections to ``port`` (Redis), found from each
    process's fds, so other users of the shared server are never counted."""
    wanted = _tcp_to(port)
    found: dict[str, set[str]] = {}
    for pid, role in pids.items():
        if role == "redis":
            continue
        mine = found.setdefault(role, set())
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in wanted:
                    mine.add(wanted[target[8:-1]])
        except OSError:
            continue
    return found


async def redis_stats(redis: aioredis.Redis, ours: set[str]) -> dict[str, float | str]:
    """Redis as a whole (shared with other users) and our clients' Pub/Sub output buffers;
    ``ours`` is the set of our connections' local addresses (``sockets_to``)."""
    clients = [c for c in await redis.client_list() if c.get("addr") in ours]
    info = await redis.info()
    pubsub = [c for c in clients if int(c.get("sub", 0)) or int(c.get("psub", 0))]
    limit = (await redis.config_get("client-output-buffer-limit")).get(
        "client-output-buffer-limit", ""
    )
    return {
        "connected_clients_all": float(info.get("connected_clients", 0)),
        "our_clients": float(len(clients)),
        "pubsub_clients": float(len(pubsub)),
        "pubsub_channels": float(sum(int(c.get("sub", 0)) for c in pubsub)),
        "pubsub_omem_max_bytes": float(max((int(c.get("omem", 0)) for c in pubsub), default=0)),
        "used_memory_mb": float(info.get("used_memory", 0)) / 2**20,
        "output_buffer_limits": str(limit),
    }


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or "unknown"."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def calibrate(rounds: int = 5) -> float:
    """Milliseconds one core takes for a fixed pure-Python workload (best of ``rounds``).

    CPU per scan is only comparable between machines (or sessions on shared hosts) of the same
    speed: the same commit measured 53.2 and 32.7 ms/scan on two machines of this project.
    Results record this figure so a reader can scale one run's CPU to another's.
    """
    import json
    import time

    record = {"job_id": "x" * 32, "stage": "answer", "progress": 50, "payload": list(range(20))}
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for n in range(20_000):
            text = json.dumps(record)
            record["progress"] = len(json.loads(text)) + n % 7
            _ = {str(k): k * k for k in range(10)}
        best = min(best, time.process_time() - start)
    return best * 1000
