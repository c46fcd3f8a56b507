"""The offline provider: deterministic, grounded on what it is given, honest about images."""

from __future__ import annotations

import socket

import pytest
from pydantic import BaseModel

from domains.llm import ImageInput, LLMRequest, UnsupportedRequest, Usage, register_local_schema
from domains.llm.providers.local import NO_IMAGES, LocalProvider, count_tokens

from ..conftest import PNG

RULES = {
    "guidance": "투명 페트병은 내용물을 비우고 라벨을 떼어 찌그러뜨린 뒤 뚜껑을 닫아 배출해요.",
    "rules": [
        {"title": "투명 페트병 전용 수거", "text": "무색 투명 페트병은 별도 수거함에 넣어요."},
        "유색 페트병은 일반 플라스틱으로 배출해요.",
    ],
}


class Verdict(BaseModel):
    category: str
    recyclable: bool


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any socket opened by the local provider fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the local provider opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


async def test_answer_is_composed_from_the_grounding():
    request = LLMRequest(prompt="생수병 어떻게 버려?", context=RULES)
    done = await LocalProvider().generate(request, "local")
    assert done.text.startswith(RULES["guidance"])
    assert "- 투명 페트병 전용 수거: 무색 투명 페트병은 별도 수거함에 넣어요." in done.text
    assert "- 유색 페트병은 일반 플라스틱으로 배출해요." in done.text
    assert (done.provider, done.model) == ("local", "local")
    assert done.usage == Usage(
        input_tokens=count_tokens("\n생수병 어떻게 버려?"), output_tokens=count_tokens(done.text)
    )


async def test_answers_are_deterministic_and_stream_joins_to_them():
    request = LLMRequest(prompt="생수병?", context=RULES)
    first = await LocalProvider().generate(request, "local")
    second = await LocalProvider().generate(request, "local")
    usage = Usage()
    deltas = [d async for d in LocalProvider().stream(request, "local", usage)]
    assert first.text == second.text == "".join(deltas)
    assert len(deltas) > 5
    assert usage == first.usage


async def test_image_is_declined_honestly():
    request = LLMRequest(prompt="이거 뭐야?", images=[ImageInput(data=PNG)], context=RULES)
    done = await LocalProvider().generate(request, "local")
    assert done.text.startswith(NO_IMAGES)


async def test_max_output_tokens_truncates():
    request = LLMRequest(prompt="생수병?", context=RULES, max_output_tokens=5)
    done = await LocalProvider().generate(request, "local")
    assert count_tokens(done.text) == 5


async def test_structured_needs_a_registered_builder():
    with pytest.raises(UnsupportedRequest, match="Verdict"):
        await LocalProvider().structured(LLMRequest(prompt="캔"), "local", Verdict)
    register_local_schema(Verdict, lambda r: Verdict(category="metal", recyclable="캔" in r.prompt))
    result = await LocalProvider().structured(LLMRequest(prompt="캔"), "local", Verdict)
    assert result.value == Verdict(category="metal", recyclable=True)
    assert result.usage.output_tokens > 0
