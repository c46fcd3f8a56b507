"""Seventh round (items7): the everyday names of lexicon/everyday7.yaml, the English words and
misspellings added to the synonym tables, and the short words deliberately left out because they
hide inside other words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domains.knowledge import classify
from domains.knowledge.loader import DATA_DIR

_EVERYDAY7 = DATA_DIR / "lexicon" / "everyday7.yaml"


def _names(path: Path) -> list[tuple[str, str]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(item, group["category"]) for group in document["groups"] for item in group["items"]]


def test_every_name_of_the_file_answers_its_own_stream() -> None:
    # A name shadowed by an older alias, or rewritten by a synonym into another item's name,
    # would answer some other stream when typed on its own.
    names = _names(_EVERYDAY7)
    assert len(names) >= 1500
    wrong = [(n, c, classify(n).category) for n, c in names if classify(n).category != c]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("다 쓴 모카포트", "metal"),
        ("찌그러진 양푼", "metal"),
        ("캠핑 코펠 세트 낡은 거", "metal"),
        ("손목시계 전지 다 됨", "battery"),
        ("태권도 도복 작아짐", "clothing"),
        ("고장 난 원액기", "electronics"),
        ("충전해서 쓰는 칫솔 본체", "electronics"),
        ("모기 잡는 전기 라켓 망가짐", "electronics"),
        ("안 쓰는 시디즈 의자", "bulk"),
        ("안 치는 클래식 기타", "bulk"),
        ("빨때 여러 개", "general"),
        ("바퀴 달린 운동화", "general"),
        ("복어 내장", "general"),
        ("먹다 남은 떡볶이", "food"),
        ("복숭아씨 모아둔 거", "general"),
        ("석고보드 조각", "construction"),
        ("욕실 리모델링 잔재", "construction"),
        ("코렐 접시 이 빠진 거", "non_combustible"),
        ("원형 led 등", "non_combustible"),
        ("남은 오일스테인", "hazardous"),
        ("계란판 플라스틱 투명한 거", "plastic"),
        ("까만 봉다리 한 뭉치", "vinyl"),
        ("스티로폼 그물망", "styrofoam"),
        ("연세우유 팩", "paper_pack"),
        ("무라벨 생수", "clear_pet"),
        ("빈 굴소스 병", "glass"),
        ("종이 완충재", "paper"),
        ("고장 난 안마의자", "electronics"),
        ("명절 선물세트 트레이", "plastic"),
        ("기저귀 휴지통 매직캔", "plastic"),
        ("펩시 캔 씻은 거", "metal"),
        ("옛날 레코드판", "general"),
        ("대나무 찜기 곰팡이 핌", "general"),
        ("돌솥 금 간 거", "non_combustible"),
        ("스노우체인 녹슨 거", "metal"),
        ("멜라민 쟁반 금 간 거", "general"),
        ("콜라깡 찌그러트린 거", "metal"),
        ("와이샤츠 목 늘어난 거", "clothing"),
        ("히츠 다 핀 거", "general"),
        ("후르츠컵 빈 거", "plastic"),
        ("제사 음식 남은 거", "food"),
        ("앵두전구 고장", "electronics"),
        ("운동화 상자 빈 거", "paper"),
        ("fpl 램프 나감", "lighting"),
        ("스웰링 배터리", "battery"),
        ("귀리 우유 팩 헹굼", "paper_pack"),
        ("유통기한 지난 항생제", "hazardous"),
        ("욕실 천장재 뜯은 거", "construction"),
        ("깨진 유리 전등갓", "non_combustible"),
        ("이불 압축팩 찢어짐", "vinyl"),
        ("음쓰통 금 간 거", "plastic"),
        ("케틀벨 녹슨 거", "metal"),
        ("치킨무 용기 헹굼", "plastic"),
        ("삼각김밥 비닐", "vinyl"),
        ("퇴비 포대 빈 거", "vinyl"),
        ("콩나물무침 남은 거", "food"),
        ("실내화 가방 낡은 거", "clothing"),
        ("고장 난 리모컨", "electronics"),
        ("리모컨 밧데리 다 된 거", "battery"),
        ("모래시계 깨짐", "non_combustible"),
        ("빨래비누 조금 남은 거", "general"),
        ("욕실 거울장 버림", "bulk"),
    ],
)
def test_everyday_names_of_the_seventh_round(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("take out 컵", "plastic"),
        ("coffee machine 고장", "electronics"),
        ("smart watch 액정 깨짐", "electronics"),
        ("phone case 말랑한 거", "plastic"),
        ("bean bag 터짐", "bulk"),
        ("power strip 탄 거", "electronics"),
        ("자전거 chain 끊어진 거", "metal"),
        ("avocado 씨", "general"),
        ("spaghetti 면 불은 거", "food"),
        ("lacquer 스프레이 캔 남은 거", "hazardous"),
        ("캠핑 이소 gas 다 쓴 통", "metal"),
    ],
)
def test_english_words_mixed_in(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("베터리 교체하고 남은 거", "battery"),
        ("스티로퐁 박스", "styrofoam"),
        ("펫트병 라벨 뗌", "clear_pet"),
        ("에어후라이기 고장", "electronics"),
    ],
)
def test_common_misspellings_are_read_as_the_word(text: str, category: str) -> None:
    assert classify(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # "한지" would be read across "기한 지난", "빈병" would make every empty bottle glass,
        # "칸막이" would make a foam divider furniture, "양념" a stained container food.
        ("유통기한 지난 떡", "food"),
        ("작은 생수 330ml 빈병", "clear_pet"),
        ("야쿠르트 빈 병", "plastic"),
        ("배 포장된 스티로폼 칸막이", "styrofoam"),
        ("떡볶이 배달용기 빨간 양념 안 빠짐", "general"),
        ("다기능 믹서기", "electronics"),
        ("라텍스 장갑 한 켤레", "general"),
        ("대형폐기물 사전 신고 했는데 장롱", "bulk"),
        ("애들 로봇 장난감 건전지 빼고 나니까 플라스틱이랑 쇠 섞여있어", "general"),
        # A device named with its battery is the device when the battery was taken out.
        ("무선 마우스 건전지 빼놨음", "electronics"),
        ("프린타 잉크 안나오는거", "electronics"),
    ],
)
def test_short_words_left_out_do_not_take_longer_phrases(text: str, category: str) -> None:
    assert classify(text).category == category


def test_a_material_word_after_a_named_box_stays_a_remark() -> None:
    # "상자 종이" as a name would take the box's place and lower a sure answer.
    c = classify("과자 상자 종이 맞져? 분리배출 되요?")
    assert (c.category, c.item) == ("paper", "과자 상자")
    assert c.confidence >= 0.9
