"""The Responses API provider, with the real ``openai`` client, against the fake server."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from domains.llm import ImageInput, LLMRequest, MalformedResponse, ProviderUnavailable, Usage
from domains.llm.exceptions import RateLimited
from domains.llm.providers.openai_common import build_client
from domains.llm.providers.responses import ResponsesProvider

from ..conftest import PNG
from ..fakes import script
from ..fakes.server import FakeProviders


class Sorting(BaseModel):
    category: str
    rinse: bool


@pytest.fixture
async def provider(fakes: FakeProviders) -> AsyncIterator[ResponsesProvider]:
    p = ResponsesProvider(build_client("k", fakes.openai_base_url, 2.0))
    yield p
    await p.aclose()


async def test_generate_sends_model_and_instructions(provider, fakes):
    fakes.openai.queue(script.text("페트병은 라벨을 떼고 헹궈서 버려요"))
    request = LLMRequest(prompt="페트병?", system="You sort waste.", max_output_tokens=50)
    done = await provider.generate(request, "gpt-4.1-mini")
    assert done.text == "페트병은 라벨을 떼고 헹궈서 버려요"
    assert (done.provider, done.model) == ("responses", "gpt-4.1-mini")
    assert done.usage == Usage(input_tokens=7, output_tokens=5)
    body = fakes.openai.received[-1].body
    assert body["model"] == "gpt-4.1-mini"
    assert body["instructions"] == "You sort waste."
    assert body["max_output_tokens"] == 50
    assert fakes.openai.received[-1].headers["authorization"] == "Bearer k"


async def test_stream_yields_deltas_and_usage(provider, fakes):
    fakes.openai.queue(script.text("one two three"))
    usage = Usage()
    deltas = [d async for d in provider.stream(LLMRequest(prompt="hi"), "gpt-4.1-mini", usage)]
    assert deltas == ["one ", "two ", "three"]
    assert usage == Usage(input_tokens=7, output_tokens=3)
    assert fakes.openai.received[-1].body["stream"] is True


async def test_structured_sends_json_schema(provider, fakes):
    fakes.openai.queue(script.as_json({"category": "clear_pet", "rinse": True}))
    result = await provider.structured(LLMRequest(prompt="생수병"), "gpt-4.1-mini", Sorting)
    assert result.value == Sorting(category="clear_pet", rinse=True)
    fmt = fakes.openai.received[-1].body["text"]["format"]
    assert fmt["type"] == "json_schema"
    assert set(fmt["schema"]["properties"]) == {"category", "rinse"}


async def test_structured_answer_not_fitting_schema_is_malformed(provider, fakes):
    fakes.openai.queue(script.as_json({"category": "clear_pet"}))
    with pytest.raises(MalformedResponse):
        await provider.structured(LLMRequest(prompt="생수병"), "gpt-4.1-mini", Sorting)


async def test_vision_request_carries_the_image(provider, fakes):
    image = ImageInput(data=PNG, mime="image/png")
    await provider.generate(LLMRequest(prompt="이건 뭐야?", images=[image]), "gpt-4.1-mini")
    content = fakes.openai.received[-1].body["input"][0]["content"]
    assert content[0] == {"type": "input_text", "text": "이건 뭐야?"}
    url = content[1]["image_url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (script.malformed(), MalformedResponse),
        (script.rate_limit("3"), RateLimited),
        (script.server_error(500), ProviderUnavailable),
    ],
)
async def test_errors_are_translated(provider, fakes, action, kind):
    fakes.openai.queue(action)
    with pytest.raises(kind) as caught:
        await provider.generate(LLMRequest(prompt="hi"), "gpt-4.1-mini")
    if kind is RateLimited:
        assert caught.value.retry_after == 3.0
    assert len(fakes.openai.received) == 1  # the SDK's own retries are off
