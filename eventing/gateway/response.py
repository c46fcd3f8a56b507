"""The SSE response: a job's stream written straight to the ASGI ``send``.

``sse_starlette.EventSourceResponse`` runs four tasks per connection (stream, ping, shutdown
watcher, disconnect listener) and wraps every send in an anyio cancel scope; measured against
it, the API + gateway process used more CPU per scan with it (docs/sse.md, "The response"), so
this response is the one the gateway keeps.
This one keeps what a progress stream needs and nothing else:

- two tasks per connection: one sends the stream, one waits for the client's disconnect; the
  first to end cancels the other;
- keepalive pings come from the stream itself (``job_stream`` yields a comment after
  ``ping_s`` of silence), so no task wakes to send them;
- a send that cannot finish within ``send_timeout_s`` (a client that stopped reading) ends the
  stream; the client resumes with Last-Event-ID. One timer per stream watches its sends, woken
  once per ``send_timeout_s``, instead of an ``asyncio.timeout`` around every frame;
- shutdown ends the streams through the hub (``Gateway.close_streams``), not a signal watcher;
- the route is GET only (FastAPI adds no HEAD), so no HEAD can open a stream that never ends.

The stream gives the wire bytes (``eventing.gateway.frame.Frame.encode``: the format of
sse-starlette's ``ServerSentEvent.encode``), sent as they come.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from starlette.background import BackgroundTask
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

log = logging.getLogger("eventing.gateway")

HEADERS = {
    "Cache-Control": "no-store",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",  # nginx and the like must not buffer the stream
}


class SSEResponse(Response):
    """Send ``events`` as ``text/event-stream`` until they end or the client goes away."""

    media_type = "text/event-stream"

    def __init__(
        self,
        events: AsyncIterator[bytes],
        *,
        send_timeout_s: float,
        background: BackgroundTask | None = None,
    ) -> None:
        self.events = events
        self.send_timeout_s = send_timeout_s
        self.status_code = 200
        self.background = background
        self.init_headers(HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
        try:
            await self._stream(start, receive, send)
        finally:
            if self.background is not None:
                await self.background()

    async def _stream(self, start: Message, receive: Receive, send: Send) -> None:
        pump = asyncio.create_task(self._pump(start, send))
        left = asyncio.create_task(_disconnected(receive))
        try:
            await asyncio.wait((pump, left), return_when=asyncio.FIRST_COMPLETED)
        finally:
            pump.cancel()
            left.cancel()
            await asyncio.gather(pump, left, return_exceptions=True)
        if not pump.cancelled() and (error := pump.exception()) is not None:
            raise error

    async def _pump(self, start: Message, send: Send) -> None:
        self._loop = asyncio.get_running_loop()
        self._sending_since: float | None = None  # when the send in progress began
        self._stuck = False
        task = asyncio.current_task()
        assert task is not None  # _pump runs as a task
        self._watch_handle = self._loop.call_later(self.send_timeout_s, self._watch, task)
        try:
            await self._send(send, start)
            async for body in self.events:
                await self._send(
                    send, {"type": "http.response.body", "body": body, "more_body": True}
                )
            await self._send(send, {"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not self._stuck:
                raise
            task.uncancel()  # our own cancel: the stream just ends
            log.info("SSE client took no bytes for %.1fs: stream ended", self.send_timeout_s)
        finally:
            self._watch_handle.cancel()
            await self.events.aclose()  # type: ignore[attr-defined]  # callers pass async generators

    async def _send(self, send: Send, message: Message) -> None:
        self._sending_since = self._loop.time()
        await send(message)
        self._sending_since = None

    def _watch(self, task: asyncio.Task[None]) -> None:
        """Cut the stream if a send has waited ``send_timeout_s``; else look again exactly when
        the send in progress (or one starting now) would reach it."""
        since, now = self._sending_since, self._loop.time()
        waited = 0.0 if since is None else now - since
        if waited >= self.send_timeout_s:
            self._stuck = True
            task.cancel()
            return
        self._watch_handle = self._loop.call_later(self.send_timeout_s - waited, self._watch, task)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
