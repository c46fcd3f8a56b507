"""Glosses: items described by use, look or material rather than named (issue 20, items4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domains.knowledge import ASK_BELOW, KnowledgeError, classify, load_knowledge, read_knowledge
from domains.knowledge.classifier import CONFIDENCE, Classifier
from domains.knowledge.loader import DATA_DIR


def test_glosses_load_one_per_description_and_agree_with_the_lexicon() -> None:
    kb = load_knowledge()
    assert len(kb.glosses) > 700
    streams = {entry.name: entry.category for entry in kb.lexicon}
    toaster = [g for g in kb.glosses if g.item == "토스터"]
    assert {g.text for g in toaster} >= {"빵 굽는 기계"}
    assert all(g.category == "electronics" for g in toaster)
    assert all(streams.get(g.item, g.category) == g.category for g in kb.glosses)


def test_a_gloss_contradicting_the_lexicon_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "glosses.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nfood:\n  - 냉장고: 음식 넣는 차가운 상자\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="냉장고"):
        read_knowledge(data)


def test_a_malformed_gloss_line_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "glosses.yaml").write_text("general:\n  - 설명만 있고 이름이 없음\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="이름: 설명"):
        read_knowledge(data)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("전기로 물 끓이는 기계", "electronics"),  # no name at all
        ("이 사이에 낀 거 빼는 가는 실", "general"),
        ("식빵 두 장 넣고 굽는 기계", "electronics"),  # 식빵 is named, the head is 기계
        ("옷 주름 펴는 기계", "electronics"),  # a one-letter name (옷) that is not the head
        ("수증기 뿜는 기계 고장", "electronics"),  # was a loose typo match (갤럭시)
    ],
)
def test_described_items_are_placed_by_their_gloss(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.method == "gloss" and found.evidence.startswith("gloss")
    assert found.item  # the item the best gloss describes


def test_gloss_confidence_is_under_a_name_match_and_offers_two_choices() -> None:
    gloss_kinds = [k for k in CONFIDENCE if k.startswith("gloss")]
    assert max(CONFIDENCE[k] for k in gloss_kinds) < 0.9 < CONFIDENCE["lexicon_clear"]
    over = classify("식빵 두 장 넣고 굽는 기계")
    assert over.evidence == "gloss_over_name" and over.confidence < ASK_BELOW
    assert over.choices == ["electronics", "food"]  # the description first, then the name
    # A vague description: anything with a plug (the hair dryer and the fan have wordings of
    # their own that fit strongly now).
    weak = classify("코드 꽂는 거 고장남")
    assert weak.category == "electronics" and weak.confidence < ASK_BELOW
    assert len(weak.choices) == 2


def test_a_named_head_item_is_not_second_guessed() -> None:
    found = classify("다 마신 투명 생수 페트병, 라벨 뗐어")
    assert (found.category, found.evidence, found.confidence) == (
        "clear_pet",
        "lexicon_clear",
        0.97,
    )


@pytest.mark.parametrize("text", ["ㅎㅎ 뭐하지", "오늘 날씨 어때", "ㅋㅋㅋ"])
def test_chatter_is_still_not_placed(text: str) -> None:
    assert classify(text).category is None


def test_names_only_leaves_the_glosses_out() -> None:
    clf = Classifier(load_knowledge())
    assert clf.classify("이 사이에 낀 거 빼는 가는 실", glosses=False).method != "gloss"
    assert clf.classify("이 사이에 낀 거 빼는 가는 실").method == "gloss"


def test_the_disposal_verb_alone_does_not_place_a_text() -> None:
    # "버려" meets glosses such as "닦고 버린 종이"; a verb shared with no noun names nothing.
    assert classify("블라블라 어떻게 버려?").category is None
