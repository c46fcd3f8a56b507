"""Head-noun resolution, states and confidence added in the items3 round (issue 20).

Each case is a pattern, not an evaluation line: the words differ from the sets' lines.
"""

from __future__ import annotations

import pytest

from domains.knowledge import classify


@pytest.mark.parametrize(
    ("text", "category", "why"),
    [
        ("생수병 뚜껑만 모아둔 것", "plastic", "뚜껑만: only the part is meant"),
        ("샴푸통 펌프 부분만 뺀 거", "general", "펌프 부분만: the pump"),
        ("택배 박스 송장이랑 테이프 다 떼어냄", "paper", "things taken off in the box's clause"),
        ("쿠팡상자테이프송장뗌", "paper", "the same unspaced"),
        ("달걀 껍데기 음식물 아니지?", "general", "음식물 아니지: a destination, not the item"),
        ("종이컵 말고 플라스틱 컵", "plastic", "말고: set aside"),
        ("갈색 종이 구겨진 것", "paper", "색종이 hides across the space"),
        ("사이다 캔 헹군 거", "metal", "캔 after a drink name is the can"),
        ("생선뼈 발라낸 거", "general", "생선 inside a removed name is not named"),
        ("다 마신 투명 음료수 병", "clear_pet", "a bare 병 said to hold a clear drink"),
        ("와인 병", "glass", "a bare 병 otherwise glass"),
        ("찌그러진 스텐 도시락통", "metal", "a material right before a container"),
        ("전단지 코팅 안된 거", "paper", "코팅 안된 negates coated"),
        ("영양제 플라스틱 통 알약 싹 먹음", "plastic", "싹 between a noun and its verb"),
        ("페트병 라벨 띠고 헹굼", "clear_pet", "띠고 misspells 떼고"),
    ],
)
def test_item_resolution(text: str, category: str, why: str) -> None:
    assert classify(text).category == category, why


def test_an_action_lowers_a_clear_answer_below_the_line() -> None:
    plain = classify("다 마신 생수 페트병")
    acted = classify("휴대폰에서 분리된 배터리")
    assert plain.evidence == "lexicon_clear" and plain.confidence >= 0.9
    assert acted.category == "battery"
    assert acted.confidence < 0.9


def test_a_material_answer_is_below_the_line_and_offers_the_usual_stream() -> None:
    found = classify("알루미늄 도시락통")
    assert (found.category, found.evidence) == ("metal", "lexicon_material")
    assert found.confidence < 0.9
    assert found.choices[0] == "metal"
