"""Fuzzy matching of OCR text against the mark vocabulary."""

from __future__ import annotations

import pytest

from domains.vision.marks import MARK_CHARSET, MARK_WORDS, jamo, match_mark


def test_jamo_decomposes_hangul_and_keeps_latin() -> None:
    assert jamo("캔PP") == "ㅋㅐㄴPP"
    assert jamo("무색") == "ㅁㅜㅅㅐㄱ"


@pytest.mark.parametrize(
    ("text", "word", "code", "category"),
    [
        ("무색페트", "무색페트", None, "clear_pet"),
        ("유색페트", "유색페트", None, "plastic"),
        ("페트", "페트", None, "clear_pet"),
        ("플라스틱\nPP", "플라스틱", "PP", "plastic"),
        ("플라스틱 0THER", "플라스틱", "OTHER", "plastic"),
        ("비닐류 PE", "비닐류", "PE", "vinyl"),
        ("캔류\n알미늄", "캔류", "알미늄", "metal"),
        ("종이팩", "종이팩", None, "paper_pack"),  # longer word wins the tie with 종이
        ("종이", "종이", None, "paper"),
        ("멸균팩", "멸균팩", None, "paper_pack"),
        ("유리병", "유리병", None, "glass"),
        ("스티로폼", "스티로폼", None, "styrofoam"),
    ],
)
def test_exact_words(text: str, word: str, code: str | None, category: str) -> None:
    match = match_mark(text)
    assert (match.word, match.code, match.category) == (word, code, category)
    assert match.score == 1.0


def test_a_misread_letter_still_matches() -> None:
    match = match_mark("캔루")  # ㅠ read as ㅜ
    assert (match.word, match.category) == ("캔류", "metal") and 0.72 <= match.score < 1.0


def test_code_alone_gives_a_weaker_category() -> None:
    match = match_mark("PP")
    assert (match.word, match.code, match.category, match.score) == (None, "PP", "plastic", 0.6)


@pytest.mark.parametrize("text", ["", "   ", "이", "하늘", "abc"])
def test_noise_matches_nothing(text: str) -> None:
    match = match_mark(text)
    assert match.category is None and match.mark is None


def test_charset_covers_every_word() -> None:
    assert all(ch in MARK_CHARSET for word in MARK_WORDS for ch in word)
    assert set(MARK_WORDS.values()) <= {
        "clear_pet",
        "plastic",
        "vinyl",
        "metal",
        "glass",
        "paper",
        "paper_pack",
        "styrofoam",
    }


def test_a_longer_word_of_another_stream_wins_over_the_short_word_it_holds() -> None:
    match = match_mark("유페트")  # 유색페트 with 색 lost, not 페트 with a stray letter
    assert (match.word, match.category) == ("유색페트", "plastic")
    assert match_mark("이페트").category == "clear_pet"  # too far from 유색페트
    assert match_mark("색페트").category == "clear_pet"  # 무색페트 as much as 유색페트
    assert match_mark("종이").category == "paper"  # 종이팩 matches only 0.77


def test_a_one_letter_code_counts_alone_only() -> None:
    assert match_mark("철").category == "metal"
    assert match_mark("로철").category is None  # a stroke read as 철 beside another letter
