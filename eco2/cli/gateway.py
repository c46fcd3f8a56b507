"""``eco2 gateway``: serve the SSE gateway with uvicorn until SIGINT/SIGTERM (docs/sse.md)."""

from __future__ import annotations

import asyncio
import logging

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, type=int, show_default=True)
def gateway(host: str, port: int) -> None:
    """Serve GET /api/v1/{service}/{job_id}/events, /healthz and /metrics."""
    import uvicorn

    from eco2.settings import get_settings
    from eventing.gateway import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(get_settings())

    class Server(uvicorn.Server):
        # Open SSE streams would hold uvicorn's shutdown until its timeout: end them as soon
        # as the signal arrives, from the loop (not inside the signal handler).
        def handle_exit(self, sig: int, frame: object) -> None:
            super().handle_exit(sig, frame)  # type: ignore[arg-type]
            asyncio.get_event_loop().call_soon_threadsafe(app.state.gateway.close_streams)

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    Server(config).run()
