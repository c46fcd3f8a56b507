"""The learned reader for unsure answers (domains/knowledge/learned.py): when it may overrule the
rules and what it answers then. (Measured, not wired into the classifier: docs/knowledge.md.)"""

from __future__ import annotations

import json

from domains.knowledge.learned import (
    ANSWER_CONFIDENCE,
    EXAMPLES,
    OVERRULE_AT,
    LearnedReader,
    overrule,
    read_examples,
)
from domains.knowledge.models import CATEGORY_KEYS
from domains.knowledge.store import inputs

_SURE = [("plastic", 0.95), ("general", 0.03), ("vinyl", 0.02)]


def test_a_confident_rule_answer_is_never_overruled() -> None:
    assert overrule("general", 0.9, _SURE) is None
    assert overrule("general", 0.97, _SURE) is None


def test_an_unsure_rule_answer_gives_way_to_a_sure_reader_below_09() -> None:
    assert overrule("general", 0.7, _SURE) == ("plastic", ANSWER_CONFIDENCE, ["plastic", "general"])
    assert ANSWER_CONFIDENCE < 0.9


def test_the_reader_needs_its_threshold_and_a_different_stream() -> None:
    unsure = [("plastic", OVERRULE_AT - 0.01), ("general", 0.3)]
    assert overrule("general", 0.7, unsure) is None
    assert overrule("plastic", 0.7, _SURE) is None


def test_a_stream_of_another_part_of_the_found_item_does_not_overrule() -> None:
    # "라벨이랑 뚜껑 있는 페트병": the reader reads the cap's words; whole or part is the rules'.
    assert overrule("clear_pet", 0.8, _SURE, parts=frozenset({"plastic", "vinyl"})) is None
    assert overrule("clear_pet", 0.8, _SURE, parts=frozenset({"vinyl"})) is not None


def test_the_rules_own_contents_and_part_decisions_stand() -> None:
    assert overrule("food", 0.8, _SURE, evidence="leftover_food") is None
    assert overrule("food", 0.8, _SURE, evidence="held_in") is None
    assert overrule("food", 0.8, _SURE, evidence="lexicon_not_head") is not None


def test_a_text_the_rules_place_nowhere_stays_unplaced() -> None:
    # Mostly not things at all ("안녕", "asdfgh"): the reader would still name a stream.
    assert overrule(None, 0.0, _SURE) is None


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


def test_the_examples_file_is_labelled_streams_and_in_the_fingerprint() -> None:
    examples = read_examples()
    assert len(examples) > 4000
    assert {c for _, c in examples} <= set(CATEGORY_KEYS)
    assert all(t.strip() for t, _ in examples)
    assert EXAMPLES in inputs()
    first = json.loads(EXAMPLES.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"text", "category"}
