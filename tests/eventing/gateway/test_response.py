"""The plain SSE response keeps what sse-starlette used to handle for the gateway: a client that
stops reading is cut after the send timeout, a disconnect ends the stream at once. On a real
uvicorn server; the hub is fed directly (no router needed)."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
from sse_starlette import ServerSentEvent

from eventing import metrics
from eventing.events import Progress
from eventing.gateway import create_app
from eventing.gateway.frame import Frame, of
from eventing.gateway.response import SSEResponse
from eventing.progress import ProgressPublisher
from tests.eventing.gateway.support import bus_settings, serve_app, until

PATH = "/api/v1/scans/{job}/events"


def open_streams() -> float:
    return metrics.SSE_CLIENTS._value.get()


async def back_to(count: float, within: float) -> None:
    async def closed() -> bool:
        return open_streams() <= count

    await until(closed, within=within)


def token(job_id: str, seq: int, text: str) -> Frame:
    return of(
        Progress(
            job_id=job_id, seq=seq, stage="answer", status="token", progress=60, payload={"t": text}
        )
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


async def _frames(count: int):
    for seq in range(1, count + 1):
        yield ServerSentEvent(data="x", id=str(seq)).encode()


async def _never_disconnects() -> dict:
    await asyncio.Event().wait()
    return {"type": "http.disconnect"}


async def test_a_slow_reader_whose_every_send_finishes_in_time_is_not_cut() -> None:
    # The watch is per send, not per stream: five sends of 0.3 s each take 1.5 s in all, three
    # times the 0.5 s send timeout, and every frame still arrives.
    sent: list[dict] = []

    async def slow_send(message: dict) -> None:
        await asyncio.sleep(0.3)
        sent.append(message)

    response = SSEResponse(_frames(3), send_timeout_s=0.5)
    await asyncio.wait_for(response({"type": "http"}, _never_disconnects, slow_send), 5)
    bodies = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
    assert len(sent) == 5 and bodies[-1] == b"" and all(b"id: " in b for b in bodies[:3])


async def test_a_send_stuck_after_a_quiet_spell_is_cut_on_time_not_a_period_late() -> None:
    # The watch wakes once per send timeout; a send that blocks just after it woke must still
    # be cut send_timeout_s after it began, not up to twice that.
    started: list[float] = []

    async def stuck_third_send(message: dict) -> None:
        if message.get("body", b"").startswith(b"id: 2"):
            started.append(time.monotonic())
            await asyncio.Event().wait()  # the client stopped reading

    async def late_frames():
        yield ServerSentEvent(data="x", id="1").encode()
        await asyncio.sleep(0.55)  # just past the watch's first look at 0.5 s
        yield ServerSentEvent(data="x", id="2").encode()

    response = SSEResponse(late_frames(), send_timeout_s=0.5)
    await asyncio.wait_for(response({"type": "http"}, _never_disconnects, stuck_third_send), 5)
    cut_after = time.monotonic() - started[0]
    assert 0.45 <= cut_after < 0.75, cut_after
