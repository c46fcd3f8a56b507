"""A hard part of food said apart from the food's name is general waste, under the 0.9 line,
with food as the other choice; the food itself, a soft skin, or a part taken out stays food.
Phrasings of their own, not lines of the sets."""

from __future__ import annotations

import pytest

from domains.knowledge import classify
from domains.knowledge.food_parts import hard_part


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
        "아저씨가 준 사과 남은 거",  # "씨" inside a word
        "시금치 데친 거 (뿌리는 잘라서 따로)",
    ],
)
def test_the_food_itself_stays_food(text: str) -> None:
    assert hard_part(text, food_named=True) is None


def test_a_shell_of_no_food_named_is_a_shell_but_a_skin_is_not() -> None:
    assert hard_part("먹고 남은 껍데기", food_named=False) == "껍데기"
    assert hard_part("먹고 남은 껍질", food_named=False) is None
