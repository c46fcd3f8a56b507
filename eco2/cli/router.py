"""``eco2 router``: run one event router until SIGINT/SIGTERM (docs/sse.md)."""

from __future__ import annotations

import asyncio
import signal

import click
import uvloop

from eco2 import logs
from eco2.settings import get_settings


async def _serve(consumer: str | None, metrics_port: int) -> None:
    from prometheus_client import start_http_server

    from eventing.progress import ProgressKeys, connect
    from eventing.router import Router, RouterOptions

    settings = get_settings()
    options = settings.gateway
    block_s = options.router_block_ms / 1000
    redis = connect(settings.redis_url, max_connections=4, socket_timeout=block_s + 10)
    router = Router(
        redis,
        ProgressKeys(settings.shards, options.key_prefix),
        RouterOptions(
            group=options.router_group,
            channel_mode=options.channel_mode,
            batch=options.router_batch,
            block_ms=options.router_block_ms,
            linger_ms=options.router_linger_ms,
            claim_idle_ms=options.router_claim_idle_ms,
            claim_interval_s=options.router_claim_interval_s,
            ttl_s=options.replay_ttl_s,
            stall_s=options.router_test_stall_s,
        ),
        consumer=consumer,
    )
    if metrics_port:
        start_http_server(metrics_port, addr="127.0.0.1")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, router.stop)
    await router.setup()
    # The line tests and scripts wait for: the group exists and the router is reading.
    click.echo(f"router {router.consumer} routing {settings.shards} shards", err=True)
    try:
        await router.run()
    finally:
        await redis.aclose()


@click.command()
@click.option("--consumer", default=None, help="Consumer name (default: host-pid-random).")
@click.option("--metrics-port", default=0, type=int, help="Serve /metrics here (0 = off).")
def router(consumer: str | None, metrics_port: int) -> None:
    """Route progress events: shard streams → job state, replay log, Pub/Sub."""
    logs.configure(get_settings().log_level)
    uvloop.run(_serve(consumer, metrics_port))  # the C event loop (bench/RESULTS.md: CPU per scan)
