"""The one LLM client port of Eco²: text, structured output, token streaming and vision, over
the OpenAI Agents SDK, the OpenAI Responses API, Gemini and an offline local provider.

Public API::

    llm = ResilientLLM(lambda: settings.llm)        # a callable is read at every call
    await llm.generate(LLMRequest(prompt=...))       # -> Completion(text, model, provider, usage)
    async for delta in llm.stream(request): ...      # token deltas
    await llm.structured(request, MySchema)          # -> MySchema
    provider_for("gpt-4.1-mini")                     # -> "openai"
    register_local_schema(MySchema, build)           # teach the offline provider a schema
"""

from domains.llm.client import ResilientLLM
from domains.llm.exceptions import (
    CircuitOpen,
    FallbackExhausted,
    LLMError,
    LLMTimeout,
    MalformedResponse,
    ProviderUnavailable,
    RateLimited,
    UnknownModel,
    UnsupportedRequest,
)
from domains.llm.port import Completion, ImageInput, LLMClient, LLMRequest, Usage
from domains.llm.providers.local import register_local_schema
from domains.llm.routing import chain_for, provider_for
from domains.llm.settings import LLMSettings

__all__ = [
    "CircuitOpen",
    "Completion",
    "FallbackExhausted",
    "ImageInput",
    "LLMClient",
    "LLMError",
    "LLMRequest",
    "LLMSettings",
    "LLMTimeout",
    "MalformedResponse",
    "ProviderUnavailable",
    "RateLimited",
    "ResilientLLM",
    "UnknownModel",
    "UnsupportedRequest",
    "Usage",
    "chain_for",
    "provider_for",
    "register_local_schema",
]
