"""A fake Gemini API: ``POST /{v1,v1beta}/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``, in the JSON shapes ``google.genai`` parses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .script import Received, Script

PROMPT_TOKENS = 5  # fixed, so tests can assert exact usage counters


def _chunk(model: str, text: str, total_out: int, final: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "index": 0,
    }
    if final:
        candidate["finishReason"] = "STOP"
    return {
        "candidates": [candidate],
        "usageMetadata": {
            "promptTokenCount": PROMPT_TOKENS,
            "candidatesTokenCount": total_out,
            "totalTokenCount": PROMPT_TOKENS + total_out,
        },
        "modelVersion": model,
        "responseId": "gemini-fake",
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    names = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}
    body = {"error": {"code": status, "message": message, "status": names.get(status, "INTERNAL")}}
    return JSONResponse(body, status_code=status, headers=headers)


async def _sse(model: str, text: str) -> AsyncIterator[str]:
    words = text.split(" ")
    for i, word in enumerate(words):
        await asyncio.sleep(0)
        delta = word if i == len(words) - 1 else word + " "
        chunk = _chunk(model, delta, i + 1, final=i == len(words) - 1)
        yield f"data: {json.dumps(chunk)}\r\n\r\n"


def routes(script: Script) -> list[Route]:
    async def models(request: Request) -> Response:
        model, _, method = request.path_params["target"].partition(":")
        body = await request.json()
        action = script.next(
            Received(request.url.path, request.url.query, dict(request.headers), body)
        )
        if action.kind == "rate_limit":
            headers = {"retry-after": action.retry_after} if action.retry_after else None
            return _error(429, "Resource has been exhausted", headers)
        if action.kind == "server_error":
            return _error(action.status, "Internal error")
        if action.kind == "slow":
            await asyncio.sleep(action.delay_s)
        if action.kind == "malformed":
            return Response('{"candidates": [', media_type="application/json")
        text = json.dumps(action.data) if action.kind == "json" else action.text
        if method == "streamGenerateContent":
            return StreamingResponse(_sse(model, text), media_type="text/event-stream")
        return JSONResponse(_chunk(model, text, len(text.split()), final=True))

    # The SDK picks the API version (v1 by default in google-genai 3.x, v1beta before); the
    # real service answers both, so does the fake.
    return [
        Route(f"/{version}/models/{{target:path}}", models, methods=["POST"])
        for version in ("v1", "v1beta")
    ]
