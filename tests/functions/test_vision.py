"""The vision function on the image store: a mark is read, a hint is used, nothing → needs_input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from domains.image import MemoryImageStore
from domains.llm import LLMSettings
from domains.scan.events import ScanNeedsInput, ScanRequested, ScanState
from domains.vision.render import random_spec, render_mark, render_photo_without_mark
from domains.vision.settings import VisionSettings
from eco2.settings import Settings
from eventing.events import make_event, payload_of
from functions.vision import main as vision
from functions.vision.main import Vision


@pytest.fixture
def images() -> MemoryImageStore:
    return MemoryImageStore()


@pytest.fixture
async def stage(images: MemoryImageStore) -> AsyncIterator[Vision]:
    """The stage built by its factory, on the in-memory image store."""
    built = vision.new(Settings(_env_file=None), images=images)  # type: ignore[call-arg]
    await built.start()
    yield built
    await built.stop()


def test_the_module_keeps_no_state() -> None:
    a = vision.new(Settings(_env_file=None), images=MemoryImageStore())  # type: ignore[call-arg]
    b = vision.new(Settings(_env_file=None), images=MemoryImageStore())  # type: ignore[call-arg]
    assert a.images is not b.images and a.llm is not b.llm and a.budget is not b.budget


async def requested(store: MemoryImageStore, data: bytes, hint: str | None = None):
    ref = await store.put(data)
    state = ScanState(request=ScanRequested(job_id="job-v", image_ref=ref, hint=hint))
    return make_event("kr.eco2.scan.requested", state, subject="job-v")


async def test_mark_is_read_without_a_hint(images: MemoryImageStore, stage: Vision) -> None:
    mark = render_mark(random_spec("캔류", None, seed=3))
    reply = await stage.handle(await requested(images, mark))
    assert reply["type"] == "kr.eco2.scan.vision.completed"
    result = payload_of(reply, ScanState).vision
    assert result.source == "ocr" and "캔" in result.text


async def test_hint_identifies_a_photo_without_a_mark(
    images: MemoryImageStore, stage: Vision
) -> None:
    photo = render_photo_without_mark(seed=1)
    reply = await stage.handle(await requested(images, photo, "다 마신 삼다수 병"))
    result = payload_of(reply, ScanState).vision
    assert reply["type"] == "kr.eco2.scan.vision.completed"
    assert result.source == "hint" and "삼다수" in result.text


async def test_no_mark_and_no_hint_asks_what_the_item_is(
    images: MemoryImageStore, stage: Vision
) -> None:
    reply = await stage.handle(await requested(images, render_photo_without_mark(seed=2)))
    assert reply["type"] == "kr.eco2.scan.needs_input"
    assert payload_of(reply, ScanNeedsInput).question


@pytest.fixture
def cloud():
    from tests.domains.llm.fakes.server import FakeProviders

    fakes = FakeProviders()
    fakes.start()
    yield fakes
    fakes.stop()


@pytest.fixture
async def cloud_stage(images: MemoryImageStore, cloud) -> AsyncIterator[Vision]:
    """The stage with an OpenAI key pointing at the local wire-format server."""
    llm = LLMSettings(openai_api_key="test-key", openai_base_url=cloud.openai_base_url, timeout_s=5)  # type: ignore[arg-type]
    built = vision.new(Settings(_env_file=None, llm=llm), images=images)  # type: ignore[call-arg]
    await built.start()
    yield built
    await built.stop()


async def _with_model(store: MemoryImageStore, data: bytes, model: str):
    ref = await store.put(data)
    state = ScanState(request=ScanRequested(job_id="job-c", image_ref=ref, model=model))
    return make_event("kr.eco2.scan.requested", state, subject="job-c")


async def test_cloud_model_names_the_item_from_the_image(
    images: MemoryImageStore, cloud, cloud_stage: Vision
) -> None:
    from tests.domains.llm.fakes import script

    answer = {"item": "투명 생수 페트병", "parts": ["병", "라벨", "뚜껑"], "marks": ["무색페트"]}
    cloud.openai.queue(script.as_json(answer))
    photo = render_photo_without_mark(seed=4)
    reply = await cloud_stage.handle(await _with_model(images, photo, "gpt-4.1-mini"))
    result = payload_of(reply, ScanState).vision
    assert result.source == "llm" and result.item == "투명 생수 페트병"
    assert result.parts == ["병", "라벨", "뚜껑"]
    assert "image" in str(cloud.openai.received[0].body)  # the photo went to the model


async def test_failing_cloud_model_falls_back_to_reading_the_mark(
    images: MemoryImageStore, cloud, cloud_stage: Vision
) -> None:
    from tests.domains.llm.fakes import script

    cloud.openai.always(script.server_error(500))
    mark = render_mark(random_spec("캔류", None, seed=3))
    reply = await cloud_stage.handle(await _with_model(images, mark, "gpt-4.1-mini"))
    result = payload_of(reply, ScanState).vision
    assert result.source == "ocr" and "캔" in result.text


class GatedStore(MemoryImageStore):
    """Records fetches; a fetch of a gated reference waits until its gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    async def get(self, ref: str) -> bytes:
        self.fetched.append(ref)
        if ref in self.gates:
            await self.gates[ref].wait()
        return await super().get(ref)


async def test_an_image_past_the_budget_is_fetched_only_when_bytes_are_free() -> None:
    store = GatedStore()
    settings = Settings(_env_file=None, vision=VisionSettings(inflight_image_mb=1))  # type: ignore[call-arg]
    stage = vision.new(settings, images=store)
    try:
        marks = [render_mark(random_spec("캔류", None, seed=seed)) for seed in (3, 5)]
        refs = [await store.put(data) for data in marks]
        store.gates[refs[0]] = asyncio.Event()

        def scan(ref: str, job: str):
            # Each says it is 768 KiB: two do not fit in 1 MiB at once.
            request = ScanRequested(job_id=job, image_ref=ref, image_bytes=768 * 1024)
            event = make_event("kr.eco2.scan.requested", ScanState(request=request), subject=job)
            return asyncio.create_task(stage.handle(event))

        first = scan(refs[0], "job-a")
        await asyncio.sleep(0.01)
        second = scan(refs[1], "job-b")
        await asyncio.sleep(0.05)
        assert store.fetched == [refs[0]]  # the second waits for the first's bytes
        store.gates[refs[0]].set()
        replies = await asyncio.gather(first, second)
        assert store.fetched == refs
        assert all(r["type"] == "kr.eco2.scan.vision.completed" for r in replies)
    finally:
        await stage.stop()
