"""``eco2 serve``: the whole system as local processes, supervised as one.

The parts are the processes a cluster would run: the API (with the gateway's SSE endpoints on
the same port), one event router, the analysis service (Kiwi, for the rule and chat workers), and N
workers per scan stage. Each is a plain ``eco2``
subcommand, so what runs here is exactly what runs alone. The supervisor:

- checks the servers first and names the one that is down (a worker would only retry forever);
- starts the router and the API, waits for ``/healthz`` (the API prepares the database), then
  the stage workers, so no stage handles an event before its tables exist;
- forwards SIGINT/SIGTERM to every child, waits ``stop_timeout_s``, then kills what is left;
- restarts a child that dies, with backoff, and gives up only on a crash loop
  (``eco2.supervisor``).

Children run in their own process group (a terminal's Ctrl-C reaches only the supervisor,
which stops them in order) and get SIGTERM if the supervisor itself dies (PR_SET_PDEATHSIG),
so no orphan outlives it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from domains.scan.pipeline import PIPELINE
from eco2.settings import Settings

# Where the ``functions`` package lies: the checkout, or site-packages for a plain install. The
# workers get absolute sources, so ``eco2 serve`` runs from any directory.
ROOT = Path(__file__).resolve().parent.parent

PR_SET_PDEATHSIG = 1
# The scan stages that read Korean text with Kiwi (the item classifier and the rules' retrieval):
# their workers, like chat's, get the analysis service's URL and never build the model.
ANALYSED = frozenset({"rule"})
PROBE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Part:
    """One child process: a name for the logs and the ``eco2`` arguments that start it."""

    name: str
    args: tuple[str, ...]
    # "api", "router", "service" or "worker": the API is awaited before the workers start
    role: str
    nice: int = 0  # added to the child's niceness (lower CPU priority) when above 0
    env: tuple[tuple[str, str], ...] = ()  # this child's own variables, over the system's

    @property
    def argv(self) -> list[str]:
        return [sys.executable, "-m", "eco2.cli", *self.args]


async def declare_queues(settings: Settings) -> None:
    """Declare every stage's queue and bindings before anything publishes.

    A topic exchange drops a message no queue is bound to: without this, a scan submitted
    while the vision worker is still starting would be lost. Durable queues hold it instead.
    """
    import aio_pika

    from eventing.runtime.amqp_trigger import declare_topology

    connection = await aio_pika.connect(settings.amqp_url, timeout=PROBE_TIMEOUT_S * 5)
    async with connection:
        channel = await connection.channel()
        exchange = settings.pipeline.exchange
        for stage in PIPELINE:
            queue = stage.queue(exchange)
            await declare_topology(channel, exchange, queue, [stage.consumes])
        from domains.chat import events as chat_events
        from domains.chat.pipeline import queue as chat_queue

        await declare_topology(channel, exchange, chat_queue(exchange), [chat_events.REQUESTED])


def plan(
    settings: Settings,
    *,
    host: str,
    port: int,
    transport: str,
    workers_per_stage: int = 1,
    api_replicas: int = 1,
    worker_nice: int = 0,
    channels: str = "shard",
) -> list[Part]:
    """The processes of a local system, router and API first.

    ``worker_nice`` lowers the stage workers' CPU priority: on a machine the whole system
    shares, the API (every upload and every SSE frame passes through it) then gets a core when
    it needs one, as its own pods would in a cluster; the workers' work waits in their streams.
    """
    api: tuple[str, ...] = ("api", "--host", host, "--port", str(port))
    router: tuple[str, ...] = ("router",)
    if channels != "shard":  # the benchmark's baseline: both sides must use the same channels
        api += ("--channels", channels)
        router += ("--channels", channels)
    parts = [Part("router", router, "router")]
    analyser_url = settings.knowledge.analyser_url
    if not analyser_url:
        # Kiwi in its own long-lived process, as in a cluster, started with the router: it is
        # ready (a second or two) long before the API has prepared the database and the rule and
        # chat workers start. A URL in the settings names a service that runs already.
        analyser_port = settings.knowledge.analyser_port
        parts.append(Part("analyser", ("analyser", "--port", str(analyser_port)), "service"))
        analyser_url = f"http://127.0.0.1:{analyser_port}"
    if api_replicas == 1:
        parts.append(Part("api", api, "api"))
    else:  # one port, several processes: the kernel spreads the connections (SO_REUSEPORT)
        parts += [
            Part(f"api-{n}", (*api, "--reuse-port"), "api") for n in range(1, api_replicas + 1)
        ]
    exchange = settings.pipeline.exchange
    for stage in PIPELINE:
        if transport == "amqp":
            # Replies go back to the exchange with their type as routing key, which is what
            # the next stage's queue is bound to: the chain needs no topic table.
            trigger: tuple[str, ...] = ("--trigger", "amqp", "--topic", stage.consumes)
            trigger += ("--group", stage.queue(exchange))
            trigger += ("--exchange", exchange, "--reply-topic", exchange)
        else:
            trigger = ("--trigger", "redis", "--topic", stage.topic, "--group", stage.name)
            trigger += ("--reply-topic", "auto")
        # The stages that tokenize do it in the analysis service, as their manifests say.
        env = (("ECO2_KNOWLEDGE__ANALYSER_URL", analyser_url),) if stage.name in ANALYSED else ()
        for n in range(1, workers_per_stage + 1):
            args: tuple[str, ...] = ("function", "run", str(ROOT / stage.source), *trigger)
            args += ("--observer", "scan")
            args += ("--concurrency", str(stage.concurrency))
            parts.append(Part(f"{stage.name}-{n}", args, "worker", nice=worker_nice, env=env))
    parts.append(_chat_worker(settings, transport, worker_nice, analyser_url))
    return parts


def _chat_worker(settings: Settings, transport: str, nice: int, analyser_url: str) -> Part:
    """The chat function's worker: one turn per event, its replies kept in the progress log."""
    from domains.chat import events as chat_events
    from domains.chat.pipeline import GROUP, SOURCE, TOPIC, queue

    exchange = settings.pipeline.exchange
    if transport == "amqp":
        trigger: tuple[str, ...] = ("--trigger", "amqp", "--topic", chat_events.REQUESTED)
        trigger += ("--group", queue(exchange), "--exchange", exchange)
    else:
        trigger = ("--trigger", "redis", "--topic", TOPIC, "--group", GROUP)
    args = ("function", "run", str(ROOT / SOURCE), *trigger, "--observer", "chat")
    args += ("--concurrency", str(settings.chat.concurrency))
    env = (("ECO2_KNOWLEDGE__ANALYSER_URL", analyser_url),)  # chat tokenizes there
    return Part("chat-1", args, "worker", nice=nice, env=env)


def _tcp(url: str, default_port: int) -> str | None:
    where = urlsplit(url)
    host, port = where.hostname or "127.0.0.1", where.port or default_port
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return None
    except OSError as exc:
        return f"{host}:{port} ({exc.strerror or exc})"


def unreachable(settings: Settings, transport: str) -> list[str]:
    """One line per server the system needs but cannot reach (empty: all are up)."""
    import redis

    down: list[str] = []
    try:
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=PROBE_TIMEOUT_S)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        down.append(f"Redis at {settings.redis_url}: {exc}")
    if transport == "amqp" and (why := _tcp(settings.amqp_url, 5672)):
        down.append(f"RabbitMQ at {why}")
    if why := _tcp(settings.database_url.replace("+asyncpg", ""), 5432):
        down.append(f"PostgreSQL at {why}")
    return down


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served, or None. Checked before the API replicas bind it
    with SO_REUSEPORT, which would otherwise share it with another system's replicas."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def die_with_parent() -> None:
    # Runs in the child between fork and exec: SIGTERM it when the supervisor goes away.
    with_libc = ctypes.CDLL(None, use_errno=True)
    with_libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def child_setup(nice: int) -> Callable[[], None]:
    """What runs in a child between fork and exec: its death signal, then its niceness."""

    def setup() -> None:
        die_with_parent()
        if nice > 0:
            os.nice(nice)

    return setup


def health_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{port}/healthz"
