"""The Agents SDK provider, with the real ``openai-agents`` runner, against the fake server
(the SDK calls the Responses API: the fake sees ``POST /v1/responses``)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from domains.llm import ImageInput, LLMRequest, MalformedResponse, ProviderUnavailable, Usage
from domains.llm.exceptions import RateLimited
from domains.llm.providers.agents import AgentsProvider
from domains.llm.providers.openai_common import build_client

from ..conftest import PNG
from ..fakes import script
from ..fakes.server import FakeProviders


class Sorting(BaseModel):
    category: str
    rinse: bool


@pytest.fixture
async def provider(fakes: FakeProviders) -> AsyncIterator[AgentsProvider]:
    p = AgentsProvider(build_client("k", fakes.openai_base_url, 2.0))
    yield p
    await p.aclose()


async def test_generate_runs_the_agent_over_responses(provider, fakes):
    fakes.openai.queue(script.text("유리병은 뚜껑을 분리해요"))
    done = await provider.generate(LLMRequest(prompt="유리병?", system="sys"), "gpt-4.1-mini")
    assert (done.text, done.provider) == ("유리병은 뚜껑을 분리해요", "agents")
    assert done.usage == Usage(input_tokens=7, output_tokens=3)
    received = fakes.openai.received[-1]
    assert received.path == "/v1/responses"
    assert received.body["instructions"] == "sys"
    assert received.body["input"] == [{"role": "user", "content": "유리병?"}]


async def test_stream_yields_deltas_and_usage(provider, fakes):
    fakes.openai.queue(script.text("a b c d"))
    usage = Usage()
    deltas = [d async for d in provider.stream(LLMRequest(prompt="hi"), "gpt-4.1-mini", usage)]
    assert "".join(deltas) == "a b c d" and len(deltas) == 4
    assert usage == Usage(input_tokens=7, output_tokens=4)
    assert fakes.openai.received[-1].body["stream"] is True


async def test_structured_uses_output_type(provider, fakes):
    fakes.openai.queue(script.as_json({"category": "glass", "rinse": True}))
    result = await provider.structured(LLMRequest(prompt="병"), "gpt-4.1-mini", Sorting)
    assert result.value == Sorting(category="glass", rinse=True)
    assert fakes.openai.received[-1].body["text"]["format"]["type"] == "json_schema"


async def test_structured_bad_json_is_malformed(provider, fakes):
    fakes.openai.queue(script.text("not json at all"))
    with pytest.raises(MalformedResponse):
        await provider.structured(LLMRequest(prompt="병"), "gpt-4.1-mini", Sorting)


async def test_vision_request_carries_the_image(provider, fakes):
    await provider.generate(
        LLMRequest(prompt="뭐야?", images=[ImageInput(data=PNG, mime="image/jpeg")]), "gpt-4.1"
    )
    image = fakes.openai.received[-1].body["input"][0]["content"][1]
    assert image["type"] == "input_image"
    assert image["image_url"].startswith("data:image/jpeg;base64,")
    assert base64.b64decode(image["image_url"].split(",", 1)[1]) == PNG


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (script.malformed(), MalformedResponse),
        (script.rate_limit("2"), RateLimited),
        (script.server_error(502), ProviderUnavailable),
    ],
)
async def test_errors_are_translated(provider, fakes, action, kind):
    fakes.openai.queue(action)
    with pytest.raises(kind):
        await provider.generate(LLMRequest(prompt="hi"), "gpt-4.1-mini")
    assert len(fakes.openai.received) == 1
