"""The vision function on the image store: a mark is read, a hint is used, nothing → needs_input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domains.image import MemoryImageStore
from domains.vision.render import random_spec, render_mark, render_photo_without_mark
from eventing.events import ScanNeedsInput, ScanRequested, ScanState, make_event, payload_of
from eventing.runtime.loop import LoopThread
from functions.vision import main as vision


@pytest.fixture
def images() -> Iterator[MemoryImageStore]:
    store, loop = MemoryImageStore(), LoopThread()
    vision.use(store, loop)
    yield store
    vision.stop()


def requested(store: MemoryImageStore, data: bytes, hint: str | None = None):
    ref = vision._loop.run(store.put(data), timeout=5)
    state = ScanState(request=ScanRequested(job_id="job-v", image_ref=ref, hint=hint))
    return make_event("kr.eco2.scan.requested", state, subject="job-v")


def test_mark_is_read_without_a_hint(images: MemoryImageStore) -> None:
    mark = render_mark(random_spec("캔류", None, seed=3))
    reply = vision.handle(requested(images, mark))
    assert reply["type"] == "kr.eco2.scan.vision.completed"
    result = payload_of(reply, ScanState).vision
    assert result.source == "ocr" and "캔" in result.text


def test_hint_identifies_a_photo_without_a_mark(images: MemoryImageStore) -> None:
    reply = vision.handle(requested(images, render_photo_without_mark(seed=1), "다 마신 삼다수 병"))
    result = payload_of(reply, ScanState).vision
    assert reply["type"] == "kr.eco2.scan.vision.completed"
    assert result.source == "hint" and "삼다수" in result.text


def test_no_mark_and_no_hint_asks_what_the_item_is(images: MemoryImageStore) -> None:
    reply = vision.handle(requested(images, render_photo_without_mark(seed=2)))
    assert reply["type"] == "kr.eco2.scan.needs_input"
    assert payload_of(reply, ScanNeedsInput).question
