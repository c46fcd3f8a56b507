"""What every provider implements, below the port: the router adds resilience on top.

A provider is told the concrete model to use (the router resolved it) and reports usage
alongside its answer, so metrics are counted in one place (the router) for every provider.
"""

from __future__ import annotations

import abc
import email.utils
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from ..port import Completion, LLMRequest, Usage

T = TypeVar("T", bound=BaseModel)


@dataclass
class Structured(Generic[T]):
    """A validated structured answer and the tokens it cost."""

    value: T
    usage: Usage


class Provider(abc.ABC):
    """One backend. Raises only ``LLMError`` kinds; the SDK's own errors are translated."""

    name: str

    @abc.abstractmethod
    async def generate(self, request: LLMRequest, model: str) -> Completion:
        """A full answer from ``model``."""

    @abc.abstractmethod
    def stream(self, request: LLMRequest, model: str, usage: Usage) -> AsyncIterator[str]:
        """Text deltas from ``model``; ``usage`` is filled in when the stream ends."""

    @abc.abstractmethod
    async def structured(self, request: LLMRequest, model: str, schema: type[T]) -> Structured[T]:
        """An instance of ``schema`` from ``model``."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release HTTP sessions; the router calls it when it is closed."""


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date)."""
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # neither seconds nor a date: ignore it, the router backs off on its own
    return max(0.0, parsed.timestamp() - time.time())
