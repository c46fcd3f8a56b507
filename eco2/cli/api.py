"""``eco2 api``: serve the scan API (with the SSE gateway routes) until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
def api(host: str, port: int) -> None:
    """Serve POST/GET /api/v1/scans…, the SSE events stream, /healthz, /readyz and /metrics."""
    import uvicorn

    from eco2.api import create_app
    from eco2.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(get_settings())

    class Server(uvicorn.Server):
        # Open SSE streams would hold shutdown until uvicorn's timeout: end them at the signal.
        def handle_exit(self, sig: int, frame: object) -> None:
            super().handle_exit(sig, frame)  # type: ignore[arg-type]
            asyncio.get_event_loop().call_soon_threadsafe(app.state.gateway.close_streams)

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    Server(config).run()
