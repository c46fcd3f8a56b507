"""``eco2 serve``: the API, the router and the stage workers as one local system."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the API listens.")
@click.option("--port", default=8000, show_default=True, type=int, help="API + SSE port.")
@click.option(
    "--transport",
    type=click.Choice(["redis", "amqp"]),
    default=None,
    help="How the stages are triggered [default: ECO2_PIPELINE__TRANSPORT, redis].",
)
@click.option("--workers-per-stage", default=1, show_default=True, type=click.IntRange(1, 16))
@click.option(
    "--api-replicas",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="API processes sharing the port (SO_REUSEPORT), each with its own SSE gateway.",
)
@click.option(
    "--worker-nice",
    default=0,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower the stage workers' CPU priority by this much, so the API gets a core first.",
)
@click.option("--stop-timeout", default=15.0, show_default=True, help="Seconds before SIGKILL.")
@click.option(
    "--channels",
    type=click.Choice(["shard", "job"]),
    default="shard",
    hidden=True,  # "job" is the benchmark's per-job-channel baseline, never a deployment's
)
def serve(
    host: str,
    port: int,
    transport: str | None,
    workers_per_stage: int,
    api_replicas: int,
    worker_nice: int,
    stop_timeout: float,
    channels: str,
) -> None:
    """Run the whole system until Ctrl-C/SIGTERM, which stops every part."""
    import os

    from eco2.cli.exposure import require_private_key
    from eco2.serve import health_url, plan, port_taken, unreachable
    from eco2.settings import get_settings
    from eco2.supervisor import Supervisor

    settings = get_settings()
    require_private_key(host, settings.auth)
    transport = transport or settings.pipeline.transport
    down = unreachable(settings, transport)
    if down:
        for line in down:
            click.echo(f"eco2 serve: cannot reach {line}", err=True)
        click.echo("start the servers (make services / scripts/ensure-services.sh)", err=True)
        sys.exit(1)
    if why := port_taken(host, port):
        click.echo(f"eco2 serve: cannot listen on {host}:{port}: {why}", err=True)
        sys.exit(1)
    analyser_port = settings.knowledge.analyser_port
    if not settings.knowledge.analyser_url and (why := port_taken("127.0.0.1", analyser_port)):
        click.echo(
            f"eco2 serve: the analysis service cannot listen on 127.0.0.1:{analyser_port}: {why} "
            "(ECO2_KNOWLEDGE__ANALYSER_PORT chooses another)",
            err=True,
        )
        sys.exit(1)
    if transport == "amqp":
        import asyncio

        from eco2.serve import declare_queues

        asyncio.run(declare_queues(settings))
    # The API publishes to the transport it reads from the environment: say it the same way.
    env = {**os.environ, "ECO2_PIPELINE__TRANSPORT": transport}
    parts = plan(
        settings,
        host=host,
        port=port,
        transport=transport,
        workers_per_stage=workers_per_stage,
        api_replicas=api_replicas,
        worker_nice=worker_nice,
        channels=channels,
    )

    def say(line: str) -> None:
        click.echo(f"eco2 serve: {line}", err=True)

    supervisor = Supervisor(
        parts, health_url(host, port), env=env, stop_timeout_s=stop_timeout, say=say
    )
    supervisor.announce = (
        f"listening on http://{host}:{port} (API, SSE /api/v1/scans/<job>/events, /metrics); "
        f"analysis service {settings.knowledge.analyser_url or f'on port {analyser_port}'}; "
        f"transport {transport}, {api_replicas} API process(es), "
        f"{workers_per_stage} worker(s) per stage"
    )
    sys.exit(supervisor.run())
