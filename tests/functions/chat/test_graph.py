"""The chat graph on PostgreSQL's checkpointer: parallel sub-agents, policies, the fallback
chain, interrupt and resume, memory across turns and across a fresh graph (a worker restart),
the summariser, streaming (only the aggregator's tokens), and a photo through vision first."""

from __future__ import annotations

import time
from typing import Any

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.types import Command

from domains.chat.tools import ToolUnavailable
from domains.image import MemoryImageStore
from domains.vision.availability import ocr_available
from domains.vision.render import MarkSpec, render_mark
from functions.chat import agents
from functions.chat.configuration import HISTORY_KEEP_MESSAGES, Policy
from functions.chat.graph import GraphDeps, build_graph, run_agent
from functions.chat.parts import Weak

from .conftest import turn
from .kma_server import Kma


async def run(graph: Any, payload: Any, chat_id: str) -> tuple[dict[str, Any], list[Any]]:
    """Run one turn; its final values and every (mode, chunk) streamed."""
    config = {"configurable": {"thread_id": chat_id}}
    seen: list[Any] = []
    async for item in graph.astream(payload, config, stream_mode=["custom", "messages"]):
        seen.append(item)
    state = await graph.aget_state(config)
    return {"values": state.values, "interrupts": state.interrupts}, seen


async def test_three_slow_sub_agents_take_about_the_slowest_not_the_sum(
    deps: GraphDeps, saver: AsyncPostgresSaver, kma: Kma, unique: str
) -> None:
    kma.delay_s = 0.6
    graph = build_graph(deps, saver)
    message = "오늘 날씨 어때? 내일 비 와? 모레 날씨는 어때?"
    await run(graph, turn("안녕", unique), unique)  # warm: model, Kiwi, tables
    started = time.perf_counter()
    out, _ = await run(graph, turn(message, unique), unique)
    elapsed = time.perf_counter() - started
    parts = out["values"]["answers"]
    assert [p["intent"] for p in parts] == ["weather"] * 3
    assert all(p["answered"] for p in parts), [(p["answered"], p.get("text")) for p in parts]
    assert len(kma.requests) == 3
    assert 0.6 <= elapsed < 1.2, f"3 x 0.6 s sub-agents took {elapsed:.2f} s"


async def test_every_sub_question_gets_its_paragraph_in_order(
    deps: GraphDeps, saver: AsyncPostgresSaver, unique: str
) -> None:
    graph = build_graph(deps, saver)
    message = "페트병 어떻게 버려? 고철 시세는? 이코는 뭐 좋아해?"
    out, _ = await run(graph, turn(message, unique), unique)
    values = out["values"]
    assert [q["intent"] for q in values["questions"]] == [
        "waste",
        "recyclable_price",
        "character",
    ]
    paragraphs = values["answer"].split("\n\n")
    assert len(paragraphs) == 3
    assert "투명 페트병" in paragraphs[0]
    assert "원" in paragraphs[1] and "kg" in paragraphs[1]
    assert "이코" in paragraphs[2]


async def test_two_questions_of_one_intent_stay_two(
    deps: GraphDeps, saver: AsyncPostgresSaver, unique: str
) -> None:
    graph = build_graph(deps, saver)
    out, _ = await run(graph, turn("페트병 어떻게 버려? 우유팩은 어떻게 버려?", unique), unique)
    parts = out["values"]["answers"]
    assert [p["intent"] for p in parts] == ["waste", "waste"]
    assert "페트" in parts[0]["text"] and "팩" in parts[1]["text"]


@pytest.mark.parametrize(
    ("policy", "answered_text"),
    [(Policy.FAIL_OPEN, True), (Policy.FAIL_CLOSE, False)],
)
async def test_node_policies_on_a_failing_node(
    deps: GraphDeps,
    saver: AsyncPostgresSaver,
    kma: Kma,
    unique: str,
    monkeypatch: pytest.MonkeyPatch,
    policy: Policy,
    answered_text: bool,
) -> None:
    kma.mode = "http500"
    monkeypatch.setitem(agents_policies(), "weather", policy)
    graph = build_graph(deps, saver)
    out, _ = await run(graph, turn("내일 비 와? 고철 시세 알려줘", unique), unique)
    weather, price = out["values"]["answers"]
    assert weather["intent"] == "weather" and not weather["answered"]
    assert "500" in weather["reason"]
    assert bool(weather["text"]) is answered_text  # FAIL_OPEN says something, FAIL_CLOSE not
    assert price["answered"], "one failing node must not stop the others"
    paragraphs = out["values"]["answer"].split("\n\n")
    assert len(paragraphs) == 2 and "답하지 못했어요" in paragraphs[0]


def agents_policies() -> dict[str, Policy]:
    from functions.chat import configuration

    return configuration.POLICIES


async def test_circuit_breaker_opens_after_repeated_failures(deps: GraphDeps, kma: Kma) -> None:
    kma.mode = "http500"
    weather = deps.tools.weather
    for _ in range(2):
        with pytest.raises(ToolUnavailable, match="500"):
            await weather.forecast(None, 0)
    calls = len(kma.requests)
    with pytest.raises(ToolUnavailable, match="circuit open"):
        await weather.forecast(None, 0)
    assert len(kma.requests) == calls  # open: no request went out


async def test_fallback_chain_rag_then_web_search_then_general(
    deps: GraphDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = {
        "question": {
            "index": 0,
            "text": "블라블라 어떻게 버려?",
            "intent": "waste",
            "confidence": 0.9,
        },
        "user_id": "u",
        "chat_id": "c",
        "scan": None,
        "location": None,
        "model": None,
        "summary": "",
    }
    result = await run_agent("waste", task, deps.tools)  # type: ignore[arg-type]
    assert result["data"]["fallback"] == ["waste", "web_search", "general"]
    assert not result["answered"] and "확신도" in result["reason"]

    # The search finds a passage: the chain stops at web_search, which says it is offline.
    task["question"]["text"] = "아이스팩 젤 버리는 법"

    async def weak(task: Any, tools: Any) -> Any:
        raise Weak("retrieval below threshold")

    monkeypatch.setitem(agents.AGENTS, "waste", weak)
    found = await run_agent("waste", task, deps.tools)  # type: ignore[arg-type]
    assert found["data"]["fallback"] == ["waste", "web_search"]
    assert found["answered"] and "오프라인" in found["text"] and "아이스팩" in found["text"]


async def test_near_me_interrupts_and_resume_finishes_without_repeating(
    deps: GraphDeps, saver: AsyncPostgresSaver, kma: Kma, unique: str
) -> None:
    graph = build_graph(deps, saver)
    out, _ = await run(graph, turn("근처 재활용센터 어디야? 내일 비 와?", unique), unique)
    assert out["interrupts"], "a near-me question without a location must ask"
    assert out["interrupts"][0].value["node"] == "location"
    assert len(kma.requests) == 1  # the weather branch ran once, in parallel
    resume = Command(resume={i.id: "마포구 망원동" for i in out["interrupts"]})
    done, _ = await run(graph, resume, unique)
    assert not done["interrupts"]
    parts = done["values"]["answers"]
    assert [p["intent"] for p in parts] == ["location", "weather"]
    assert "마포구 망원동" in parts[0]["text"]
    assert len(kma.requests) == 1, "resuming must not run the finished branch again"


async def test_memory_across_turns_and_a_fresh_graph_with_the_chain_bonus(
    deps: GraphDeps, saver: AsyncPostgresSaver, unique: str
) -> None:
    first = build_graph(deps, saver)
    await run(first, turn("고철 kg당 얼마야?", unique), unique)
    # A new graph on the same checkpointer: what a restarted worker builds.
    second = build_graph(deps, saver)
    out, _ = await run(second, turn("알루미늄은?", unique), unique)
    values = out["values"]
    assert [q["intent"] for q in values["questions"]] == ["recyclable_price"]
    assert [h["role"] for h in values["history"]] == ["user", "assistant"] * 2
    assert values["answers"][0]["text"].count("원") >= 1, values["questions"]


async def test_summariser_folds_old_turns_past_the_budget(
    deps: GraphDeps, saver: AsyncPostgresSaver, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.chat import graph as module

    monkeypatch.setattr(module, "HISTORY_TOKEN_BUDGET", 120)  # two answers' worth
    graph = build_graph(deps, saver)
    for message in [
        "페트병 어떻게 버려?",
        "우유팩 어떻게 버려?",
        "유리병 어떻게 버려?",
        "캔 어떻게 버려?",
    ]:
        out, _ = await run(graph, turn(message, unique), unique)
    values = out["values"]
    assert len(values["history"]) <= HISTORY_KEEP_MESSAGES + 2
    assert "페트병 어떻게 버려?" in values["summary"]


async def test_only_the_aggregator_streams_tokens_and_they_make_the_answer(
    deps: GraphDeps, saver: AsyncPostgresSaver, unique: str
) -> None:
    graph = build_graph(deps, saver)
    out, seen = await run(graph, turn("페트병 어떻게 버려? 이코 그림 그려줘", unique), unique)
    tokens = [chunk for mode, chunk in seen if mode == "messages"]
    assert {meta["langgraph_node"] for _, meta in tokens} == {"aggregate"}
    assert "".join(str(m.content) for m, _ in tokens) == out["values"]["answer"]
    assert {m.id for m, _ in tokens} == {out["values"]["message_id"]}
    phases = [chunk for mode, chunk in seen if mode == "custom"]
    order = [(p["phase"], p.get("node"), p["status"]) for p in phases]
    assert order[0] == ("classify", None, "started")
    assert order[-1] == ("answer", None, "started")
    agent_steps = [o for o in order if o[0] == "agent"]
    assert len(agent_steps) == 4  # two sub-agents, each started and completed
    image = out["values"]["answers"][1]["data"]["image"]
    stored = await deps.tools.painter.images.get(image["ref"])  # type: ignore[attr-defined]
    assert stored.startswith(b"\x89PNG")


async def test_a_photo_goes_through_vision_first_and_this_means_it(
    deps: GraphDeps, saver: AsyncPostgresSaver, images: MemoryImageStore, unique: str
) -> None:
    ref = await images.put(render_mark(MarkSpec(word="무색페트", rotation=-6, noise=6, seed=11)))
    graph = build_graph(deps, saver)
    out, seen = await run(graph, turn("이거 어떻게 버려?", unique, image_ref=ref), unique)
    phases = [chunk["phase"] for mode, chunk in seen if mode == "custom"]
    assert phases[0] == "vision" and phases.index("vision") < phases.index("classify")
    waste = out["values"]["answers"][0]
    if ocr_available()[0]:
        # The mark read off the photo is what "이거" means.
        assert out["values"]["scan"]["source"] == "photo"
        assert waste["answered"] and "투명 페트병" in waste["text"], waste
    else:
        assert not waste["answered"] and "이거" in waste["reason"]


async def test_two_close_intents_get_a_clarifying_question(deps: GraphDeps) -> None:
    question = {
        "index": 0,
        "text": "그거 알려줘",
        "intent": "general",
        "confidence": 0.5,
        "clarify": ["location", "collection_point"],
    }
    task = {
        "question": question,
        "user_id": "u",
        "chat_id": "c",
        "scan": None,
        "location": None,
        "model": None,
        "summary": "",
    }
    asked = await run_agent("general", task, deps.tools)  # type: ignore[arg-type]
    assert not asked["answered"]
    assert "재활용센터·가게 위치" in asked["text"] and "수거함 위치" in asked["text"]
