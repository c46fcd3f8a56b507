"""Run an app that carries the gateway (``app.state.gateway``) under uvicorn, ending its SSE
streams at the stop signal: open streams would otherwise hold uvicorn's shutdown until its
timeout. Used by ``eco2 gateway`` and ``eco2 api`` (which serves the gateway's routes too)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from eco2 import logs


def run(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` until SIGINT/SIGTERM."""
    import uvicorn

    logs.configure(app.state.gateway.settings.log_level)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            super().handle_exit(sig, frame)  # type: ignore[arg-type]
            # From the loop, not inside the signal handler.
            asyncio.get_event_loop().call_soon_threadsafe(app.state.gateway.close_streams)

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    Server(config).run()
