"""Dev-half figures of the chat intent classifier without training on what is scored.

Both independent sets' dev halves (``intents.dev.jsonl``, ``intents2.dev.jsonl``) in five folds:
each fold is scored by a model trained on the project's own examples
(``domains/chat/data/intents.train.jsonl``) and the other folds, and the figures are given per
set. The test halves are never read here; they are scored once with
``eco2 intents --batch --score``.

    .venv/bin/python bench/intents_cv.py [--folds 5] [--show-errors]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from domains.chat import classifier
from domains.chat.classifier import analyse, previous_of, read_labelled, train
from domains.chat.evaluation import confusion_markdown, score

DEVS = ("intents.dev.jsonl", "intents2.dev.jsonl")
OWN = Path(classifier.DATA) / "intents.train.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    dev = [(name, r) for name in DEVS for r in read_labelled(Path(classifier.DATA) / name)]
    own = read_labelled(OWN)
    results: dict[str, tuple[list[list[str]], list[list[str]], list[str]]] = {
        name: ([], [], []) for name in DEVS
    }
    for fold in range(args.folds):
        held = [x for n, x in enumerate(dev) if n % args.folds == fold]
        rest = [r for n, (_, r) in enumerate(dev) if n % args.folds != fold]
        model = train(own + rest)
        for name, record in held:
            before = previous_of(record.get("previous"), model.probabilities)
            got = analyse(record["text"], before, model.probabilities)
            gold, predicted, kinds = results[name]
            gold.append(record["intents"])
            predicted.append(list(got.intents))
            kinds.append(record["kind"])
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
    for name, (gold, predicted, kinds) in results.items():
        result = score(gold, predicted, kinds)
        print(f"## {name}")
        print(json.dumps(result.model_dump(exclude={"confusion"}), ensure_ascii=False, indent=1))
        print(confusion_markdown(result.confusion))


if __name__ == "__main__":
    main()
