"""Run an app that carries the gateway (``app.state.gateway``) under uvicorn, ending its SSE
streams at the stop signal: open streams would otherwise hold uvicorn's shutdown until its
timeout. Used by ``eco2 gateway`` and ``eco2 api`` (which serves the gateway's routes too).

With ``reuse_port`` several processes serve one port (``SO_REUSEPORT``: the kernel spreads new
connections over them), as replicas behind a load balancer would. Each binds its socket at
start but listens only once its lifespan has started, so no connection waits on a replica that
is still preparing the database.
"""

from __future__ import annotations

import asyncio
import socket

from fastapi import FastAPI


def bound_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to ``host:port``, not yet listening (uvicorn listens after start-up)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run(app: FastAPI, host: str, port: int, *, reuse_port: bool = False) -> None:
    """Serve ``app`` until SIGINT/SIGTERM; with ``reuse_port`` beside other replicas."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            super().handle_exit(sig, frame)  # type: ignore[arg-type]  # the signal handler's frame
            # From the loop, not inside the signal handler.
            asyncio.get_event_loop().call_soon_threadsafe(app.state.gateway.close_streams)

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    Server(config).run(sockets=[bound_socket(host, port, reuse_port=reuse_port)])
