"""Grouped k-fold cross-validation of the chat intent classifier over all its labelled material.

Every labelled message the classifier is trained on (``classifier.TRAINING_FILES``: the
project's own examples and the earlier independent sets' halves) is put in ``--folds`` folds;
each fold is scored by a model trained on the other folds. Folds are grouped: messages whose
normalised text is the same, and a follow-up with the message it follows, land in one fold, so a
fold never scores a text its model was trained on. Figures are given per source file and for
all of them. ``--extra FILE`` adds labelled files (e.g. a newer set's dev half) to the material;
``--only-score`` limits the figures to the named sources.

    .venv/bin/python bench/intents_cv.py [--folds 5] [--c 10] [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from domains.chat import classifier
from domains.chat.classifier import analyse, previous_of, read_labelled, train
from domains.chat.evaluation import confusion_markdown, score
from domains.chat.intents import squeeze


def _key(text: Any) -> str:
    if isinstance(text, dict):
        text = text.get("text") or ""
    return squeeze(str(text or ""))


def groups(records: list[dict[str, Any]]) -> list[int]:
    """A group id per record: same normalised text, or a follow-up and its previous message."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for record in records:
        a = find(_key(record["text"]))
        if record.get("previous"):
            parent[a] = find(_key(record["previous"]))
    roots: dict[str, int] = {}
    return [roots.setdefault(find(_key(r["text"])), len(roots)) for r in records]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--c", type=float, default=None)
    parser.add_argument("--extra", action="append", default=[], type=Path)
    parser.add_argument("--only-score", action="append", default=[])
    parser.add_argument("--set", action="append", default=[], help="NAME=VALUE of classifier")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--confusion", action="store_true")
    args = parser.parse_args()
    if args.c is not None:
        classifier.C = args.c
    for setting in args.set:
        name, value = setting.split("=", 1)
        setattr(classifier, name, type(getattr(classifier, name))(eval(value)))
    sources = [(name, classifier.DATA / name) for name in classifier.TRAINING_FILES]
    sources += [(path.name, path) for path in args.extra]
    material = [(name, r) for name, path in sources for r in read_labelled(path)]
    ids = groups([r for _, r in material])
    order = sorted(set(ids))
    random.Random(args.seed).shuffle(order)
    fold_of = {g: n % args.folds for n, g in enumerate(order)}
    results: dict[str, tuple[list[list[str]], list[list[str]], list[str]]] = {}
    started = time.monotonic()
    for fold in range(args.folds):
        rest = [r for (_, r), g in zip(material, ids, strict=True) if fold_of[g] != fold]
        model = train(rest)
        for (name, record), g in zip(material, ids, strict=True):
            if fold_of[g] != fold or (args.only_score and name not in args.only_score):
                continue
            before = previous_of(record.get("previous"), model.probabilities)
            got = analyse(record["text"], before, model.probabilities)
            gold, predicted, kinds = results.setdefault(name, ([], [], []))
            gold.append(record["intents"])
            predicted.append(list(got.intents))
            kinds.append(str(record.get("kind", "-")))
            if args.show_errors and set(got.intents) != set(record["intents"]):
                print(
                    "ERR",
                    name,
                    record["intents"],
                    got.intents,
                    record["text"],
                    [q.text for q in got.questions],
                    record.get("previous"),
                )
    everything: tuple[list[list[str]], list[list[str]], list[str]] = ([], [], [])
    for name, (gold, predicted, kinds) in results.items():
        result = score(gold, predicted, kinds)
        everything[0].extend(gold)
        everything[1].extend(predicted)
        everything[2].extend(kinds)
        print(
            f"## {name}: {result.messages} messages, exact sets {result.exact_set:.2%}, "
            f"exact lists {result.exact_list:.2%}, macro-F1 {result.macro_f1:.3f}"
        )
        print("by kind:", json.dumps(result.by_kind, ensure_ascii=False))
    total = score(*everything)
    print(
        f"## all: {total.messages} messages, exact sets {total.exact_set:.2%}, "
        f"exact lists {total.exact_list:.2%}, macro-F1 {total.macro_f1:.3f} "
        f"({args.folds} grouped folds, seed {args.seed}, C {classifier.C}, "
        f"{time.monotonic() - started:.0f} s)"
    )
    print("F1:", json.dumps(total.f1, ensure_ascii=False))
    if args.confusion:
        print(confusion_markdown(total.confusion))


if __name__ == "__main__":
    main()
