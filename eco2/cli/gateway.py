"""``eco2 gateway``: serve the SSE gateway with uvicorn until SIGINT/SIGTERM (docs/sse.md)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, type=int, show_default=True)
def gateway(host: str, port: int) -> None:
    """Serve GET /api/v1/{service}/{job_id}/events, /healthz and /metrics."""
    from eco2.settings import get_settings
    from eventing.gateway import create_app
    from eventing.gateway.serve import run

    run(create_app(get_settings()), host, port)
