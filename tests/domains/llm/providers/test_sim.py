"""The simulated provider: the local answer, after a seeded wait that the scale shrinks."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from domains.llm import ImageInput, LLMRequest, ResilientLLM, Usage, provider_for
from domains.llm.providers.local import compose
from domains.llm.providers.sim import SimProfile, SimProvider, _chunks
from domains.llm.routing import chain_for
from domains.llm.settings import LLMSettings

from ..conftest import PNG

GROUNDED = LLMRequest(
    prompt="페트병 어떻게 버려?",
    context={"guidance": "투명 페트병은 비우고 라벨을 떼어 찌그러뜨린 뒤 뚜껑을 닫아 배출해요."},
)


class Seen(BaseModel):
    item: str | None = None
    parts: list[str] = Field(default_factory=list)


def profile(**kw: float) -> SimProfile:
    base = {"vision_s": 4.0, "text_s": 5.6, "jitter": 0.2, "scale": 0.01, "chunks": 4, "seed": 7}
    return SimProfile(**{**base, **kw})  # type: ignore[arg-type]


def test_sim_models_route_to_the_simulated_provider_then_local():
    assert provider_for("sim") == "sim"
    assert provider_for("sim-gpt") == "sim"
    assert chain_for("sim", LLMSettings()) == [("sim", "sim"), ("local", "local")]


def test_waits_are_seeded_scaled_and_within_the_jitter():
    one, two = SimProvider(profile()), SimProvider(profile())
    waits = [one.wait_s(GROUNDED) for _ in range(50)]
    assert waits == [two.wait_s(GROUNDED) for _ in range(50)]
    assert all(5.6 * 0.8 * 0.01 <= w <= 5.6 * 1.2 * 0.01 for w in waits)
    assert len(set(waits)) > 40  # jittered, not constant
    vision = SimProvider(profile(jitter=0)).wait_s(
        GROUNDED.model_copy(update={"images": [ImageInput(data=PNG)]})
    )
    assert abs(vision - 0.04) < 1e-9
    assert abs(profile().per_scan_s() - 0.096) < 1e-9


async def test_generate_waits_then_answers_like_local():
    sim = SimProvider(profile(jitter=0, scale=0.05))  # 0.28 s
    started = time.monotonic()
    done = await sim.generate(GROUNDED, "sim")
    took = time.monotonic() - started
    assert 0.27 <= took < 1.0
    assert done.text == compose(GROUNDED) and done.provider == "sim"


async def test_stream_yields_chunks_over_the_wait_that_join_to_the_answer():
    sim = SimProvider(profile(jitter=0, scale=0.05, chunks=4))  # 0.28 s, first after 0.14 s
    usage, stamps, pieces = Usage(), [], []
    started = time.monotonic()
    async for delta in sim.stream(GROUNDED, "sim", usage):
        stamps.append(time.monotonic() - started)
        pieces.append(delta)
    assert "".join(pieces) == compose(GROUNDED)
    assert len(pieces) == 4
    assert 0.13 <= stamps[0] < stamps[-1] and 0.27 <= stamps[-1] < 1.0
    assert usage.output_tokens > 0


def test_chunks_keep_every_character():
    text = "하나 둘  셋\n넷 다섯 여섯 일곱"
    for count in (1, 3, 7, 50):
        pieces = _chunks(text, count)
        assert "".join(pieces) == text and len(pieces) == min(count, 7)


async def test_structured_fills_text_fields_with_the_users_note():
    sim = SimProvider(profile(scale=0.001))
    request = LLMRequest(prompt="사용자 메모: 페트병", images=[ImageInput(data=PNG)])
    seen = (await sim.structured(request, "sim", Seen)).value
    assert seen == Seen(item="페트병", parts=[])
    unsure = LLMRequest(prompt="사용자 메모: -", images=[ImageInput(data=PNG)])
    assert (await sim.structured(unsure, "sim", Seen)).value.item is None


async def test_the_resilient_client_uses_the_sim_settings():
    llm = LLMSettings(model="sim", sim_text_s=1.0, sim_scale=0.1, sim_jitter=0)
    client = ResilientLLM(llm)
    started = time.monotonic()
    done = await client.generate(GROUNDED)
    assert done.provider == "sim" and 0.09 <= time.monotonic() - started < 1.0
    deltas = [d async for d in client.stream(GROUNDED)]
    assert "".join(deltas) == compose(GROUNDED)
    await client.aclose()
