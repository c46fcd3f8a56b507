"""Second readings of a text after the classifier's first answer: the thing the text says held
or came with the one named ("파인애플 들어있던 플라스틱 컵"), food left over from a meal, a small
part of a bulky thing ("자전거 체인 끊어진 거"), and a hard or soft part of food said apart from
the food ("복숭아 먹고 남은 씨"). Each takes the first answer and returns it, or a new one under
the 0.9 line with the first answer's stream as the second choice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from domains.knowledge.confidence import CONFIDENCE, THRESHOLD
from domains.knowledge.food_parts import LEFTOVER, container_not_the_thing, hard_part, soft_part
from domains.knowledge.lexicon import Match
from domains.knowledge.models import Classification
from domains.knowledge.small_parts import small_part
from domains.knowledge.text import compact

if TYPE_CHECKING:  # the classifier imports this module
    from domains.knowledge.classifier import Classifier

# What held something else, or came with it: the thing is named after these words ("파인애플
# 들어있던 플라스틱 컵", "샐러드 포장된 투명 도시락", "상자에 들어있던 하얀 받침").
HELD = re.compile(
    r"(들어\s?있던|들어\s?있는|들어\s?있었던|들었던|담겨\s?있던|담겨\s?있는|담겨\s?온|담겼던|담긴"
    r"|담아\s?온|포장된|포장되어\s?있던|포장돼\s?있던|싸여\s?있던|들어\s?온|딸려\s?온)\s"
)


def part_of_bulky(
    classifier: Classifier, found: Classification, norm: str, match: Match | None
) -> Classification:
    """``found``, or the stream of a small part named right after the bulky thing found
    ("자전거 체인 끊어진 거"): metal or general (``small_parts``), bulky second."""
    if found.category != "bulk" or match is None or match.fuzzy is not None:
        return found
    # The name's end in the text with spaces: after as many letters as the name holds.
    letters = [i for i, char in enumerate(norm) if compact(char)]
    at = compact(norm).rfind(match.alias)
    if at < 0:
        return found
    stream = small_part(norm, letters[at + len(match.alias) - 1] + 1)
    if stream is None:
        return found
    return _reread(classifier, found, norm, stream, "bulky_part", "bulk")


def leftover_food(
    classifier: Classifier, found: Classification, norm: str, match: Match | None
) -> Classification:
    """``found``, or food when the text says food is left over from a meal and names no
    other thing: nothing known ("명절에 부친 전 한 바구니 남음"), or only a container said
    as a measure, set aside or as where the food sits ("한 접시", "용기 말고 밥만",
    "반찬통 바닥에"). Under the line, the container's stream second."""
    if found.category == "food" or not LEFTOVER.search(norm):
        return found
    if found.category is not None and (
        match is None or not container_not_the_thing(norm, match.alias)
    ):
        return found
    return _reread(classifier, found, norm, "food", "leftover_food", found.category or "general")


def held_in(
    classifier: Classifier, found: Classification, norm: str, match: Match | None, *, glosses: bool
) -> Classification | None:
    """What held or came with the thing named first, when the text says so ("파인애플
    들어있던 플라스틱 컵", "전자레인지 상자에 들어있던 하얀 받침"): the words after the
    last "들어있던/담겨있던/포장된" are the thing. None when the name found is already
    among those words, or they place nothing else."""
    held = next(reversed(list(HELD.finditer(norm))), None)  # the last: nearest the head
    if held is None:
        return None
    rest = norm[held.end() :].strip(" )")
    if not re.search(r"[가-힣a-z]{1,}", rest):
        return None
    flat = compact(norm)
    if match is not None and flat.rfind(match.alias) >= len(compact(norm[: held.start()])):
        return None  # the name found is the thing after the verb ("간장 담긴 페트병")
    after = classifier.classify(rest, glosses=glosses)
    if after.category is None or after.category == found.category:
        return None
    if (after.confidence or 0.0) < THRESHOLD:
        return None
    return after.model_copy(
        update={
            "text": found.text,
            "confidence": min(after.confidence or 0.0, CONFIDENCE["held_in"]),
            "evidence": "held_in",
            "choices": _unique([after.category, *([found.category] if found.category else [])])[:2],
        }
    )


def hard_part_of_food(classifier: Classifier, found: Classification, norm: str) -> Classification:
    """``found``, or general waste when the text's food (or nothing known) comes with a hard
    part said as the thing: "복숭아 먹고 남은 씨", "양파 까고 나온 껍질" (``food_parts``).
    Under the 0.9 line: the food's own stream stays the second choice."""
    soft = soft_part(norm)
    if found.method not in ("lexicon", "fuzzy") and found.category != "food" and soft:
        # A soft part of meat or fish ("닭 껍질 떼어낸 거") described, not named: food.
        return _reread(classifier, found, norm, "food", "food_soft_part", "general", item=soft)
    if found.category not in ("food", None):
        return found
    part = hard_part(norm, food_named=found.category == "food")
    if part is None:
        return found
    return _reread(classifier, found, norm, "general", "food_hard_part", "food", item=part)


def _reread(
    classifier: Classifier,
    found: Classification,
    norm: str,
    stream: str,
    evidence: str,
    second: str,
    **extra: str,
) -> Classification:
    """``found`` answered again as ``stream`` on ``evidence`` (its confidence, under the line),
    with ``second`` as the other choice: no parts, the stream's own rules."""
    return found.model_copy(
        update={
            "category": stream,
            "confidence": CONFIDENCE[evidence],
            "evidence": evidence,
            "parts": [],
            "rules": classifier.rules_for(classifier.kb.categories[stream], norm),  # type: ignore[index]
            "choices": [stream, second],
            **extra,
        }
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
