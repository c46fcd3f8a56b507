"""``eco2 router``: run one event router until SIGINT/SIGTERM (docs/sse.md)."""

from __future__ import annotations

import asyncio
import signal
from typing import Literal

import click
import uvloop

from eco2 import logs
from eco2.settings import Settings, get_settings
from eventing import tracing
from eventing.router import Router


async def serve_router(
    settings: Settings,
    consumer: str | None,
    metrics_port: int = 0,
    metrics_host: str = "127.0.0.1",
    *,
    channels: Literal["shard", "job"] = "shard",
    router_type: type[Router] = Router,
) -> None:
    """Run a router until SIGINT/SIGTERM (``router_type``: tests run a subclass)."""
    from prometheus_client import start_http_server

    from eventing.progress import ProgressKeys, connect

    options = settings.router
    block_s = options.block_ms / 1000
    redis = connect(settings.redis_url, max_connections=4, socket_timeout=block_s + 10)
    router = router_type(
        redis,
        ProgressKeys(settings.shards, settings.progress.key_prefix),
        options,
        consumer=consumer,
        ttl_s=settings.progress.replay_ttl_s,
        channels=channels,
    )
    if metrics_port:
        start_http_server(metrics_port, addr=metrics_host)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, router.stop)
    await router.setup_when_reachable()
    # The line tests and scripts wait for: the group exists and the router is reading.
    click.echo(f"router {router.consumer} routing {settings.shards} shards", err=True)
    try:
        await router.run()
    finally:
        await redis.aclose()


@click.command()
@click.option("--consumer", default=None, help="Consumer name (default: host-pid-random).")
@click.option("--metrics-port", default=0, type=int, help="Serve /metrics here (0 = off).")
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address of the /metrics server (0.0.0.0 in a pod, for Prometheus to reach it).",
)
@click.option(
    "--channels",
    type=click.Choice(["shard", "job"]),
    default="shard",
    hidden=True,  # "job" is the benchmark's per-job-channel baseline, never a deployment's
)
def router(
    consumer: str | None, metrics_port: int, metrics_host: str, channels: Literal["shard", "job"]
) -> None:
    """Route progress events: shard streams → job state, replay log, Pub/Sub."""
    settings = get_settings()
    logs.configure(settings.log_level)
    provider = tracing.configure(settings.tracing, "eco2-router")
    try:
        uvloop.run(serve_router(settings, consumer, metrics_port, metrics_host, channels=channels))
    finally:
        if provider is not None:
            provider.shutdown()  # sends the spans still buffered
