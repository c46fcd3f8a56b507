"""The learned reader for unsure answers (domains/knowledge/learned.py): when it may overrule the
rules, what it answers then, that it reads as scikit-learn did, and that the classifier uses it."""

from __future__ import annotations

import json
import random

import pytest

from domains.knowledge.classifier import default_classifier
from domains.knowledge.learned import (
    ANSWER_CONFIDENCE,
    EXAMPLES,
    OVERRULE_AT,
    LearnedReader,
    char_grams,
    fit,
    knowledge_texts,
    overrule,
    read_examples,
)
from domains.knowledge.models import CATEGORY_KEYS, Classification, Part
from domains.knowledge.store import inputs

_SURE = [("plastic", 0.95), ("general", 0.03), ("vinyl", 0.02)]


def _found(
    category: str | None = "general",
    confidence: float = 0.7,
    *,
    text: str = "뭔가 둥근 거",
    evidence: str = "lexicon_rivals",
    item: str | None = None,
    parts: list[str] = (),  # type: ignore[assignment]
) -> Classification:
    return Classification(
        text=text,
        category=category,  # type: ignore[arg-type]
        confidence=confidence,
        evidence=evidence,
        item=item,
        method="lexicon",
        parts=[Part(name=c, category=c) for c in parts],  # type: ignore[arg-type]
    )


def test_a_confident_rule_answer_is_never_overruled() -> None:
    assert overrule(_found(confidence=0.9), _SURE) is None
    assert overrule(_found(confidence=0.97), _SURE) is None


def test_an_unsure_rule_answer_gives_way_to_a_sure_reader_below_09() -> None:
    assert overrule(_found(confidence=0.88), _SURE) == (
        "plastic",
        ANSWER_CONFIDENCE,
        ["plastic", "general"],
    )
    assert ANSWER_CONFIDENCE < 0.9


def test_the_readers_answer_is_never_surer_than_the_rules() -> None:
    # 0.7 is under ASK_BELOW: the scan still asks, the reader's stream offered first.
    assert overrule(_found(confidence=0.7), _SURE) == ("plastic", 0.7, ["plastic", "general"])


def test_the_reader_needs_its_threshold_and_a_different_stream() -> None:
    unsure = [("plastic", OVERRULE_AT - 0.01), ("general", 0.3)]
    assert overrule(_found(), unsure) is None
    assert overrule(_found("plastic"), _SURE) is None


def test_a_stream_of_a_part_or_of_a_thing_taken_off_does_not_overrule() -> None:
    # "라벨이랑 뚜껑 있는 페트병": the reader reads the cap's words; whole or part is the rules'.
    assert overrule(_found("clear_pet", parts=["clear_pet", "plastic", "vinyl"]), _SURE) is None
    assert overrule(_found("clear_pet", parts=["vinyl"]), _SURE) is not None
    # "건전지 빼낸 벽시계": the battery's words are read, the clock is the thing.
    assert overrule(_found("electronics"), _SURE, beside=frozenset({"plastic"})) is None


def test_the_rules_own_contents_part_and_state_decisions_stand() -> None:
    for evidence in ("leftover_food", "held_in", "lexicon_soiled", "lexicon_action"):
        assert overrule(_found("food", evidence=evidence), _SURE) is None
    assert overrule(_found("food", evidence="lexicon_not_head"), _SURE) is not None


def test_a_text_that_is_exactly_a_lexicon_name_keeps_its_stream() -> None:
    assert overrule(_found(text="세제 캡슐", item="세제 캡슐"), _SURE) is None
    assert overrule(_found(text="세제 캡슐 두 개", item="세제 캡슐"), _SURE) is not None


@pytest.mark.parametrize(
    "text", ["전단지 코팅 안된 거", "분리 안 되는 배터리", "식탁 내놓으려면 스티커 사서 붙이면 돼?"]
)
def test_negations_and_the_fee_sticker_leave_the_rules_answer(text: str) -> None:
    assert overrule(_found(text=text), _SURE) is None


def test_a_text_the_rules_place_nowhere_stays_unplaced() -> None:
    # Mostly not things at all ("안녕", "asdfgh"): the reader would still name a stream.
    assert overrule(_found(None, 0.0), _SURE) is None


def test_a_small_reader_ranks_by_shared_character_ngrams() -> None:
    reader = LearnedReader.train(
        [
            ("페트병", "clear_pet"),
            ("생수 페트", "clear_pet"),
            ("형광등", "lighting"),
            ("긴 형광등 관", "lighting"),
            ("깨진 접시", "non_combustible"),
            ("사기 접시", "non_combustible"),
        ]
    )
    assert reader.rank("페트병 하나")[0][0] == "clear_pet"
    assert reader.rank("형광등 두 개")[0][0] == "lighting"
    assert abs(sum(p for _, p in reader.rank("접시")) - 1.0) < 1e-6
    assert abs(sum(p for _, p in reader.rank("")) - 1.0) < 1e-6  # no known letters: priors


def test_the_reader_reads_as_scikit_learn_does() -> None:
    # ``rank`` repeats the vectorizer's and the model's arithmetic without importing them.
    pairs = knowledge_texts(default_classifier().kb)
    sample = random.Random(7).sample(pairs, 2000)
    vectorizer, model = fit(sample)
    reader = LearnedReader.train(sample)
    texts = [t for t, _ in random.Random(8).sample(pairs, 300)]
    texts += ["", "  a  b ", "다 마신 투명 생수 페트병, 라벨 뗐어", "USB 선 (고장)", "x"]
    analyser = vectorizer.build_analyzer()
    expected = model.predict_proba(vectorizer.transform([t.lower() for t in texts]))
    for text, row in zip(texts, expected, strict=True):
        assert char_grams(text) == analyser(text)
        mine = dict(reader.rank(text))
        assert max(abs(mine[c] - p) for c, p in zip(model.classes_, row, strict=True)) < 1e-4


def test_the_examples_file_is_labelled_streams_and_in_the_fingerprint() -> None:
    examples = read_examples()
    assert len(examples) > 4000
    assert {c for _, c in examples} <= set(CATEGORY_KEYS)
    assert all(t.strip() for t, _ in examples)
    assert EXAMPLES in inputs()
    first = json.loads(EXAMPLES.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"text", "category"}


def test_the_classifier_asks_with_the_readers_stream_first_where_the_rules_were_unsure() -> None:
    classifier = default_classifier()
    reader = classifier.reader
    assert reader is not None  # built by `eco2 build-knowledge`, in the built file
    text = "바닥에 알아서 돌아다니면서 먼지 빨아들이는 동그란 기계 고장남"
    try:
        classifier.reader = None
        rules = classifier.classify(text)
    finally:
        classifier.reader = reader
    learned = classifier.classify(text)
    assert rules.confidence < 0.9 and rules.category != "electronics"
    assert learned.category == "electronics" and learned.method == "learned"
    assert learned.confidence == min(rules.confidence, ANSWER_CONFIDENCE)
    assert learned.choices == ["electronics", rules.category]
    assert learned.item is None and learned.parts == []
    assert learned.rules and all(r.category == "electronics" for r in learned.rules)
