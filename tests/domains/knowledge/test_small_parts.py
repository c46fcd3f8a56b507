"""A piece of a bulky thing named after it is metal or general waste, under the 0.9 line,
bulky second; a named part with a state stays the whole thing. Phrasings of their own."""

from __future__ import annotations

import pytest

from domains.knowledge import classify
from domains.knowledge.small_parts import small_part


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("녹슨 철제 책장 부품 몇 개", "metal"),
        ("원목 책장 조각 작은 거", "general"),
    ],
)
def test_a_piece_of_a_bulky_thing_goes_in_a_bag(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.confidence < 0.9
    assert found.choices == [category, "bulk"]


def test_a_piece_still_on_the_thing_leaves_the_whole() -> None:
    assert small_part("책장 부품 달린 채", 2) is None
    assert small_part("책장 바퀴 빠진 거", 2) is None  # a part with a state: the whole
