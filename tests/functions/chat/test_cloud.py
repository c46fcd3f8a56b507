"""The chat's cloud paths through the real SDKs against local servers speaking the OpenAI
Responses and Gemini wire formats (tests/domains/llm/fakes): the LLM's structured intent scores
corrected by the confidence formula, the aggregator's rewrite streamed as the answer, and the
summary of the older turns."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from domains.character.memory import MemoryCharacterService
from domains.chat.intents import INTENTS
from domains.chat.tools import CardPainter
from domains.image import MemoryImageStore
from domains.llm import ResilientLLM
from domains.llm.settings import LLMSettings
from functions.chat import prompts
from functions.chat.graph import GraphDeps, build_graph
from functions.chat.parts import Tools
from tests.domains.llm.fakes.script import as_json, text
from tests.domains.llm.fakes.server import FakeProviders

from .conftest import turn


@pytest.fixture(scope="module")
def providers() -> Iterator[FakeProviders]:
    server = FakeProviders()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fakes(providers: FakeProviders) -> Iterator[FakeProviders]:
    providers.reset()
    yield providers
    providers.reset()


@pytest.fixture
async def cloud(fakes: FakeProviders) -> AsyncIterator[GraphDeps]:
    settings = LLMSettings(
        openai_api_key="test-openai-key",
        openai_base_url=fakes.openai_base_url,
        gemini_api_key="test-gemini-key",
        gemini_base_url=fakes.gemini_base_url,
        timeout_s=5.0,
        max_retries=0,
    )
    llm = ResilientLLM(lambda: settings)
    tools = Tools(characters=MemoryCharacterService(), painter=CardPainter(MemoryImageStore()))
    yield GraphDeps(llm=llm, tools=tools)
    await llm.aclose()


def scores(**given: float) -> dict[str, Any]:
    """An ``IntentScores`` answer as the model returns it."""
    return {"scores": [{"intent": i, "probability": given.get(i, 0.0)} for i in INTENTS]}


def strict(schema: dict[str, Any]) -> list[str]:
    """Where a JSON schema breaks OpenAI's strict structured outputs: every object must list
    all its properties as required and allow no others."""
    faults: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                if node.get("additionalProperties") is not False:
                    faults.append(f"{where}: additionalProperties is not false")
                if set(node.get("required", [])) != set(node.get("properties", {})):
                    faults.append(f"{where}: not every property is required")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, "$")
    return faults


async def run(graph: Any, payload: Any, chat_id: str) -> tuple[dict[str, Any], list[Any]]:
    config = {"configurable": {"thread_id": chat_id}}
    seen = [item async for item in graph.astream(payload, config, stream_mode=["messages"])]
    return (await graph.aget_state(config)).values, seen


async def test_openai_scores_are_corrected_and_its_rewrite_is_the_answer(
    cloud: GraphDeps, fakes: FakeProviders, saver: AsyncPostgresSaver, unique: str
) -> None:
    rewrite = "고철은 요즘 kg당 300원 안팎에 팔려요. 고물상마다 조금씩 달라요."
    # 0.45 alone is under the 0.6 threshold; the keyword map's +0.2 ("얼마") carries it.
    fakes.openai.queue(as_json(scores(recyclable_price=0.45, waste=0.35)), text(rewrite))
    graph = build_graph(cloud, saver)
    values, seen = await run(graph, turn("고철 kg당 얼마야?", unique, model="gpt-4.1-mini"), unique)
    (question,) = values["questions"]
    assert question["intent"] == "recyclable_price"
    assert question["confidence"] == pytest.approx(0.65)
    assert values["answer"] == rewrite
    streamed = [m for _, (m, meta) in seen if meta["langgraph_node"] == "aggregate"]
    assert "".join(str(m.content) for m in streamed) == rewrite
    assert len(streamed) > 1  # it streamed, word by word
    assert fakes.gemini.received == []  # no fallback: OpenAI took the schema and answered
    classify, aggregate = fakes.openai.received
    assert classify.body["model"] == "gpt-4.1-mini" and "stream" not in classify.body
    schema = classify.body["text"]["format"]["schema"]
    assert strict(schema) == [], schema
    assert set(json.dumps(schema, ensure_ascii=False).split('"')) >= set(INTENTS)
    assert aggregate.body["stream"] is True
    sent = json.dumps(aggregate.body, ensure_ascii=False)
    assert "kg당 약" in sent  # the grounding draft went to the model with the question
    assert prompts.AGGREGATE_SYSTEM[:20] in sent


async def test_a_low_cloud_score_falls_to_general(
    cloud: GraphDeps, fakes: FakeProviders, saver: AsyncPostgresSaver, unique: str
) -> None:
    fakes.openai.queue(as_json(scores(weather=0.4, general=0.3)), text("무슨 말인지 모르겠어요."))
    graph = build_graph(cloud, saver)
    values, _ = await run(graph, turn("음 그거 있잖아", unique, model="gpt-4.1-mini"), unique)
    assert [q["intent"] for q in values["questions"]] == ["general"]


async def test_gemini_summarises_the_older_turns(
    cloud: GraphDeps,
    fakes: FakeProviders,
    saver: AsyncPostgresSaver,
    unique: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functions.chat import graph as module

    monkeypatch.setattr(module, "HISTORY_TOKEN_BUDGET", 10)
    fakes.gemini.always(text("사용자는 페트병과 우유팩 버리는 법을 물었다."))
    graph = build_graph(cloud, saver)
    for message in ["페트병 어떻게 버려?", "우유팩 어떻게 버려?", "유리병 어떻게 버려?"]:
        fakes.gemini.queue(as_json(scores(waste=0.9)), text(f"{message[:3]}는 이렇게 버려요."))
        values, _ = await run(graph, turn(message, unique, model="gemini-2.5-flash"), unique)
    assert values["summary"] == "사용자는 페트병과 우유팩 버리는 법을 물었다."
    assert fakes.openai.received == []  # Gemini took the schema (no free-key object) itself
    summaries = [
        r
        for r in fakes.gemini.received
        if prompts.SUMMARY_SYSTEM[:20] in json.dumps(r.body, ensure_ascii=False)
    ]
    assert summaries, [r.body for r in fakes.gemini.received]
    assert "페트병 어떻게 버려?" in json.dumps(summaries[0].body, ensure_ascii=False)
