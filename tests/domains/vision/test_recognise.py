"""The vision stage's answer: a mark, a hint, both, or a question back."""

from __future__ import annotations

from pathlib import Path

import pytest

from domains.vision.ocr import MarkReading, TessdataMissing, check_tessdata, read_mark
from domains.vision.recognise import QUESTION, combine, recognise
from domains.vision.render import MarkSpec, render_mark, render_photo_without_mark
from domains.vision.settings import VisionSettings
from domains.vision.validation import NotAnImage


def test_photo_without_mark_and_no_hint_needs_input() -> None:
    result = recognise(render_photo_without_mark(seed=1))
    assert result.needs_input and result.question == QUESTION
    assert (result.source, result.item, result.marks) == ("none", None, [])


def test_photo_without_mark_with_hint_is_identified_by_the_hint() -> None:
    result = recognise(render_photo_without_mark(seed=1), "다 마신 삼다수 병")
    assert not result.needs_input and result.question is None
    assert (result.source, result.item, result.text) == (
        "hint",
        "다 마신 삼다수 병",
        "다 마신 삼다수 병",
    )
    assert result.category_hint is None


def test_mark_alone_and_mark_with_hint() -> None:
    image = render_mark(MarkSpec(word="무색페트", rotation=5, seed=2))
    alone = recognise(image)
    assert (alone.source, alone.category_hint, alone.marks) == ("ocr", "clear_pet", ["무색페트"])
    both = recognise(image, "  생수병  ")
    assert (both.source, both.item, both.category_hint) == ("ocr+hint", "생수병", "clear_pet")
    assert "무색페트" in both.text and "생수병" in both.text


def test_blank_hint_counts_as_no_hint() -> None:
    assert combine(MarkReading(), "   ").needs_input


def test_weak_reading_does_not_identify_the_item() -> None:
    weak = MarkReading(words=["PP"], raw_text="PP", category="plastic", mark="PP", confidence=0.6)
    assert combine(weak, None).needs_input
    assert combine(weak, "요거트 컵").source == "hint"


def test_bad_upload_raises_before_ocr() -> None:
    with pytest.raises(NotAnImage):
        recognise(b"not an image at all, just some bytes")


def test_missing_korean_model_names_the_package(tmp_path: Path) -> None:
    settings = VisionSettings(tessdata_path=str(tmp_path))
    with pytest.raises(TessdataMissing, match="tesseract-ocr-kor"):
        check_tessdata(settings)
    with pytest.raises(TessdataMissing):
        read_mark(render_mark(MarkSpec(word="유리")), settings=settings)
