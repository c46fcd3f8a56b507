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
    # Soiled film is general waste (vinyl.json: 오염된 비닐), the film's stream second.
    found = classify("양념 묻은 비닐봉지")
    assert found.category == "general" and found.confidence < 0.9
    assert found.choices == ["general", "vinyl"]
    assert classify("양념 묻은 비닐봉지 헹궈서 말림").category == "vinyl"
    assert classify("치즈 묻은 플라스틱 용기").category == "plastic"  # a tub rinses clean
    assert classify("양념 묻어서 안 씻기는 반찬 용기").category == "general"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("찌개 끓이던 흙 냄비", "non_combustible"),
        ("옹기 냄비 금 간 거", "non_combustible"),
        ("스텐 냄비 손잡이 헐거운 거", "metal"),
    ],
)
def test_earthenware_pots_are_non_combustible_and_steel_ones_metal(
    text: str, category: str
) -> None:
    assert classify(text).category == category


def test_a_coating_taken_off_as_a_phrase_does_not_count() -> None:
    # The foil sheet was taken out, so the paper box is plain paper again.
    assert classify("영양제 종이 상자 (안쪽 은박 포장은 뺐어)").category == "paper"
    assert classify("은박 코팅된 종이 상자").category == "general"


def test_a_one_letter_name_before_another_head_is_not_a_clear_item() -> None:
    assert classify("옷에 붙어 있던 가격표 끈").confidence < 0.9
    assert classify("캔에 붙어 있던 고리").confidence < 0.9


def test_a_removed_part_pointed_at_again_is_not_a_clear_bottle() -> None:
    assert classify("콜라 페트병 라벨 뗀 거 그거는 어디 버려").confidence < 0.9
    assert classify("콜라 페트병 라벨 뗀 거").confidence >= 0.9  # the bottle, as usual


@pytest.mark.parametrize("text", ["커피 찌꺼기 음식물이야?", "녹차 티백 음쓰 맞지?"])
def test_a_stream_asked_about_is_not_the_item(text: str) -> None:
    # Coffee grounds and tea bags are general waste; "음식물이야?" is the question.
    assert classify(text).category == "general"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("캠핑용 쇠 그물망", "metal"),  # a net made of metal is no onion bag
        ("파이렉스 유리 계량 용기", "non_combustible"),  # heat-resistant glass: the kind decides
        ("유치원 멜라민 그릇 플라스틱이야?", "general"),  # melamine is not plastic collection
        ("페트 재질 take away 컵", "plastic"),  # PET that is no drink bottle
    ],
)
def test_a_material_word_decides_more_heads(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.confidence < 0.9


def test_a_pet_bottle_is_left_to_the_item() -> None:
    assert classify("페트 재질 생수 병").category == "clear_pet"


@pytest.mark.parametrize(
    ("text", "category"),
    [("빈 유리병 콜라", "glass"), ("캔 펩시 씻은 거", "metal"), ("캔 사이다 다 마신 거", "metal")],
)
def test_a_drink_said_with_its_container_is_the_container(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.choices == [category, "clear_pet"] and found.confidence < 0.9


def test_a_container_set_aside_is_not_what_the_drink_came_in() -> None:
    assert classify("유리병 말고 페트 사이다").category == "clear_pet"
