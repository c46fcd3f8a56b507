"""Leave-one-writer-out figures for the learned reader (domains/knowledge/learned.py).

    python bench/learned_lowo.py [--writers 7 8]

For each independent set k (each by a different writer) the reader is trained as
``eco2 build-knowledge`` trains it (the knowledge base's names and glosses, and
``data/learned_examples.jsonl``) less every line whose text set k holds (either half), and set k's
answers by the rules alone are compared with the classifier's answers with that reader in
place: accepted lines, answers
at >= 0.9 and how many are right, and how often the right stream is among the choices below 0.9.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from domains.knowledge.classifier import default_classifier
from domains.knowledge.learned import LearnedReader, knowledge_texts, read_examples
from domains.knowledge.models import Classification

D = Path("tests/domains/knowledge/data")
WRITERS: dict[str, list[Path]] = {
    "1": [D / "independent/items.dev.jsonl", D / "independent/items.test.jsonl"],
    **{
        str(k): [
            D / f"independent{k}/items{k}.dev.jsonl",
            D / f"independent{k}/items{k}.test.jsonl",
        ]
        for k in range(2, 10)
    },
}


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def labelled(paths: list[Path]) -> list[tuple[str, str]]:
    """(text, category) of the lines that name a stream (some lines are "not waste": None)."""
    return [(r["text"], r["category"]) for p in paths for r in rows(p) if r.get("category")]


def figures(labels: list[dict[str, Any]], answers: list[Classification]) -> dict[str, int]:
    out = {"total": len(labels), "accepted": 0, "confident": 0, "confident_right": 0}
    out |= {"below_09": 0, "in_choices": 0}
    for label, answer in zip(labels, answers, strict=True):
        ok = {label["category"], *label.get("also", [])}
        out["accepted"] += answer.category in ok
        if answer.confidence >= 0.9:
            out["confident"] += 1
            out["confident_right"] += answer.category in ok
        else:
            out["below_09"] += 1
            out["in_choices"] += bool(ok & set(answer.choices))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", nargs="+", default=None, help="hold out only these")
    args = parser.parse_args()
    writers = {k: p for k, p in WRITERS.items() if p[0].exists()}
    classifier = default_classifier()
    kb_pairs = knowledge_texts(classifier.kb)
    examples = read_examples()
    classifier.reader = None
    for k, held in writers.items():
        if args.writers and k not in args.writers:
            continue
        held_texts = {text for text, _ in labelled(held)}
        train = kb_pairs + [(t, c) for t, c in examples if t not in held_texts]
        reader = LearnedReader.train(train)
        for path in held:
            labels = rows(path)
            classifier.reader = None
            base = [classifier.classify(r["text"]) for r in labels]
            print(f"writer {k} {path.name} rules: {figures(labels, base)}")
            classifier.reader = reader
            mixed = [classifier.classify(r["text"]) for r in labels]
            f = figures(labels, mixed)
            f["changed"] = sum(m.category != b.category for m, b in zip(mixed, base, strict=True))
            f["fixed"] = sum(
                m.category != b.category and m.category in {r["category"], *r.get("also", [])}
                for m, b, r in zip(mixed, base, labels, strict=True)
            )
            print(f"writer {k} {path.name} with the reader: {f}")


if __name__ == "__main__":
    main()
