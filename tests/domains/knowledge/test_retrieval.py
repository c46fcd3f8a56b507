"""Rule retrieval answers disposal questions with the right rule first."""

from __future__ import annotations

from domains.knowledge import load_knowledge, search_rules
from tests.domains.knowledge.conftest import read_jsonl


def test_question_set_top1() -> None:
    rows = read_jsonl("questions.jsonl")
    ids = {r.id for c in load_knowledge().categories.values() for r in c.rules}
    assert len(rows) >= 50
    assert {row["rule"] for row in rows} <= ids  # the set cites real rules
    misses = []
    for row in rows:
        hits = search_rules(row["question"])
        if not hits or hits[0].id != row["rule"]:
            misses.append((row["question"], row["rule"], [h.id for h in hits]))
    score = 1 - len(misses) / len(rows)
    print(f"\nrule questions top-1: {len(rows) - len(misses)}/{len(rows)} = {score:.1%}")
    for miss in misses:
        print("  miss:", miss)
    assert score >= 0.9


def test_hits_are_ranked_and_carry_text() -> None:
    hits = search_rules("페트병 라벨 떼야 해?", k=3)
    assert hits[0].id == "clear_pet.label"
    assert hits[0].category == "clear_pet"
    assert "라벨" in hits[0].text
    assert len(hits) == 3
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_question_about_an_unknown_item_still_uses_words() -> None:
    hits = search_rules("불연성 마대는 어디서 사요?")
    assert hits and hits[0].category == "non_combustible"


def test_k_limits_results() -> None:
    assert len(search_rules("건전지 어디에 버려요?", k=1)) == 1
