"""Particles follow the word's last sound: 은/는, 이/가, 을/를, 으로/로 (ㄹ takes 로)."""

from __future__ import annotations

import pytest

from domains.knowledge import classify, guidance
from domains.knowledge.josa import attach, particle


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("페트병", "은/는", "페트병은"),
        ("비닐", "은/는", "비닐은"),
        ("종이", "은/는", "종이는"),
        ("유리병", "이/가", "유리병이"),
        ("캔", "을/를", "캔을"),
        ("우유팩", "을/를", "우유팩을"),
        ("스티로폼", "을/를", "스티로폼을"),
        ("플라스틱류", "으로/로", "플라스틱류로"),
        ("비닐류", "으로/로", "비닐류로"),
        ("유리병", "으로/로", "유리병으로"),
        ("종이팩", "으로/로", "종이팩으로"),
        ("음식물", "으로/로", "음식물로"),  # ㄹ takes 로
        ("PP", "은/는", "PP는"),
        ("'생수병'", "은/는", "'생수병'은"),  # quotes are skipped
        ("건전지", "과/와", "건전지와"),
    ],
)
def test_particle_follows_the_last_sound(word: str, pair: str, expected: str) -> None:
    assert attach(word, pair) == expected


def test_unknown_pair_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown particle"):
        particle("병", "에/에서")


@pytest.mark.parametrize("text", ["다 마신 삼다수 병", "신라면 봉지", "깨진 유리컵", "건전지"])
def test_guidance_never_writes_both_forms(text: str) -> None:
    written = guidance(classify(text))
    for both in ("은(는)", "이(가)", "을(를)", "(으)로"):
        assert both not in written
    first = written.splitlines()[0]
    assert "은 " in first or "는 " in first  # the item's topic particle was chosen
