"""A cap on upload bodies, enforced before and while the multipart form is parsed.

Starlette parses the whole form before a route runs, so the route's own ``read(max + 1)`` would
come too late to stop a 2 GiB body from being spooled. This ASGI middleware refuses a declared
``Content-Length`` over the cap at once (no byte read) and, for chunked bodies, stops counting
bytes at the cap: it answers 413 itself, tells the app the client went away, and drops whatever
the app then tries to send (FastAPI would turn any error raised while parsing into a 400).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eco2.api.exceptions import BodyTooLarge

# Multipart boundaries, part headers and the small text fields around the image.
FORM_OVERHEAD = 64 * 1024


class UploadLimit:
    """Refuse bodies over ``max_bytes`` + form overhead on ``POST`` to ``paths``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, paths: frozenset[str]) -> None:
        self.app = app
        self.limit = max_bytes + FORM_OVERHEAD
        self.max_bytes = max_bytes
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send, int(declared))
            return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    await self._refuse(send, seen, "more than")
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited, guarded)

    def _message(self, size: int, how: str = "") -> str:
        said = f"{how} {size:,}".strip()
        return f"the upload is {said} bytes; at most {self.max_bytes:,} are accepted"

    async def _refuse(self, send: Send, size: int, how: str = "") -> None:
        message = self._message(size, how)
        body = json.dumps({"error": {"code": BodyTooLarge.code, "message": message}})
        await send(
            {
                "type": "http.response.start",
                "status": BodyTooLarge.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})
