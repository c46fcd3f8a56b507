"""A stream or another item named as where the thing goes or what it is compared with ("X이랑
같이 버려?", "X로 내놔도 돼?", "X 아냐?", "X야?") is not the thing; the other noun is.
Phrasings of their own, not lines of the sets."""

from __future__ import annotations

import pytest

from domains.knowledge import classify
from domains.knowledge.text import analysis, compact, head_span


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("와인잔 깨진 거 유리병이랑 같이 내놔도 되나", "non_combustible"),
        ("깨진 뚝배기 유리병이랑 같이 버리면 되나", "non_combustible"),
        ("요구르트병 플라스틱이야?", "plastic"),
        ("스테인리스 수저 고철 맞아?", "metal"),
        ("양은 냄비 고철 아냐?", "metal"),
        ("택배 상자 종이류로 내면 돼?", "paper"),
        ("고무장갑 구멍 났는데 비닐이야 일반이야?", "general"),
    ],
)
def test_the_stream_asked_about_is_not_the_thing(text: str, category: str) -> None:
    assert classify(text).category == category


def test_a_stream_named_alone_still_names_the_thing() -> None:
    assert classify("이거 투명페트야?").category == "clear_pet"


@pytest.mark.parametrize(
    "text",
    [
        "장롱 버리려면 스티커 얼마야?",
        "식탁 내놓으려면 스티커 사서 붙이면 돼?",
        "소파 스티커 어디서 사?",
    ],
)
def test_the_fee_sticker_asked_about_is_not_the_thing(text: str) -> None:
    # "얼마야" asks the price of the bulky-waste sticker; the furniture is thrown away.
    assert classify(text).category == "bulk"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("피클 병 뚜껑 따고 씻어놨어", "glass"),  # the cap opened off: the jar is the thing
        ("생수병 라벨 까고 헹군 거", "clear_pet"),  # the label peeled off: the bottle
        ("생수병 뚜껑만 따로 모은 거", "plastic"),  # "따로" is apart, not opened: the caps
        ("과자 낱개 포장지 다 까고 모아둠", "vinyl"),  # the wrapper opened stays the thing
    ],
)
def test_a_part_opened_or_peeled_off_leaves_the_item(text: str, category: str) -> None:
    assert classify(text).category == category


def test_a_stream_asked_as_one_word_is_asked_about_whole() -> None:
    # "일반쓰레기" (Kiwi: 일반 + 쓰레기) is asked about; its first half is no head noun.
    text = "라면봉지 일반쓰레기 아녀?"
    span = head_span(text, list(analysis(text)))
    assert span is not None and compact(text)[span[0] : span[1]] == "봉지"


def test_what_a_thing_goes_with_takes_its_bare_noun_along() -> None:
    text = "멸균 두유팩 이거 일반 종이팩이랑 같이 버려?"
    span = head_span(text, list(analysis(text)))
    assert span is not None and compact(text)[span[0] : span[1]] == "팩"
    assert span[1] <= compact(text).index("이거")


def test_the_subject_of_a_negated_verb_is_no_head() -> None:
    text = "보조배터리 이제 충전이 안 되는데 건전지랑 같이 버려?"
    span = head_span(text, list(analysis(text)))
    assert span is not None and compact(text)[span[0] : span[1]] != "충전"
