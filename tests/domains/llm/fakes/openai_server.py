"""A fake OpenAI Responses API: ``POST /v1/responses``, JSON or ``stream: true`` SSE.

The shapes follow ``openai.types.responses`` (``Response``, ``ResponseOutputMessage``,
``ResponseUsage``) and the streamed event sequence the real API sends, so the real ``openai``
client and the Agents SDK (which calls the Responses API by default) parse them unmodified.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .script import Action, Received, Script

INPUT_TOKENS = 7  # fixed, so tests can assert exact usage counters


def _usage(text: str) -> dict[str, Any]:
    out = len(text.split())
    return {
        "input_tokens": INPUT_TOKENS,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": INPUT_TOKENS + out,
    }


def _message(text: str, status: str = "completed") -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": content if status == "completed" else [],
    }


def _response(model: str, text: str | None, status: str = "completed") -> dict[str, Any]:
    return {
        "id": "resp_fake",
        "object": "response",
        "created_at": int(time.time()),
        "model": model,
        "status": status,
        "output": [_message(text)] if text is not None else [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": _usage(text) if text is not None else None,
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    kind = "rate_limit_exceeded" if status == 429 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
    return JSONResponse(body, status_code=status, headers=headers)


def _answer_text(action: Action) -> str:
    return json.dumps(action.data) if action.kind == "json" else action.text


async def _events(model: str, text: str, stall_s: float = 0.0) -> AsyncIterator[str]:
    """The streamed sequence of a one-message answer, one delta per word; ``stall_s`` pauses
    after the first delta."""
    seq = 0

    def sse(event: dict[str, Any]) -> str:
        nonlocal seq
        event["sequence_number"] = seq
        seq += 1
        return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"

    yield sse({"type": "response.created", "response": _response(model, None, "in_progress")})
    yield sse(
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": _message(text, "in_progress"),
        }
    )
    part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    yield sse(
        {
            "type": "response.content_part.added",
            "item_id": "msg_fake",
            "output_index": 0,
            "content_index": 0,
            "part": part,
        }
    )
    words = text.split(" ")
    for i, word in enumerate(words):
        await asyncio.sleep(0)
        yield sse(
            {
                "type": "response.output_text.delta",
                "item_id": "msg_fake",
                "output_index": 0,
                "content_index": 0,
                "delta": word if i == len(words) - 1 else word + " ",
                "logprobs": [],
            }
        )
        if i == 0 and stall_s:
            await asyncio.sleep(stall_s)
    yield sse(
        {
            "type": "response.output_text.done",
            "item_id": "msg_fake",
            "output_index": 0,
            "content_index": 0,
            "text": text,
            "logprobs": [],
        }
    )
    yield sse(
        {
            "type": "response.content_part.done",
            "item_id": "msg_fake",
            "output_index": 0,
            "content_index": 0,
            "part": {**part, "text": text},
        }
    )
    yield sse({"type": "response.output_item.done", "output_index": 0, "item": _message(text)})
    yield sse({"type": "response.completed", "response": _response(model, text)})


def routes(script: Script) -> list[Route]:
    async def responses(request: Request) -> Response:
        body = await request.json()
        action = script.next(
            Received(request.url.path, request.url.query, dict(request.headers), body)
        )
        model = body.get("model", "gpt-fake")
        if action.kind == "rate_limit":
            headers = {"retry-after": action.retry_after} if action.retry_after else None
            return _error(429, "Rate limit reached", headers)
        if action.kind == "server_error":
            return _error(action.status, "The server had an error")
        if action.kind == "slow":
            await asyncio.sleep(action.delay_s)
        if action.kind == "malformed":
            return Response('{"id": "resp_fake", "output": [', media_type="application/json")
        text = _answer_text(action)
        if body.get("stream"):
            stall_s = action.delay_s if action.kind == "stall" else 0.0
            return StreamingResponse(_events(model, text, stall_s), media_type="text/event-stream")
        return JSONResponse(_response(model, text))

    return [Route("/v1/responses", responses, methods=["POST"])]
