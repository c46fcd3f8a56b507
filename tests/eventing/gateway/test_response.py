"""The plain SSE response keeps what sse-starlette used to handle for the gateway: a client that
stops reading is cut after the send timeout, a disconnect ends the stream at once. On a real
uvicorn server; the hub is fed directly (no router needed)."""

from __future__ import annotations

import socket

import httpx

from eventing import metrics
from eventing.events import Progress
from eventing.gateway import create_app
from eventing.progress import ProgressPublisher
from tests.eventing.gateway.support import bus_settings, serve_app, until

PATH = "/api/v1/scans/{job}/events"


def open_streams() -> float:
    return metrics.SSE_CLIENTS._value.get()


async def back_to(count: float, within: float) -> None:
    async def closed() -> bool:
        return open_streams() <= count

    await until(closed, within=within)


def token(job_id: str, seq: int, text: str) -> Progress:
    return Progress(
        job_id=job_id, seq=seq, stage="answer", status="token", progress=60, payload={"t": text}
    )


async def test_a_client_that_never_reads_is_cut_after_the_send_timeout(
    prefix: str, publisher: ProgressPublisher
) -> None:
    # A queue that never overflows: only the send timeout can end this stream.
    settings = bus_settings(prefix, send_timeout_s=0.5, client_queue=100_000)
    app = create_app(settings)
    await publisher.register_job("stuck")
    before = open_streams()
    async with serve_app(app) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect((host, int(port)))
            request = f"GET {PATH.format(job='stuck')} HTTP/1.1\r\nHost: {host}\r\n\r\n"
            sock.sendall(request.encode())

            async def connected() -> bool:
                return open_streams() > before

            await until(connected, within=5)
            blob = "x" * 60_000
            for seq in range(1, 201):  # ~12 MB: far more than the socket buffers take
                app.state.gateway.hub.dispatch(token("stuck", seq, blob))
            await back_to(before, within=5)


async def test_a_client_that_disconnects_ends_its_stream_without_waiting_for_events(
    prefix: str, publisher: ProgressPublisher
) -> None:
    settings = bus_settings(prefix, ping_s=60)
    app = create_app(settings)
    await publisher.register_job("gone")
    before = open_streams()
    async with serve_app(app) as base, httpx.AsyncClient() as client:
        async with client.stream("GET", base + PATH.format(job="gone")) as response:
            assert response.status_code == 200
            app.state.gateway.hub.dispatch(token("gone", 1, "hi"))
            async for line in response.aiter_lines():
                if line.startswith("id:"):
                    break
        # Nothing more is ever sent to it: only noticing the disconnect can end the stream.
        await back_to(before, within=3)
        assert len(app.state.gateway.hub) == 0
