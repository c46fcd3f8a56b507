"""``eco2 gateway``: serve the SSE gateway with uvicorn until SIGINT/SIGTERM (docs/sse.md)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, type=int, show_default=True)
@click.option(
    "--channels",
    type=click.Choice(["shard", "job"]),
    default="shard",
    hidden=True,  # "job" is the benchmark's per-job-channel baseline, never a deployment's
)
def gateway(host: str, port: int, channels: str) -> None:
    """Serve GET /api/v1/{service}/{job_id}/events, /healthz and /metrics."""
    from eco2 import logs
    from eco2.settings import get_settings
    from eventing.gateway import create_app
    from eventing.gateway.serve import run

    settings = get_settings()
    logs.configure(settings.log_level)
    run(create_app(settings, channels="job" if channels == "job" else "shard"), host, port)
