"""``ResilientLLM`` end to end: real SDKs, fake servers, retries, breaker, fallback, switching."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from domains.llm import (
    FallbackExhausted,
    ImageInput,
    LLMRequest,
    LLMTimeout,
    ResilientLLM,
    UnknownModel,
    UnsupportedRequest,
)
from domains.llm.breaker import State
from domains.llm.settings import LLMSettings

from .conftest import PNG, metric
from .fakes import script

ROOT = Path(__file__).resolve().parents[3]
RULES = {"guidance": "건전지는 주민센터의 폐건전지 수거함에 넣어요."}


class Sorting(BaseModel):
    category: str
    rinse: bool


def tokens(provider: str, direction: str) -> float:
    return metric("eco2_llm_tokens_total", provider=provider, direction=direction)


def calls(provider: str, outcome: str) -> float:
    return metric("eco2_llm_calls_total", provider=provider, outcome=outcome)


async def test_normal_answer_goes_to_the_agents_sdk_and_counts_tokens(llm, fakes):
    before = tokens("agents", "in"), tokens("agents", "out"), calls("agents", "ok")
    fakes.openai.queue(script.text("종이팩은 펼쳐서 말려요"))
    done = await llm.generate(LLMRequest(prompt="우유팩?"))
    assert (done.text, done.provider, done.attempted) == ("종이팩은 펼쳐서 말려요", "agents", [])
    assert tokens("agents", "in") - before[0] == 7
    assert tokens("agents", "out") - before[1] == 3
    assert calls("agents", "ok") - before[2] == 1
    assert metric("eco2_llm_latency_seconds_count", provider="agents") >= 1


async def test_rate_limit_waits_retry_after_then_succeeds(llm, fakes, sleeps):
    fakes.openai.queue(script.rate_limit("2"), script.text("ok now"))
    before = calls("agents", "rate_limited")
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.text, done.provider) == ("ok now", "agents")
    assert sleeps == [2.0]
    assert calls("agents", "rate_limited") - before == 1
    assert len(fakes.openai.received) == 2


async def test_retry_after_longer_than_we_wait_falls_back_at_once(llm, fakes, sleeps):
    fakes.openai.queue(script.rate_limit("600"), script.text("from responses"))
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.provider, done.attempted, sleeps) == ("responses", ["agents"], [])


async def test_server_error_then_success_backs_off(llm, fakes, sleeps):
    fakes.openai.queue(script.server_error(500), script.text("recovered"))
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.text, done.provider) == ("recovered", "agents")
    assert sleeps == [0.01]  # backoff_initial_s, no Retry-After given


async def test_timeout_is_retried_then_answered(llm, llm_settings, fakes):
    llm_settings.llm.timeout_s = 0.3
    before = calls("agents", "timeout")
    fakes.openai.queue(script.slow(2.0), script.text("in time"))
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.text, done.provider) == ("in time", "agents")
    assert calls("agents", "timeout") - before == 1


async def test_timeouts_everywhere_end_on_local(llm, llm_settings, fakes):
    llm_settings.llm.timeout_s = 0.2
    llm_settings.llm.max_retries = 0
    fakes.openai.always(script.slow(2.0))
    fakes.gemini.always(script.slow(2.0))
    done = await llm.generate(LLMRequest(prompt="건전지?", context=RULES))
    assert done.provider == "local"
    assert done.attempted == ["agents", "responses", "gemini"]
    assert done.text.startswith(RULES["guidance"])


async def test_fallback_order_agents_responses_gemini_local(llm, fakes, caplog):
    caplog.set_level(logging.INFO, logger="domains.llm")
    # agents fails (malformed is not retried) → responses answers
    fakes.openai.queue(script.malformed(), script.text("responses here"))
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.provider, done.attempted) == ("responses", ["agents"])
    # both OpenAI paths fail → Gemini's fallback model answers
    fakes.openai.always(script.server_error(500))
    fakes.gemini.queue(script.text("gemini here"))
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.provider, done.model, done.attempted) == (
        "gemini",
        "gemini-2.5-flash",
        ["agents", "responses"],
    )
    assert fakes.gemini.received[-1].path.endswith("gemini-2.5-flash:generateContent")
    # everything fails → local
    fakes.gemini.always(script.server_error(500))
    done = await llm.generate(LLMRequest(prompt="건전지?", context=RULES))
    assert (done.provider, done.attempted) == ("local", ["agents", "responses", "gemini"])
    steps = [r.getMessage() for r in caplog.records if "falling back" in r.getMessage()]
    assert [s.split()[1] for s in steps[-3:]] == ["agents", "responses", "gemini"]


async def test_gemini_is_skipped_without_a_key(llm, llm_settings, fakes):
    llm_settings.llm.gemini_api_key = None
    llm_settings.llm.max_retries = 0
    fakes.openai.always(script.server_error(503))
    done = await llm.generate(LLMRequest(prompt="건전지?", context=RULES))
    assert (done.provider, done.attempted) == ("local", ["agents", "responses"])
    assert fakes.gemini.received == []


async def test_malformed_responses_open_the_breaker_then_half_open_recovers(
    llm, llm_settings, fakes
):
    fakes.openai.always(script.malformed())
    before = calls("agents", "malformed")
    for _ in range(3):  # breaker_failures = 3
        done = await llm.generate(LLMRequest(prompt="hi"))
        assert done.provider == "gemini"
    assert calls("agents", "malformed") - before == 3
    assert llm.breaker("agents").state is State.OPEN
    assert llm.breaker("responses").state is State.OPEN
    assert metric("eco2_llm_breaker_state", provider="agents") == 2
    seen = len(fakes.openai.received)
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert done.provider == "gemini" and len(fakes.openai.received) == seen  # not even tried
    await asyncio.sleep(llm_settings.llm.breaker_reset_s)
    assert llm.breaker("agents").state is State.HALF_OPEN
    fakes.openai.always(None)
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert done.provider == "agents"
    assert llm.breaker("agents").state is State.CLOSED
    assert metric("eco2_llm_breaker_state", provider="agents") == 0


async def test_model_switches_at_run_time(llm, llm_settings, fakes):
    assert (await llm.generate(LLMRequest(prompt="hi"))).provider == "agents"
    llm_settings.llm.model = "gemini-2.5-pro"  # settings change, same client, no restart
    done = await llm.generate(LLMRequest(prompt="hi"))
    assert (done.provider, done.model) == ("gemini", "gemini-2.5-pro")
    llm_settings.llm.model = "local"
    assert (await llm.generate(LLMRequest(prompt="건전지?", context=RULES))).provider == "local"
    # the per-request ``model`` field beats the settings
    done = await llm.generate(LLMRequest(prompt="hi", model="o4-mini"))
    assert (done.provider, done.model) == ("agents", "o4-mini")
    assert fakes.openai.received[-1].body["model"] == "o4-mini"


async def test_unknown_model_is_refused(llm):
    with pytest.raises(UnknownModel):
        await llm.generate(LLMRequest(prompt="hi", model="claude-3-opus"))


async def test_streaming_through_the_router(llm, fakes):
    before = tokens("agents", "out")
    fakes.openai.queue(script.text("one two three four"))
    deltas = [d async for d in llm.stream(LLMRequest(prompt="hi"))]
    assert deltas == ["one ", "two ", "three ", "four"]
    assert tokens("agents", "out") - before == 4


async def test_stream_falls_back_before_the_first_token(llm, llm_settings, fakes):
    llm_settings.llm.max_retries = 0
    fakes.openai.queue(script.server_error(500), script.text("via responses"))
    deltas = [d async for d in llm.stream(LLMRequest(prompt="hi"))]
    assert "".join(deltas) == "via responses"
    assert [r.body.get("stream") for r in fakes.openai.received] == [True, True]


async def test_stream_failure_after_the_first_token_is_raised_not_hidden(llm, llm_settings, fakes):
    llm_settings.llm.timeout_s = 0.3
    fakes.openai.queue(script.stall(2.0, "first second"))
    received: list[str] = []
    with pytest.raises(LLMTimeout):
        async for delta in llm.stream(LLMRequest(prompt="hi")):
            received.append(delta)
    # The caller already had "first ": no retry, no switch to another provider mid-answer.
    assert received == ["first "]
    assert len(fakes.openai.received) == 1 and fakes.gemini.received == []


async def test_structured_through_the_router(llm, fakes):
    fakes.openai.queue(script.as_json({"category": "clear_pet", "rinse": True}))
    value = await llm.structured(LLMRequest(prompt="생수병"), Sorting)
    assert value == Sorting(category="clear_pet", rinse=True)


async def test_structured_on_local_without_builder_is_clear(llm, llm_settings):
    llm_settings.llm.model = "local"
    with pytest.raises(UnsupportedRequest, match="Sorting"):
        await llm.structured(LLMRequest(prompt="생수병"), Sorting)


async def test_structured_all_failing_lists_every_attempt(llm, llm_settings, fakes):
    llm_settings.llm.max_retries = 0
    fakes.openai.always(script.server_error(500))
    fakes.gemini.always(script.malformed())
    with pytest.raises(FallbackExhausted) as caught:
        await llm.structured(LLMRequest(prompt="생수병"), Sorting)
    assert [name for name, _ in caught.value.attempts] == [
        "agents",
        "responses",
        "gemini",
        "local",
    ]


async def test_vision_through_the_router_reaches_gemini(llm, llm_settings, fakes):
    llm_settings.llm.model = "gemini-2.5-flash"
    image = ImageInput(data=PNG, mime="image/png")
    await llm.generate(LLMRequest(prompt="이건?", images=[image]))
    inline = fakes.gemini.received[-1].body["contents"][0]["parts"][1]["inlineData"]
    assert base64.b64decode(inline["data"]) == PNG


async def test_no_keys_means_local_and_no_network(fakes, llm_settings):
    llm_settings.llm.openai_api_key = None
    llm_settings.llm.gemini_api_key = None
    client = ResilientLLM(lambda: llm_settings.llm)
    done = await client.generate(LLMRequest(prompt="건전지?", context=RULES))
    assert (done.provider, done.attempted) == ("local", ["agents", "responses"])
    assert fakes.openai.received == [] and fakes.gemini.received == []


async def test_default_settings_answer_offline(fakes):
    client = ResilientLLM(LLMSettings())  # no environment: model "local", no keys
    done = await client.generate(LLMRequest(prompt="건전지?", context=RULES))
    assert (done.provider, done.model, done.attempted) == ("local", "local", [])


async def test_stream_falls_back_to_local_when_gemini_times_out(llm, llm_settings, fakes):
    llm_settings.llm.model = "gemini-2.5-flash"
    llm_settings.llm.timeout_s = 0.2
    llm_settings.llm.max_retries = 0
    fakes.gemini.always(script.slow(2.0))
    before = calls("gemini", "timeout")
    stream = llm.stream(LLMRequest(prompt="hi", context=RULES))
    text = "".join([d async for d in stream])
    assert text.startswith(RULES["guidance"])  # gemini timed out → local streamed
    assert calls("gemini", "timeout") - before == 1


async def test_prepare_builds_the_chain_before_the_first_call(llm, llm_settings, fakes):
    assert llm.prepare() == ["agents", "responses", "gemini", "local"]
    assert llm.prepare("gemini-2.5-flash") == ["gemini", "local"]
    fakes.openai.queue(script.text("페트병은 비우고 헹궈요."))
    done = await llm.generate(LLMRequest(prompt="페트병?", context=RULES))
    assert done.provider == "agents"  # the prepared provider answers


def test_prepare_skips_what_has_no_key_and_imports_the_sdks_of_what_has() -> None:
    """A function's ``start()`` calls ``prepare`` so its first event does not import the SDKs."""
    code = """
import sys
from domains.llm import LLMSettings, ResilientLLM
client = ResilientLLM(LLMSettings(model="gpt-4.1-mini", openai_api_key="k"))
before = "openai" in sys.modules
print(before, client.prepare(), "openai" in sys.modules, "agents" in sys.modules)
print(ResilientLLM(LLMSettings(model="gpt-4.1-mini")).prepare())
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env = {k: v for k, v in env.items() if not k.startswith("ECO2_")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out == ["False ['agents', 'responses', 'local'] True True", "['local']"]
