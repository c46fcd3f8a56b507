"""A client that stops reading is cut off alone; the others on the same job get everything."""

from __future__ import annotations

import asyncio
import socket

import httpx

from eventing import metrics
from eventing.gateway import create_app
from eventing.progress import ProgressPublisher
from tests.eventing.gateway.support import (
    bus_settings,
    read_stream,
    running_router,
    serve_app,
    until,
)


async def open_slow_client(
    base: str, path: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw HTTP client with a tiny receive buffer that will not read until told to."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    reader, writer = await asyncio.open_connection(sock=sock, limit=2**20)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    return reader, writer


async def test_slow_client_overflow_closes_only_that_stream(
    redis, prefix: str, publisher: ProgressPublisher
) -> None:
    # Bursts of a router batch (20) fit the queue; a client that stops reading does not.
    settings = bus_settings(prefix, client_queue=50, router_batch=20, send_timeout_s=30)
    await publisher.register_job("slow")
    path = "/api/v1/scans/slow/events"
    overflows = metrics.SSE_OVERFLOWS._value.get()
    blob = "x" * 40_000  # enough to fill the kernel buffers (up to 4 MB)
    async with (
        serve_app(create_app(settings)) as base,
        running_router(redis, settings),
        httpx.AsyncClient() as client,
    ):
        reader, writer = await open_slow_client(base, path)
        fast = asyncio.create_task(read_stream(client, base + path, within=20))
        await asyncio.sleep(0.3)
        for _ in range(199):
            await publisher.emit("slow", "answer", "token", 60, {"text": blob})
        await publisher.emit("slow", "done", "completed", 100)
        fast_stream = await fast

        async def overflowed() -> bool:
            return metrics.SSE_OVERFLOWS._value.get() > overflows

        await until(overflowed, within=5)
        async with asyncio.timeout(10):
            slow_body = await reader.read()  # drains until the server closes the stream
        writer.close()
    assert fast_stream.seqs == list(range(1, 201)) and fast_stream.ended
    assert b"event: answer" in slow_body  # it got some events before falling behind
    assert b"event: done" not in slow_body  # and was closed, to resume with Last-Event-ID
