"""The OpenAI Agents SDK provider: the primary for OpenAI models.

The model object is built with our own ``AsyncOpenAI`` client (no ``set_default_openai_client``
global) and every run disables tracing, which would otherwise try to export to OpenAI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from agents import (
    Agent,
    ModelSettings,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    TResponseInputItem,
)
from agents.exceptions import AgentsException, ModelBehaviorError
from openai import AsyncOpenAI
from openai.types.responses import ResponseTextDeltaEvent

from ..exceptions import MalformedResponse
from ..port import Completion, LLMRequest, Usage
from .base import Provider, Structured, T
from .openai_common import input_items, translate

_RUN_CONFIG = RunConfig(tracing_disabled=True, workflow_name="eco2")


def _input(request: LLMRequest) -> list[TResponseInputItem]:
    # The SDK types its input as the Responses API's TypedDicts; these dicts are such messages.
    return cast("list[TResponseInputItem]", input_items(request))


def _usage(result: Any) -> Usage:
    used = result.context_wrapper.usage
    return Usage(input_tokens=used.input_tokens, output_tokens=used.output_tokens)


class AgentsProvider(Provider):
    """Runs a single-turn ``Agent`` through ``Runner``, over the Responses API."""

    name = "agents"

    def __init__(self, client: AsyncOpenAI) -> None:
        self._client = client

    def _agent(self, request: LLMRequest, model: str, output_type: type | None = None) -> Agent:
        settings = ModelSettings(
            temperature=request.temperature, max_tokens=request.max_output_tokens
        )
        return Agent(
            name="eco2",
            instructions=request.system,
            model=OpenAIResponsesModel(model, self._client),
            model_settings=settings,
            output_type=output_type,
        )

    def _translate(self, exc: Exception) -> Exception:
        if isinstance(exc, ModelBehaviorError):
            return MalformedResponse(f"{self.name}: {exc}")
        if isinstance(exc, AgentsException) and exc.__cause__ is not None:
            return translate(exc.__cause__, self.name)
        return translate(exc, self.name)

    async def generate(self, request: LLMRequest, model: str) -> Completion:
        try:
            result = await Runner.run(
                self._agent(request, model), _input(request), run_config=_RUN_CONFIG
            )
        except Exception as exc:
            raise self._translate(exc) from exc
        text = result.final_output
        if not isinstance(text, str) or not text:
            raise MalformedResponse(f"{self.name}: the agent produced no text")
        return Completion(text=text, model=model, provider=self.name, usage=_usage(result))

    async def stream(self, request: LLMRequest, model: str, usage: Usage) -> AsyncIterator[str]:
        result = Runner.run_streamed(
            self._agent(request, model), _input(request), run_config=_RUN_CONFIG
        )
        try:
            async for event in result.stream_events():
                if event.type == "raw_response_event" and isinstance(
                    event.data, ResponseTextDeltaEvent
                ):
                    yield event.data.delta
            got = _usage(result)
            usage.input_tokens, usage.output_tokens = got.input_tokens, got.output_tokens
        except Exception as exc:
            raise self._translate(exc) from exc
        finally:
            if not result.is_complete:
                result.cancel()  # the caller stopped early: end the run, do not leak its task

    async def structured(self, request: LLMRequest, model: str, schema: type[T]) -> Structured[T]:
        try:
            result = await Runner.run(
                self._agent(request, model, output_type=schema),
                _input(request),
                run_config=_RUN_CONFIG,
            )
        except Exception as exc:
            raise self._translate(exc) from exc
        value = result.final_output
        if not isinstance(value, schema):
            raise MalformedResponse(f"{self.name}: the agent did not produce a {schema.__name__}")
        return Structured(value=value, usage=_usage(result))

    async def aclose(self) -> None:
        await self._client.close()
