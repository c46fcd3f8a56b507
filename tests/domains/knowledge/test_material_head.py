"""A material said before a thing made in several materials decides its stream, kept under the
0.9 line; the head is what is thrown away, not where it was or what wrapped it. Phrasings of
their own, not lines of the sets."""

from __future__ import annotations

import pytest

from domains.knowledge import classify


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("초록 유리 비타민 병", "glass"),  # glass that held something
        ("유리 보온 텀블러", "non_combustible"),  # glassware is not glass collection
        ("스티로폼 반찬 용기", "styrofoam"),
        ("pp 필름 포장재 뭉치", "vinyl"),  # the word nearest the head counts
        ("알루미늄 큰 쟁반", "metal"),  # an adjective may sit between
        ("반찬통 (강화유리)", "non_combustible"),  # said in brackets
    ],
)
def test_a_material_before_the_head_decides_under_the_line(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.confidence < 0.9


def test_a_lacking_material_does_not_decide() -> None:
    assert classify("비닐 없는 종이 봉투").category == "paper"


def test_what_wrapped_the_item_is_not_the_item() -> None:
    assert classify("깨진 와인병 신문지에 쌌어").category == "non_combustible"


def test_what_was_inside_is_the_item() -> None:
    assert classify("노트북 박스 안에 있던 흰 폼").category == "styrofoam"


def test_soil_that_may_wash_off_keeps_the_answer_under_the_line() -> None:
    found = classify("양념 묻은 비닐봉지")
    assert found.category == "vinyl" and found.confidence < 0.9
    assert classify("양념 묻어서 안 씻기는 반찬 용기").category == "general"
