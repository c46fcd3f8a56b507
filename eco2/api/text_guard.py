"""Control characters are refused at the edge, before any route or store sees them.

PostgreSQL cannot store NUL in text (asyncpg raises, the request became a 500), and no person
types a control character into a hint, a district or a chat message. This ASGI middleware
answers 422 ``invalid_request`` naming where one was found: in the path, in a query parameter,
or in any string of a JSON body (keys too). Tab, newline and carriage return stay allowed.
JSON bodies are read whole to look (they are small: the upload route, a multipart form, is
not JSON and its text fields are checked by their own validators) and handed on unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The API's JSON bodies are a chat message or a form of a few fields: far under this.
MAX_JSON_BYTES = 1024 * 1024
MESSAGE = "control characters (such as NUL) are not allowed"


def refuse_controls(value: str) -> str:
    """A pydantic ``AfterValidator``: the value unchanged, or ValueError naming the problem."""
    if CONTROL.search(value):
        raise ValueError(MESSAGE)
    return value


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}.{key}", key
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _strings(item, f"{where}.{n}")


class TextGuard:
    """Answer 422 when the path, the query or a JSON body holds a control character."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if CONTROL.search(unquote(scope.get("raw_path", b"").decode("latin-1"))):
            await _refuse(send, "path")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8"):
            if CONTROL.search(name) or CONTROL.search(value):
                await _refuse(send, f"query.{name}")
                return
        headers = dict(scope["headers"])
        if not headers.get(b"content-type", b"").startswith(b"application/json"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > MAX_JSON_BYTES:
                await _refuse(send, "body", 413, "too_large", f"over {MAX_JSON_BYTES:,} bytes")
                return
            if not message.get("more_body", False):
                break
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None  # not JSON: the route's own parsing answers for it
        for where, text in _strings(document, "body"):
            if CONTROL.search(text):
                await _refuse(send, where)
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _refuse(
    send: Send, where: str, status: int = 422, code: str = "invalid_request", why: str = MESSAGE
) -> None:
    body = json.dumps({"error": {"code": code, "message": f"{where}: {why}"}})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
