"""The LLM port as a LangChain chat model, so LangGraph's ``messages`` stream carries its tokens.

Only the aggregator uses it: its tokens reach the client through ``stream_mode="messages"``
filtered by node, and every other node (the classifier above all) calls the port directly, so
nothing else can leak into the stream. The draft the aggregator wrote is passed as grounding
(``context["guidance"]``): offline the local provider streams it word by word as it is, the
simulated provider after a cloud model's wait, a cloud model rewrites it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from domains.llm import LLMClient, LLMRequest


class PortChatModel(BaseChatModel):
    """``ainvoke``/``astream`` over ``domains.llm`` (``invoke``/``stream`` outside a running
    loop); the grounding draft via ``draft=``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llm: LLMClient
    model_name: str | None = None

    @property
    def _llm_type(self) -> str:
        return "eco2-llm-port"

    def _request(self, messages: list[BaseMessage], draft: str | None) -> LLMRequest:
        system = "\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))
        prompt = "\n".join(str(m.content) for m in messages if not isinstance(m, SystemMessage))
        return LLMRequest(
            prompt=prompt,
            system=system or None,
            model=self.model_name,
            context={"guidance": draft} if draft else {},
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # The graph calls the async path; a synchronous ``invoke`` (a script, a notebook) runs
        # the same path on a loop of its own.
        _no_running_loop()
        return asyncio.run(self._agenerate(messages, stop, None, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # The deltas are gathered on a loop of its own, then handed out: the port's streams are
        # async generators, which a synchronous iterator cannot step through one by one.
        async def gather() -> list[ChatGenerationChunk]:
            return [chunk async for chunk in self._astream(messages, stop, None, **kwargs)]

        _no_running_loop()
        for chunk in asyncio.run(gather()):
            if run_manager is not None:
                run_manager.on_llm_new_token(str(chunk.message.content), chunk=chunk)
            yield chunk

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        pieces: list[str] = []
        async for chunk in self._astream(messages, stop, run_manager, **kwargs):
            pieces.append(str(chunk.message.content))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="".join(pieces)))])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request = self._request(messages, kwargs.get("draft"))
        async for delta in self.llm.stream(request):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
            if run_manager is not None:
                await run_manager.on_llm_new_token(delta, chunk=chunk)
            yield chunk


def _no_running_loop() -> None:
    """Refuse a synchronous call made inside a running event loop (it would block the loop):
    such a caller should await ``ainvoke``/``astream``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("a running event loop: await ainvoke/astream instead")
