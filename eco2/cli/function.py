"""``eco2 function``: run one function alone, as a queue worker or an HTTP server."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import click

from eco2 import logs
from eventing.exceptions import HandlerLoadError
from eventing.runtime.loader import Function, load_factory, load_function

if TYPE_CHECKING:  # the queue triggers' modules (redis) are imported by the commands that run them
    from eco2.settings import Settings
    from eco2.settings_core import CoreSettings
    from eventing.runtime.redis_trigger import ReplyTopic
    from eventing.runtime.settings import RuntimeSettings
    from eventing.runtime.worker import Observer

DEFAULT_EXCHANGE = "eco2.events"


def _load(source: str, target: str, settings: object) -> Function:
    """Build the function at ``source``: its factory called with this process's settings."""
    try:
        return load_function(source, settings, target=target)
    except HandlerLoadError as exc:
        raise click.ClickException(str(exc)) from exc


def _function_settings(source: str, target: str) -> CoreSettings:
    """The settings of a process serving the function at ``source`` alone: the flat fields, the
    runtime's group and the groups its factory's settings type names (eco2/settings_core.py);
    every group when the factory's type does not say (composing them all costs this process
    the import of every package's settings model)."""
    from eco2.settings_core import known, reads, settings_for

    try:
        factory = load_factory(source, target)
    except HandlerLoadError as exc:
        raise click.ClickException(str(exc)) from exc
    names = reads(factory)
    if names is None or not known(names):
        from eco2.settings import get_settings

        return get_settings()
    return settings_for({*names, "runtime"})


@click.group()
def function() -> None:
    """Run a function (a module whose factory builds an instance with ``handle(event)``)."""


@function.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--target", default="new", show_default=True, help="The factory's name.")
@click.option("--trigger", type=click.Choice(["redis", "amqp"]), required=True)
@click.option(
    "--topic",
    required=True,
    help="redis: the stream topic; amqp: binding key(s) (event types), comma-separated.",
)
@click.option("--group", required=True, help="redis: the consumer group; amqp: the queue name.")
@click.option(
    "--reply-topic",
    default=None,
    help=(
        "redis: topic replies go to (none: replies dropped; auto: the next scan stage's topic); "
        "amqp: exchange for replies."
    ),
)
@click.option("--exchange", default=DEFAULT_EXCHANGE, show_default=True, help="amqp only.")
@click.option("--consumer", default=None, help="redis consumer name (default host-pid).")
@click.option(
    "--observer",
    type=click.Choice(["none", "scan", "chat"]),
    default="none",
    show_default=True,
    help="scan/chat: report the job's progress (SSE) and record it in PostgreSQL.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Events handled at once (default ECO2_RUNTIME__CONCURRENCY); also the amqp prefetch.",
)
@click.option("--metrics-port", default=0, type=int, help="Serve /metrics here (0 = off).")
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address of the /metrics server (0.0.0.0 in a pod, for Prometheus to reach it).",
)
def run(
    source: str,
    target: str,
    trigger: str,
    topic: str,
    group: str,
    reply_topic: str | None,
    exchange: str,
    consumer: str | None,
    observer: str,
    concurrency: int | None,
    metrics_port: int,
    metrics_host: str,
) -> None:
    """Consume events from Redis Streams or RabbitMQ until SIGTERM/SIGINT, then stop gracefully."""
    # Every group: the observers and the triggers read more than the function does.
    from eco2.settings import get_settings

    settings = get_settings()
    logs.configure(settings.log_level)
    if metrics_port:
        from prometheus_client import start_http_server

        # Before the function is built (a model may take seconds to load): a probe on this
        # port then sees the process alive while it starts.
        start_http_server(metrics_port, addr=metrics_host)
    if concurrency is not None:
        runtime = settings.runtime.model_copy(
            update={"concurrency": concurrency, "prefetch": concurrency}
        )
        settings = settings.model_copy(update={"runtime": runtime})
    fn = _load(source, target, settings)
    import uvloop

    from eventing import tracing

    if trigger == "redis":
        main = _run_redis(fn, settings, topic, group, reply_topic, consumer, observer)
    else:
        main = _run_amqp(fn, settings, topic, group, reply_topic, exchange, observer)
    provider = tracing.configure(settings.tracing, f"eco2-{fn.service}")
    try:
        uvloop.run(main)  # the C event loop: less CPU per event
    finally:
        if provider is not None:
            provider.shutdown()  # sends the spans still buffered


@contextlib.asynccontextmanager
async def _observer(kind: str, settings: Settings) -> AsyncIterator[Observer | None]:
    """The runtime observer named by ``--observer``, built on the worker's own loop."""
    if kind == "chat":
        from eco2.chat_observer import chat_observer

        async with chat_observer(settings) as chat:
            yield chat
        return
    if kind != "scan":
        yield None
        return
    from eco2.scan_observer import scan_observer

    async with scan_observer(settings) as built:
        yield built


def _reply_topic(reply_topic: str | None) -> ReplyTopic:
    """``auto`` chains the scan stages: each reply goes to the topic of the stage it wakes."""
    if reply_topic == "auto":
        from domains.scan.pipeline import next_topic

        return next_topic
    return reply_topic


async def _run_redis(
    fn: Function,
    settings: Settings,
    topic: str,
    group: str,
    reply_topic: str | None,
    consumer: str | None,
    observer: str,
) -> None:
    from eventing.bus.redis import RedisBus, connect
    from eventing.runtime.dedupe import RedisDedupe
    from eventing.runtime.redis_trigger import RedisTrigger
    from eventing.runtime.worker import serve

    # Always Redis here: an in-memory bus cannot be shared with the producers of another process.
    bus = RedisBus(settings.redis_url, settings.shards, prefix=settings.pipeline.topic_prefix)
    client = connect(settings.redis_url, max_connections=8)
    dedupe = RedisDedupe(
        client, group, settings.runtime.dedupe_ttl_s, prefix=settings.pipeline.topic_prefix
    )
    try:
        async with _observer(observer, settings) as watching:
            worker = RedisTrigger(
                bus,
                fn,
                settings.runtime,
                topic=topic,
                group=group,
                consumer=consumer,
                dedupe=dedupe,
                reply_topic=_reply_topic(reply_topic),
                observer=watching,
                # The scan observer writes to settings.redis_url, where the marks are.
                dedupe_in_started=watching is not None,
            )
            await serve(worker, fn, grace_s=settings.runtime.shutdown_grace_s)
    finally:
        await bus.close()
        await client.aclose()


async def _run_amqp(
    fn: Function,
    settings: Settings,
    topic: str,
    queue: str,
    reply_exchange: str | None,
    exchange: str,
    observer: str,
) -> None:
    from eventing.bus.redis import connect
    from eventing.runtime.amqp_trigger import AmqpTrigger
    from eventing.runtime.dedupe import RedisDedupe
    from eventing.runtime.worker import serve

    client = connect(settings.redis_url, max_connections=8)
    try:
        async with _observer(observer, settings) as watching:
            worker = AmqpTrigger(
                settings.amqp_url,
                fn,
                settings.runtime,
                queue=queue,
                binding_keys=[key.strip() for key in topic.split(",") if key.strip()],
                exchange=exchange,
                reply_exchange=reply_exchange,
                dedupe=RedisDedupe(
                    client,
                    queue,
                    settings.runtime.dedupe_ttl_s,
                    prefix=settings.pipeline.topic_prefix,
                ),
                observer=watching,
                dedupe_in_started=watching is not None,  # as above: one Redis server
            )
            await serve(worker, fn, grace_s=settings.runtime.shutdown_grace_s)
    finally:
        await client.aclose()


@function.command("serve-http")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--target", default="new", show_default=True, help="The factory's name.")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
def serve_http_command(source: str, target: str, host: str, port: int) -> None:
    """Serve the function over HTTP (CloudEvents in, reply CloudEvent out) until SIGTERM."""
    # No collections while the function's modules are imported: they would only walk objects
    # that live as long as the process, and leave holes in pages the worker then copies. The
    # master freezes what it holds before the fork and the worker collects again (the order
    # the gc module's documentation gives for a process that forks without exec).
    gc.disable()
    from eventing.runtime.http_trigger import serve_http

    settings = _function_settings(source, target)
    logs.configure(settings.log_level)
    fn = _load(source, target, settings)
    runtime: RuntimeSettings = settings.runtime  # type: ignore[attr-defined]  # composed in
    try:
        serve_http(fn, host=host, port=port, grace_s=runtime.shutdown_grace_s)
    except HandlerLoadError as exc:
        raise click.ClickException(str(exc)) from exc
