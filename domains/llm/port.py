"""The one LLM port: what every caller sees, whatever provider answers.

Callers build an ``LLMRequest`` and ask an ``LLMClient`` for a ``Completion`` (``generate``), a
stream of text deltas (``stream``) or an instance of their own pydantic model (``structured``).
Providers implement the same interface, so the resilient router and a single provider are
interchangeable in tests and in the pipeline.
"""

from __future__ import annotations

import abc
import base64
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T", bound=BaseModel)


class ImageInput(BaseModel):
    """An image sent along with the prompt (vision). Raw bytes; providers encode as they need."""

    data: bytes
    mime: str = Field("image/png", pattern=r"^image/[a-z0-9.+-]+$")

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        """The ``data:`` URL form the OpenAI APIs take for inline images."""
        return f"data:{self.mime};base64,{self.base64()}"


class LLMRequest(BaseModel):
    """One question to a model.

    ``model`` overrides the configured model for this request only (the API's ``model`` field);
    ``context`` carries grounding for the offline provider (e.g. ``{"rules": [...]}``) and is
    ignored by the cloud providers, which get their grounding through the prompt.
    """

    prompt: str
    system: str | None = None
    images: list[ImageInput] = Field(default_factory=list)
    model: str | None = None
    max_output_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    context: dict[str, Any] = Field(default_factory=dict)


class Usage(BaseModel):
    """Tokens billed for one call."""

    input_tokens: int = 0
    output_tokens: int = 0


class Completion(BaseModel):
    """A finished answer and who produced it.

    ``attempted`` lists the providers tried and failed before ``provider`` answered, in order,
    so a caller (and a test) can see that a fallback happened.
    """

    text: str
    model: str
    provider: str
    usage: Usage = Field(default_factory=Usage)
    attempted: list[str] = Field(default_factory=list)


class LLMClient(abc.ABC):
    """The port. Every method raises only ``domains.llm.exceptions.LLMError`` kinds."""

    @abc.abstractmethod
    async def generate(self, request: LLMRequest) -> Completion:
        """Answer the request in full."""

    @abc.abstractmethod
    def stream(self, request: LLMRequest) -> AsyncIterator[str]:
        """Yield the answer as text deltas, as the model produces them."""

    @abc.abstractmethod
    async def structured(self, request: LLMRequest, schema: type[T]) -> T:
        """Answer with an instance of ``schema``, validated."""
