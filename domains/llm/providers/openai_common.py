"""What the Agents SDK and Responses API providers share: the client, the input, the errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pydantic
from openai import AsyncOpenAI

from ..exceptions import (
    LLMError,
    LLMTimeout,
    MalformedResponse,
    ProviderUnavailable,
    RateLimited,
)
from ..port import LLMRequest
from .base import parse_retry_after


def build_client(api_key: str | None, base_url: str | None, timeout_s: float) -> AsyncOpenAI:
    """An ``AsyncOpenAI`` that never retries on its own: the router owns retries and backoff,
    so a 429 is waited out once, with the provider's ``Retry-After``, not twice."""
    if not api_key:
        raise ProviderUnavailable("no OpenAI key configured (ECO2_LLM__OPENAI_API_KEY)")
    return AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0)


def input_items(request: LLMRequest) -> list[dict[str, Any]]:
    """The Responses API ``input``: one user message, text then images as data URLs."""
    if not request.images:
        return [{"role": "user", "content": request.prompt}]
    content: list[dict[str, Any]] = [{"type": "input_text", "text": request.prompt}]
    content += [
        {"type": "input_image", "image_url": image.data_url(), "detail": "auto"}
        for image in request.images
    ]
    return [{"role": "user", "content": content}]


def translate(exc: BaseException, provider: str) -> LLMError:
    """The ``LLMError`` kind for an exception raised by the openai client (or the Agents SDK)."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.RateLimitError):
        return RateLimited(
            f"{provider}: rate limited (429)",
            retry_after=parse_retry_after(exc.response.headers),
        )
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status >= 500:
            return ProviderUnavailable(
                f"{provider}: server error {status}: {exc.message}",
                retry_after=parse_retry_after(exc.response.headers),
            )
        # 4xx other than 429: our request or key is wrong; repeating it cannot help.
        return ProviderUnavailable(f"{provider}: HTTP {status}: {exc.message}", retryable=False)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LLMTimeout(f"{provider}: timed out")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return ProviderUnavailable(f"{provider}: cannot connect: {exc}")
    if isinstance(
        exc,
        json.JSONDecodeError | pydantic.ValidationError | openai.APIResponseValidationError,
    ):
        return MalformedResponse(f"{provider}: malformed response: {exc}")
    return LLMError(f"{provider}: {type(exc).__name__}: {exc}")
