"""``eco2 api``: serve the scan API (with the SSE gateway routes) until SIGINT/SIGTERM."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
@click.option(
    "--reuse-port",
    is_flag=True,
    help="Share the port with other API replicas (SO_REUSEPORT); eco2 serve --api-replicas.",
)
@click.option(
    "--channels",
    type=click.Choice(["shard", "job"]),
    default="shard",
    hidden=True,  # "job" is the benchmark's per-job-channel baseline, never a deployment's
)
def api(host: str, port: int, reuse_port: bool, channels: str) -> None:
    """Serve POST/GET /api/v1/scans…, the SSE events stream, /healthz, /readyz and /metrics."""
    from eco2 import logs
    from eco2.api import create_app
    from eco2.cli.exposure import require_private_key
    from eco2.settings import get_settings
    from eventing import tracing
    from eventing.gateway.serve import run

    settings = get_settings()
    require_private_key(host, settings.auth)
    logs.configure(settings.log_level)
    provider = tracing.configure(settings.tracing, "eco2-api")
    app = create_app(settings, channels="job" if channels == "job" else "shard")
    try:
        run(app, host, port, reuse_port=reuse_port)
    finally:
        if provider is not None:
            provider.shutdown()  # sends the spans still buffered
