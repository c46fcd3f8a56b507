"""Chat with the analysis service configured (ECO2_KNOWLEDGE__ANALYSER_URL, a real
``eco2 analyser`` process): turns are answered as with Kiwi in the process, every message's
analysis is the same, and the tokens came from the service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from domains.chat import splitter
from domains.chat.classifier import analyse, as_json
from domains.knowledge import text
from domains.knowledge.analyser import RemoteAnalyser, analyser, configure_analyser
from functions.chat.graph import GraphDeps, build_graph
from tests.analyser_server import Analyser, running_analyser

from .conftest import turn

DEV = Path(__file__).parent / "data" / "intents.dev.jsonl"


def _clear_caches() -> None:
    text.analysis.cache_clear()
    splitter.morphemes.cache_clear()


@pytest.fixture(scope="module")
def service() -> Iterator[Analyser]:
    with running_analyser() as server:
        yield server


@pytest.fixture
def remote(service: Analyser) -> Iterator[RemoteAnalyser]:
    _clear_caches()
    client = configure_analyser(service.url)
    assert isinstance(client, RemoteAnalyser)
    yield client
    configure_analyser("")
    _clear_caches()


def test_every_dev_message_is_analysed_the_same(service: Analyser) -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    messages = [row["text"] for row in rows]
    _clear_caches()
    local = [as_json(analyse(m)) for m in messages]
    _clear_caches()
    client = configure_analyser(service.url)
    try:
        before = service.requests("tokenize")
        remote = [as_json(analyse(m)) for m in messages]
        assert service.requests("tokenize") > before + len(messages)  # pieces, not one per text
        assert not client.fell_back  # type: ignore[attr-defined]
    finally:
        configure_analyser("")
        _clear_caches()
    assert remote == local


async def run(graph: Any, payload: Any, chat_id: str) -> dict[str, Any]:
    config = {"configurable": {"thread_id": chat_id}}
    async for _ in graph.astream(payload, config, stream_mode=["custom", "messages"]):
        pass
    return (await graph.aget_state(config)).values


async def test_a_turn_with_the_service(
    remote: RemoteAnalyser,
    service: Analyser,
    deps: GraphDeps,
    saver: AsyncPostgresSaver,
    unique: str,
) -> None:
    graph = build_graph(deps, saver)
    before = service.requests("tokenize")
    values = await run(
        graph, turn("페트병 어떻게 버려? 고철 시세는? 이코는 뭐 좋아해?", unique), unique
    )
    assert [q["intent"] for q in values["questions"]] == ["waste", "recyclable_price", "character"]
    paragraphs = values["answer"].split("\n\n")
    assert len(paragraphs) == 3 and "투명 페트병" in paragraphs[0]
    assert service.requests("tokenize") > before  # its pieces' tokens came from the service
    assert analyser() is remote and not remote.fell_back
    # A second turn of the same chat.
    values = await run(graph, turn("우유팩은 어떻게 버려?", unique), unique)
    assert values["questions"][-1]["intent"] == "waste"
    assert not remote.fell_back


async def test_a_turn_when_the_service_went_away(
    deps: GraphDeps, saver: AsyncPostgresSaver, unique: str
) -> None:
    _clear_caches()
    with running_analyser() as server:
        client = configure_analyser(server.url)
        try:
            graph = build_graph(deps, saver)
            server.stop()
            values = await run(graph, turn("우유팩 어떻게 버려?", unique), unique)
            assert [q["intent"] for q in values["questions"]] == ["waste"]
            assert "팩" in values["answer"]
            assert client.fell_back  # type: ignore[attr-defined]
        finally:
            configure_analyser("")
            _clear_caches()
