"""The OpenAI Responses API provider (``openai`` client): the fallback behind the Agents SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from openai import AsyncOpenAI

from ..exceptions import MalformedResponse, ProviderUnavailable
from ..port import Completion, LLMRequest, Usage
from .base import Provider, Structured, T
from .openai_common import input_items, translate


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    return Usage(input_tokens=raw.input_tokens or 0, output_tokens=raw.output_tokens or 0)


class ResponsesProvider(Provider):
    """Calls ``client.responses`` directly: one request per call, no agent loop."""

    name = "responses"

    def __init__(self, client: AsyncOpenAI) -> None:
        self._client = client

    def _kwargs(self, request: LLMRequest, model: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": model, "input": input_items(request)}
        if request.system:
            kwargs["instructions"] = request.system
        if request.max_output_tokens is not None:
            kwargs["max_output_tokens"] = request.max_output_tokens
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        return kwargs

    async def generate(self, request: LLMRequest, model: str) -> Completion:
        try:
            response = await self._client.responses.create(**self._kwargs(request, model))
            text = response.output_text
        except Exception as exc:
            raise translate(exc, self.name) from exc
        if not text:
            raise MalformedResponse(f"{self.name}: the response carries no output text")
        return Completion(text=text, model=model, provider=self.name, usage=_usage(response.usage))

    async def stream(self, request: LLMRequest, model: str, usage: Usage) -> AsyncIterator[str]:
        try:
            events = await self._client.responses.create(
                **self._kwargs(request, model), stream=True
            )
            async for event in events:
                if event.type == "response.output_text.delta":
                    yield event.delta
                elif event.type == "response.completed":
                    got = _usage(event.response.usage)
                    usage.input_tokens, usage.output_tokens = got.input_tokens, got.output_tokens
                elif event.type in ("response.failed", "error"):
                    raise ProviderUnavailable(f"{self.name}: stream failed: {event.type}")
        except Exception as exc:
            raise translate(exc, self.name) from exc

    async def structured(self, request: LLMRequest, model: str, schema: type[T]) -> Structured[T]:
        # ``responses.parse`` sends ``text.format`` = a strict JSON schema built from the model
        # and validates the answer against it; a reply that does not fit is a malformed response.
        try:
            response = await self._client.responses.parse(
                **self._kwargs(request, model), text_format=schema
            )
            value = response.output_parsed
        except Exception as exc:
            raise translate(exc, self.name) from exc
        if value is None:
            raise MalformedResponse(f"{self.name}: no structured output for {schema.__name__}")
        return Structured(value=value, usage=_usage(response.usage))

    async def aclose(self) -> None:
        await self._client.close()
