"""Situation tags: cues, negations and the category moves they cause."""

from __future__ import annotations

import pytest

from domains.knowledge import classify, load_knowledge
from domains.knowledge.tags import TagMatcher
from domains.knowledge.text import Normaliser
from tests.domains.knowledge.conftest import read_jsonl

EVAL_SETS = ("items.jsonl", "items_holdout.jsonl", "questions.jsonl")


@pytest.fixture(scope="module")
def detect():  # type: ignore[no-untyped-def]
    kb = load_knowledge()
    matcher = TagMatcher.build(kb.tags)
    normalise = Normaliser(kb.synonyms)
    return lambda text: matcher.detect(normalise(text))


@pytest.mark.parametrize(
    ("text", "tag", "present"),
    [
        ("라벨 붙은 페트병", "label", True),
        ("라벨 뗀 페트병", "label", False),
        ("라벨을 떼어낸 생수병", "label", False),
        ("라벨 없는 페트병", "label", False),
        ("라벨 안 뗀 페트병", "label", True),
        ("깨진 유리병", "broken", True),
        ("안 깨진 유리병", "broken", False),
        ("깨지지 않은 유리병", "broken", False),
        ("기름 묻은 피자 박스", "greasy", True),
        ("기름 안 묻은 피자 박스", "greasy", False),
        ("초록색 페트병", "colored", True),
        ("초록 라벨 붙은 투명 페트병", "colored", False),
        ("씻어도 안 지워지는 배달 용기", "heavy_soil", True),
        ("3인용 소파", "bulky", True),
        ("가스 남은 부탄가스", "gas_left", True),
    ],
)
def test_tag_detection(detect, text: str, tag: str, present: bool) -> None:  # type: ignore[no-untyped-def]
    assert (tag in detect(text)) is present


def test_every_override_maps_between_real_categories() -> None:
    kb = load_knowledge()
    for tag in kb.tags.values():
        for source, target in tag.overrides.items():
            assert source in kb.categories and target in kb.categories
            assert source != target


def test_the_one_pattern_prefilter_finds_what_the_cues_one_by_one_find() -> None:
    # Every evaluation text, every tag cue's own literal parts and every alias: the prefilter
    # must never answer "no cue" where the cue-by-cue search finds a tag.
    kb = load_knowledge()
    fast = TagMatcher.build(kb.tags)
    slow = TagMatcher(tags=fast.tags)  # no prefilter
    normalise = Normaliser(kb.synonyms)
    texts = [row.get("text") or row["question"] for name in EVAL_SETS for row in read_jsonl(name)]
    texts += [tag.name for tag in kb.tags.values()] + [c for t in kb.tags.values() for c in t.cues]
    texts += [alias for entry in kb.lexicon for alias in (entry.name, *entry.aliases)]
    tagged = 0
    for text in map(normalise, texts):
        assert fast.detect(text) == slow.detect(text), text
        tagged += bool(slow.detect(text))
    assert tagged > 50  # the corpus does reach the cues, not only the "no cue" answer


@pytest.mark.parametrize(
    "text",
    ["충전해서 쓰는 칫솔 본체", "충전해 쓰던 휴대용 물총"],
)
def test_a_thing_charged_to_run_is_a_small_appliance(text: str, detect) -> None:  # type: ignore[no-untyped-def]
    assert "battery_inside" in detect(text)
    assert classify(text).category == "electronics"


def test_a_rechargeable_cell_stays_a_battery() -> None:
    assert classify("충전해서 쓰는 건전지").category == "battery"


@pytest.mark.parametrize("text", ["반찬 싸놨던 비닐", "생선 덮어뒀던 랩", "핏물 묻은 지퍼백"])
def test_film_that_held_food_is_soiled(text: str, detect) -> None:  # type: ignore[no-untyped-def]
    assert "food_soiled" in detect(text)
    assert classify(text).category == "general"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("주방 천장에 달려 있던 LED 조명", "non_combustible"),  # the whole fitting
        ("사각 패널 모양 LED 등", "non_combustible"),  # a flat one, by its shape
        ("천장 LED 전구 나간 거", "lighting"),  # a bulb stays with lighting
        ("LED 전구 다 쓴 거", "lighting"),
    ],
)
def test_led_fittings_by_shape_are_non_combustible(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("태블릿 배터리 분리 안 되는 거", "electronics"),
        ("내장형 배터리 무선 마우스", "electronics"),
        ("휴대폰 배터리 빼낸 거", "battery"),  # the cell taken out is the thing
    ],
)
def test_a_battery_that_does_not_come_out_goes_with_its_device(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    "text", ["화장지 다 쓰고 나온 갈색 원통", "키친타월 다 쓴 속심", "랩 다 쓰고 남은 심"]
)
def test_the_core_of_a_used_roll_is_paper(text: str) -> None:
    assert classify(text).category == "paper"


def test_a_used_roll_without_its_core_keeps_its_stream() -> None:
    assert classify("휴지 다 쓴 거").category == "general"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("빨대 꽂는 작은 종이 주스 용기", "paper_pack"),
        ("빨대 달린 종이 두유 팩 모아둔 거", "paper_pack"),
        ("우유 상자 (종이 박스)", "paper"),  # a box of cartons is a box
    ],
)
def test_a_paper_box_that_held_a_drink_is_a_carton(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("병이 파란색인 스포츠음료 페트", "plastic"),
        ("투명한 이온음료 페트 파란 뚜껑", "clear_pet"),  # the cap's colour is not the bottle's
        ("이온음료 페트 파란 라벨", "clear_pet"),
    ],
)
def test_a_coloured_pet_bottle_is_plastic(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("등산하고 다 마신 투명한 플라스틱 생수 병", "clear_pet"),
        ("사이다 들어있던 투명 일회용 플라스틱 병", "clear_pet"),
        ("간장 담긴 투명 플라스틱 병", "plastic"),  # no drink: plastic
    ],
)
def test_a_clear_plastic_bottle_that_held_a_drink_is_clear_pet(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("모니터 박스에서 나온 하얀 모서리 조각", "styrofoam"),
        ("냉장고 상자 안에 있던 흰 받침", "styrofoam"),
        ("복숭아 하나씩 감싸는 폭신한 그물", "styrofoam"),
        ("박스 안에 하얀 종이 완충재", "paper"),  # paper said: paper
        ("택배 상자 흰색", "paper"),  # the box itself
    ],
)
def test_white_packing_foam_from_a_box_is_styrofoam(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    "text",
    ["벽시계에서 뺀 동그란 약", "도어락에 들어있던 납작한 전지", "차키에서 나온 작은 배터리"],
)
def test_a_cell_taken_out_of_a_device_is_a_battery(text: str) -> None:
    assert classify(text).category == "battery"
