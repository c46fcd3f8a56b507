"""Scoring an intent run against labelled messages: exact lists and sets, macro-F1, confusion.

``exact list`` needs the intents in the order asked with their repeats; ``exact set`` compares
``set(intents)``. Macro-F1 is over the ten intents, each message counted once per intent it
holds (multi-label). The confusion matrix pairs gold and predicted sub-questions by position;
a missing or extra one is counted against ``-``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel

from domains.chat.intents import INTENTS

NONE = "-"


class Scores(BaseModel):
    messages: int
    exact_list: float
    exact_set: float
    macro_f1: float
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]
    by_kind: dict[str, float]
    sub_questions_gold: int
    sub_questions_answered: int


def score(
    gold: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    kinds: Sequence[str] | None = None,
) -> Scores:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold records but {len(predicted)} predictions")
    exact_list = sum(list(g) == list(p) for g, p in zip(gold, predicted, strict=True))
    exact_set = sum(set(g) == set(p) for g, p in zip(gold, predicted, strict=True))
    f1: dict[str, float] = {}
    for intent in INTENTS:
        tp = sum(intent in g and intent in p for g, p in zip(gold, predicted, strict=True))
        fp = sum(intent not in g and intent in p for g, p in zip(gold, predicted, strict=True))
        fn = sum(intent in g and intent not in p for g, p in zip(gold, predicted, strict=True))
        f1[intent] = round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0
    labels = [*INTENTS, NONE]
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        for n in range(max(len(g), len(p))):
            confusion[g[n] if n < len(g) else NONE][p[n] if n < len(p) else NONE] += 1
    by_kind: dict[str, float] = {}
    if kinds is not None:
        totals, hits = Counter(kinds), Counter[str]()
        for kind, g, p in zip(kinds, gold, predicted, strict=True):
            hits[kind] += set(g) == set(p)
        by_kind = {kind: round(hits[kind] / totals[kind], 4) for kind in sorted(totals)}
    n = len(gold) or 1
    return Scores(
        messages=len(gold),
        exact_list=round(exact_list / n, 4),
        exact_set=round(exact_set / n, 4),
        macro_f1=round(sum(f1.values()) / len(f1), 4),
        f1=f1,
        confusion=confusion,
        by_kind=by_kind,
        sub_questions_gold=sum(len(g) for g in gold),
        sub_questions_answered=sum(
            min(len(g), len(p)) for g, p in zip(gold, predicted, strict=True)
        ),
    )


def confusion_markdown(confusion: dict[str, dict[str, int]]) -> str:
    """The matrix as a Markdown table: rows gold, columns predicted."""
    labels = list(confusion)
    short = {label: label.replace("_", " ")[:10] for label in labels}
    lines = ["| gold \\ predicted | " + " | ".join(short[c] for c in labels) + " |"]
    lines.append("|---" * (len(labels) + 1) + "|")
    for row in labels:
        cells = [str(confusion[row][col]) if confusion[row][col] else "·" for col in labels]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
