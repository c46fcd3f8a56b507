"""The Gemini provider, with the real ``google-genai`` client, against the fake server."""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from domains.llm import ImageInput, LLMRequest, MalformedResponse, ProviderUnavailable, Usage
from domains.llm.exceptions import RateLimited
from domains.llm.providers.gemini import GeminiProvider, build_client

from ..conftest import PNG
from ..fakes import script
from ..fakes.server import FakeProviders


class Sorting(BaseModel):
    category: str
    rinse: bool


@pytest.fixture
async def provider(fakes: FakeProviders) -> AsyncIterator[GeminiProvider]:
    p = GeminiProvider(build_client("g-key", fakes.gemini_base_url, 2.0))
    yield p
    await p.aclose()


async def test_generate_content(provider, fakes):
    fakes.gemini.queue(script.text("캔은 내용물을 비우고 압착해요"))
    request = LLMRequest(prompt="캔?", system="sys", temperature=0.2)
    done = await provider.generate(request, "gemini-2.5-flash")
    assert (done.text, done.provider, done.model) == (
        "캔은 내용물을 비우고 압착해요",
        "gemini",
        "gemini-2.5-flash",
    )
    assert done.usage == Usage(input_tokens=5, output_tokens=4)
    received = fakes.gemini.received[-1]
    assert received.path.endswith("/models/gemini-2.5-flash:generateContent")
    assert received.headers["x-goog-api-key"] == "g-key"
    assert received.body["systemInstruction"]["parts"] == [{"text": "sys"}]
    assert received.body["generationConfig"]["temperature"] == 0.2


async def test_stream_generate_content_over_sse(provider, fakes):
    fakes.gemini.queue(script.text("x y z"))
    usage = Usage()
    request = LLMRequest(prompt="hi")
    deltas = [d async for d in provider.stream(request, "gemini-2.5-flash", usage)]
    assert deltas == ["x ", "y ", "z"]
    assert usage == Usage(input_tokens=5, output_tokens=3)
    received = fakes.gemini.received[-1]
    assert received.path.endswith(":streamGenerateContent")
    assert received.query == "alt=sse"


async def test_structured_sends_response_schema(provider, fakes):
    fakes.gemini.queue(script.as_json({"category": "metal", "rinse": False}))
    result = await provider.structured(LLMRequest(prompt="캔"), "gemini-2.5-flash", Sorting)
    assert result.value == Sorting(category="metal", rinse=False)
    config = fakes.gemini.received[-1].body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert "category" in str(config.get("responseSchema") or config.get("responseJsonSchema"))


async def test_structured_not_fitting_is_malformed(provider, fakes):
    fakes.gemini.queue(script.text("no json here"))
    with pytest.raises(MalformedResponse):
        await provider.structured(LLMRequest(prompt="캔"), "gemini-2.5-flash", Sorting)


async def test_vision_request_carries_inline_data(provider, fakes):
    request = LLMRequest(prompt="이건?", images=[ImageInput(data=PNG, mime="image/webp")])
    await provider.generate(request, "gemini-2.5-flash")
    parts = fakes.gemini.received[-1].body["contents"][0]["parts"]
    assert parts[0] == {"text": "이건?"}
    inline = parts[1]["inlineData"]
    # The SDK writes this one field in snake case; the API accepts both spellings.
    assert inline.get("mimeType", inline.get("mime_type")) == "image/webp"
    assert base64.b64decode(inline["data"]) == PNG


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (script.malformed(), MalformedResponse),
        (script.rate_limit("4"), RateLimited),
        (script.server_error(503), ProviderUnavailable),
    ],
)
async def test_errors_are_translated(provider, fakes, action, kind):
    fakes.gemini.queue(action)
    with pytest.raises(kind) as caught:
        await provider.generate(LLMRequest(prompt="hi"), "gemini-2.5-flash")
    if kind is RateLimited:
        assert caught.value.retry_after == 4.0
    assert len(fakes.gemini.received) == 1


async def test_a_refused_connection_fails_at_once_for_the_chain_to_fall_back() -> None:
    # With retry_options unset the SDK sleeps 1-10 s and retries a refused connection itself
    # (seen: an unreachable Gemini cost a scan 15 s); the router's own retry and breaker decide.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = GeminiProvider(build_client("g-key", f"http://127.0.0.1:{port}", 5.0))
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="cannot connect"):
        await provider.generate(LLMRequest(prompt="캔?"), "gemini-2.5-flash")
    assert time.monotonic() - started < 1.0  # the SDK's own retry sleeps at least 1 s
    await provider.aclose()
