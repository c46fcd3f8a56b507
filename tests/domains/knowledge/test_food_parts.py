"""A hard part of food said apart from the food's name is general waste, under the 0.9 line,
with food as the other choice; the food itself, a soft skin, or a part taken out stays food.
Phrasings of their own, not lines of the sets."""

from __future__ import annotations

import pytest

from domains.knowledge import classify
from domains.knowledge.food_parts import container_not_the_thing, hard_part


@pytest.mark.parametrize(
    "text",
    [
        "자두 먹고 남은 씨앗",
        "체리 먹고 뱉은 씨",
        "아보카도 가운데 큰 씨",
        "치킨 먹고 남은 뼈랑 양념",
        "마늘 까고 남은 껍질",
        "살구 먹고 남은 가운데 단단한 부분",
        "삶은 메추리알 까고 나온 껍데기",
        "달걀 프라이 하고 남은 껍질",
    ],
)
def test_a_hard_part_said_after_the_food_is_general(text: str) -> None:
    found = classify(text)
    assert found.category == "general"
    assert found.confidence < 0.9


def test_the_food_stays_the_other_choice() -> None:
    assert classify("체리 먹고 뱉은 씨").choices == ["general", "food"]


@pytest.mark.parametrize(
    "text",
    [
        "씨 없는 포도 먹다 남은 거",  # no pit at all
        "씨 발라낸 복숭아",  # the fruit, the pit taken out
        "복숭아 물러진 거, 씨는 따로 뺌",
        "귤 까고 남은 껍질",  # a fruit's peel is food
        "밤에 먹다 남은 귤 껍질",  # "밤" here is the night, not a chestnut
        "수박 먹고 남은 씨",  # small soft seeds go with the fruit
        "파프리카 손질하고 남은 씨",  # and with the vegetable
        "아저씨가 준 사과 남은 거",  # "씨" inside a word
        "시금치 데친 거 (뿌리는 잘라서 따로)",
    ],
)
def test_the_food_itself_stays_food(text: str) -> None:
    assert hard_part(text, food_named=True) is None


def test_a_shell_of_no_food_named_is_a_shell_but_a_skin_is_not() -> None:
    assert hard_part("먹고 남은 껍데기", food_named=False) == "껍데기"
    assert hard_part("먹고 남은 껍질", food_named=False) is None


@pytest.mark.parametrize(
    ("text", "container"),
    [
        ("동그랑땡 부친 거 한 접시 남음", "non_combustible"),  # a plate as the measure
        ("라따뚜이 만들어 먹고 남은 거 한 냄비", "metal"),
    ],
)
def test_food_left_over_with_a_container_as_measure_is_food(text: str, container: str) -> None:
    found = classify(text)
    assert found.category == "food"
    assert found.confidence < 0.9
    assert found.choices == ["food", container]


def test_a_container_set_aside_leaves_the_leftover_food() -> None:
    assert container_not_the_thing("밥 먹다 남긴 거 (그릇 말고 밥만)", "밥")
    assert container_not_the_thing("잡채 남은 거 반찬통 바닥에", "반찬통")
    assert not container_not_the_thing("떡볶이 먹고 남은 일회용 용기", "일회용용기")


def test_a_container_after_a_meal_is_still_the_container() -> None:
    assert classify("떡볶이 먹고 남은 일회용 용기").category == "plastic"


def test_a_soft_part_of_meat_described_is_food() -> None:
    # A description of peeling fits a peeler; the meat's skin is the thing.
    found = classify("닭 껍질 벗겨낸 거")
    assert found.category == "food" and found.confidence < 0.9
    assert found.choices == ["food", "general"]
