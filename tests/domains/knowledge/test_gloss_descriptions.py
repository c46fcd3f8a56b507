"""Items described by what they do or look like, placed by the glosses (gloss7 round).

The texts are written here, in words the glosses do not use verbatim: each checks that a kind of
description (an appliance by what it does, a packaging part by its shape, a battery or lamp by
its look, a food-waste exception by what is left) reaches its item's stream through a gloss.
"""

from __future__ import annotations

import pytest

from domains.knowledge import classify, load_knowledge


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("찬 음식 넣고 돌리면 따뜻해지는 부엌 기계", "electronics"),
        ("커피 내려먹던 캡슐 기계", "electronics"),
        ("시계 안에 들어있던 작고 동그란 은색 전지", "battery"),
        ("천장에 달린 넓적한 엘이디 조명 떼어냄", "non_combustible"),
        ("계란 담겨 오는 종이 틀", "paper"),
        ("딸기 담겨 있던 투명 곽", "plastic"),
        ("감자칩 다 먹은 봉지", "vinyl"),
        ("배에 씌워져 있던 하얀 그물", "styrofoam"),
        ("도배하면서 뜯어낸 벽 종이", "construction"),
    ],
)
def test_a_description_reaches_its_stream_through_a_gloss(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.method == "gloss"
    assert found.confidence < 0.9  # a description is never asserted like a name


def test_file_folders_are_glossed_where_the_lexicon_puts_them() -> None:
    # 클리어파일 and 플라스틱 파일 are names of the lexicon's 파일철 (general): a gloss under
    # another stream would answer differently for the same thing named or described.
    kb = load_knowledge()
    streams = {g.item: g.category for g in kb.glosses}
    assert streams["클리어파일"] == streams["플라스틱 파일"] == "general"


def test_a_cloth_wrapper_is_glossed_as_fabric() -> None:
    # 보자기 is cloth: the reference rules take fabric (원단류) with clothes.
    kb = load_knowledge()
    assert {g.category for g in kb.glosses if g.item == "보자기"} == {"clothing"}
    assert classify("물건 감싸서 매듭 묶던 천").category == "clothing"
