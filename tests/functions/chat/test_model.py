"""The LLM port as a LangChain chat model (functions/chat/model.py): async for the graph, and the
same answers through the synchronous calls outside a running loop."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from domains.llm import ResilientLLM
from domains.llm.settings import LLMSettings
from functions.chat.model import PortChatModel

_DRAFT = "페트병은 라벨을 떼고 헹궈서 투명페트 칸에 버려요."


def _model() -> PortChatModel:
    # No key: the local provider, which streams the grounding draft word by word as it is.
    return PortChatModel(llm=ResilientLLM(LLMSettings(model="local")))


def _messages() -> list:
    return [SystemMessage(content="분리배출 도우미"), HumanMessage(content="페트병 어떻게 버려?")]


def test_ainvoke_and_invoke_give_the_same_answer() -> None:
    model = _model()
    sync = model.invoke(_messages(), draft=_DRAFT)
    both = asyncio.run(model.ainvoke(_messages(), draft=_DRAFT))
    assert sync.content == both.content
    assert "페트병" in str(sync.content)


def test_stream_yields_the_deltas_that_join_to_the_answer() -> None:
    model = _model()
    pieces = [str(chunk.content) for chunk in model.stream(_messages(), draft=_DRAFT)]
    assert len(pieces) > 1
    assert "".join(pieces) == model.invoke(_messages(), draft=_DRAFT).content


def test_a_synchronous_call_inside_a_running_loop_says_to_use_ainvoke() -> None:
    async def inside() -> None:
        _model().invoke(_messages(), draft=_DRAFT)

    with pytest.raises(RuntimeError, match="running event loop"):
        asyncio.run(inside())
