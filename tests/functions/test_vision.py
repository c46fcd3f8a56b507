"""The vision function on the image store: a mark is read, a hint is used, nothing → needs_input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domains.image import MemoryImageStore
from domains.vision.render import random_spec, render_mark, render_photo_without_mark
from eventing.events import ScanNeedsInput, ScanRequested, ScanState, make_event, payload_of
from functions.vision import main as vision


@pytest.fixture
async def images() -> AsyncIterator[MemoryImageStore]:
    store = MemoryImageStore()
    vision.use(store)
    yield store
    await vision.stop()


async def requested(store: MemoryImageStore, data: bytes, hint: str | None = None):
    ref = await store.put(data)
    state = ScanState(request=ScanRequested(job_id="job-v", image_ref=ref, hint=hint))
    return make_event("kr.eco2.scan.requested", state, subject="job-v")


async def test_mark_is_read_without_a_hint(images: MemoryImageStore) -> None:
    mark = render_mark(random_spec("캔류", None, seed=3))
    reply = await vision.handle(await requested(images, mark))
    assert reply["type"] == "kr.eco2.scan.vision.completed"
    result = payload_of(reply, ScanState).vision
    assert result.source == "ocr" and "캔" in result.text


async def test_hint_identifies_a_photo_without_a_mark(images: MemoryImageStore) -> None:
    photo = render_photo_without_mark(seed=1)
    reply = await vision.handle(await requested(images, photo, "다 마신 삼다수 병"))
    result = payload_of(reply, ScanState).vision
    assert reply["type"] == "kr.eco2.scan.vision.completed"
    assert result.source == "hint" and "삼다수" in result.text


async def test_no_mark_and_no_hint_asks_what_the_item_is(images: MemoryImageStore) -> None:
    reply = await vision.handle(await requested(images, render_photo_without_mark(seed=2)))
    assert reply["type"] == "kr.eco2.scan.needs_input"
    assert payload_of(reply, ScanNeedsInput).question


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch):
    from eco2.settings import get_settings
    from tests.domains.llm.fakes.server import FakeProviders

    fakes = FakeProviders()
    fakes.start()
    monkeypatch.setenv("ECO2_LLM__OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("ECO2_LLM__OPENAI_BASE_URL", fakes.openai_base_url)
    monkeypatch.setenv("ECO2_LLM__TIMEOUT_S", "5")
    get_settings.cache_clear()
    yield fakes
    fakes.stop()
    get_settings.cache_clear()


async def _with_model(store: MemoryImageStore, data: bytes, model: str):
    ref = await store.put(data)
    state = ScanState(request=ScanRequested(job_id="job-c", image_ref=ref, model=model))
    return make_event("kr.eco2.scan.requested", state, subject="job-c")


async def test_cloud_model_names_the_item_from_the_image(images: MemoryImageStore, cloud) -> None:
    from tests.domains.llm.fakes import script

    answer = {"item": "투명 생수 페트병", "parts": ["병", "라벨", "뚜껑"], "marks": ["무색페트"]}
    cloud.openai.queue(script.as_json(answer))
    photo = render_photo_without_mark(seed=4)
    reply = await vision.handle(await _with_model(images, photo, "gpt-4.1-mini"))
    result = payload_of(reply, ScanState).vision
    assert result.source == "llm" and result.item == "투명 생수 페트병"
    assert result.parts == ["병", "라벨", "뚜껑"]
    assert "image" in str(cloud.openai.received[0].body)  # the photo went to the model


async def test_failing_cloud_model_falls_back_to_reading_the_mark(
    images: MemoryImageStore, cloud
) -> None:
    from tests.domains.llm.fakes import script

    cloud.openai.always(script.server_error(500))
    mark = render_mark(random_spec("캔류", None, seed=3))
    reply = await vision.handle(await _with_model(images, mark, "gpt-4.1-mini"))
    result = payload_of(reply, ScanState).vision
    assert result.source == "ocr" and "캔" in result.text
