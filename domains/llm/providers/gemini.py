"""The Gemini provider (``google-genai``): the cloud fallback after OpenAI, or the primary for
``gemini-*`` models."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pydantic
from google import genai
from google.genai import errors, types

from ..exceptions import (
    LLMError,
    LLMTimeout,
    MalformedResponse,
    ProviderUnavailable,
    RateLimited,
)
from ..port import Completion, LLMRequest, Usage
from .base import Provider, Structured, T, parse_retry_after


def build_client(api_key: str | None, base_url: str | None, timeout_s: float) -> genai.Client:
    """A Gemini client without SDK retries: the router retries, with its backoff and breaker.

    ``attempts=1`` must be said: with ``retry_options`` unset the SDK still retries a refused
    connection once after sleeping 1-10 s (its "implicit retry"), which made an unreachable
    Gemini cost a scan up to 15 s before the chain fell back.
    """
    if not api_key:
        raise ProviderUnavailable("no Gemini key configured (ECO2_LLM__GEMINI_API_KEY)")
    options = types.HttpOptions(
        base_url=base_url,
        timeout=int(timeout_s * 1000),
        retry_options=types.HttpRetryOptions(attempts=1),
    )
    return genai.Client(api_key=api_key, http_options=options)


def _headers(exc: errors.APIError) -> Any:
    return getattr(getattr(exc, "response", None), "headers", None)


def translate(exc: BaseException, provider: str = "gemini") -> LLMError:
    """The ``LLMError`` kind for an exception raised by ``google-genai`` or its transport."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, errors.APIError):
        if exc.code == 429:
            return RateLimited(
                f"{provider}: rate limited (429)", retry_after=parse_retry_after(_headers(exc))
            )
        if exc.code >= 500:
            return ProviderUnavailable(
                f"{provider}: server error {exc.code}: {exc.message}",
                retry_after=parse_retry_after(_headers(exc)),
            )
        return ProviderUnavailable(f"{provider}: HTTP {exc.code}: {exc.message}", retryable=False)
    if isinstance(exc, TimeoutError | httpx.TimeoutException | aiohttp.ServerTimeoutError):
        return LLMTimeout(f"{provider}: timed out")
    if isinstance(exc, aiohttp.ClientError | httpx.TransportError):
        return ProviderUnavailable(f"{provider}: cannot connect: {exc}")
    if isinstance(exc, json.JSONDecodeError | pydantic.ValidationError):
        return MalformedResponse(f"{provider}: malformed response: {exc}")
    return LLMError(f"{provider}: {type(exc).__name__}: {exc}")


def _contents(request: LLMRequest) -> list[types.Content]:
    parts = [types.Part.from_text(text=request.prompt)]
    parts += [
        types.Part.from_bytes(data=image.data, mime_type=image.mime) for image in request.images
    ]
    return [types.Content(role="user", parts=parts)]


def _usage(metadata: types.GenerateContentResponseUsageMetadata | None) -> Usage:
    if metadata is None:
        return Usage()
    return Usage(
        input_tokens=metadata.prompt_token_count or 0,
        output_tokens=metadata.candidates_token_count or 0,
    )


class GeminiProvider(Provider):
    """``client.aio.models.generate_content`` and ``generate_content_stream``."""

    name = "gemini"

    def __init__(self, client: genai.Client) -> None:
        self._client = client

    def _config(self, request: LLMRequest, **extra: Any) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=request.max_output_tokens,
            temperature=request.temperature,
            **extra,
        )

    async def generate(self, request: LLMRequest, model: str) -> Completion:
        try:
            response = await self._client.aio.models.generate_content(
                model=model, contents=_contents(request), config=self._config(request)
            )
            text = response.text
        except Exception as exc:
            raise translate(exc) from exc
        if not text:
            raise MalformedResponse(f"{self.name}: the response carries no text")
        return Completion(
            text=text, model=model, provider=self.name, usage=_usage(response.usage_metadata)
        )

    async def stream(self, request: LLMRequest, model: str, usage: Usage) -> AsyncIterator[str]:
        try:
            chunks = await self._client.aio.models.generate_content_stream(
                model=model, contents=_contents(request), config=self._config(request)
            )
            async for chunk in chunks:
                if chunk.text:
                    yield chunk.text
                # Each chunk repeats the running totals; the last one is the bill.
                if chunk.usage_metadata is not None:
                    got = _usage(chunk.usage_metadata)
                    usage.input_tokens, usage.output_tokens = got.input_tokens, got.output_tokens
        except Exception as exc:
            raise translate(exc) from exc

    async def structured(self, request: LLMRequest, model: str, schema: type[T]) -> Structured[T]:
        config = self._config(
            request, response_mime_type="application/json", response_schema=schema
        )
        try:
            response = await self._client.aio.models.generate_content(
                model=model, contents=_contents(request), config=config
            )
            # Validate ourselves: the SDK's ``parsed`` is silently None on a bad reply.
            value = schema.model_validate_json(response.text or "")
        except Exception as exc:
            raise translate(exc) from exc
        return Structured(value=value, usage=_usage(response.usage_metadata))

    async def aclose(self) -> None:
        await self._client.aio.aclose()
