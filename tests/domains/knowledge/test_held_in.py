"""What held something, or came with it, is the thing named after "들어있던", "담겨있던",
"포장된": the words after the verb decide, under the 0.9 line, with the first name's stream
second. Phrasings of their own, not lines of the sets."""

from __future__ import annotations

import pytest

from domains.knowledge import classify


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("케이크 들어있던 투명 케이스", "plastic"),
        ("초콜릿 들어있던 스테인리스 통", "metal"),
        ("사탕 들어있던 철로 된 작은 통", "metal"),
    ],
)
def test_the_container_after_the_verb_is_the_thing(text: str, category: str) -> None:
    found = classify(text)
    assert found.category == category
    assert found.confidence < 0.9
    assert found.evidence == "held_in"


def test_the_first_name_stays_the_other_choice() -> None:
    assert classify("케이크 들어있던 투명 케이스").choices == ["plastic", "food"]


def test_a_name_after_the_verb_keeps_its_own_answer() -> None:
    # The lexicon already reads the bottle, and the soy sauce's tag still applies.
    found = classify("간장 담긴 페트병")
    assert found.category == "plastic" and found.evidence != "held_in"
