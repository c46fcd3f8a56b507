"""Dev-half figures of the chat intent classifier without training on what is scored.

Five folds of ``intents.dev.jsonl``: each fold is scored by a model trained on the project's
own examples (``domains/chat/data/intents.train.jsonl``) and the other four folds. The test half
is never read here; it is scored once with ``eco2 intents --batch --score``.

    .venv/bin/python bench/intents_cv.py [--folds 5]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from domains.chat import classifier
from domains.chat.classifier import Previous, analyse, read_labelled, train
from domains.chat.evaluation import confusion_markdown, score

DEV = Path(classifier.DATA) / "intents.dev.jsonl"
OWN = Path(classifier.DATA) / "intents.train.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    dev = read_labelled(DEV)
    own = read_labelled(OWN)
    gold: list[list[str]] = []
    predicted: list[list[str]] = []
    kinds: list[str] = []
    for fold in range(args.folds):
        held = [r for n, r in enumerate(dev) if n % args.folds == fold]
        rest = [r for n, r in enumerate(dev) if n % args.folds != fold]
        model = train(own + rest)
        for record in held:
            prev = record.get("previous")
            before = Previous.model_validate(prev) if prev else None
            got = analyse(record["text"], before, model.probabilities)
            gold.append(record["intents"])
            predicted.append(list(got.intents))
            kinds.append(record["kind"])
            if args.show_errors and set(got.intents) != set(record["intents"]):
                print(
                    record["intents"], got.intents, record["text"], [q.text for q in got.questions]
                )
    result = score(gold, predicted, kinds)
    print(json.dumps(result.model_dump(exclude={"confusion"}), ensure_ascii=False, indent=1))
    print(confusion_markdown(result.confusion))


if __name__ == "__main__":
    main()
