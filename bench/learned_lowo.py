"""Leave-one-writer-out figures for the learned reader (domains/knowledge/learned.py).

    eco2 classify --batch < SET > OUT/SET_NAME   # the rule answers, once per set
    python bench/learned_lowo.py OUT [--at 0.5 0.6 0.7]

For each independent set k (1..8, each by a different writer) the reader is trained on the
knowledge base's names and glosses plus every other labelled set (never set k, either half),
and set k's rule answers are compared with rules + reader: accepted lines, answers at >= 0.9
and how many are right, and how often the right stream is among the choices below 0.9.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from domains.knowledge.learned import LearnedReader, knowledge_texts, overrule
from domains.knowledge.loader import DATA_DIR, read_knowledge

D = Path("tests/domains/knowledge/data")
WRITERS: dict[str, list[Path]] = {
    "1": [D / "independent/items.dev.jsonl", D / "independent/items.test.jsonl"],
    "2": [D / "independent2/items2.dev.jsonl", D / "independent2/items2.test.jsonl"],
    "3": [D / "independent3/items3.dev.jsonl", D / "independent3/items3.test.jsonl"],
    "4": [D / "independent4/items4.dev.jsonl", D / "independent4/items4.test.jsonl"],
    "5": [D / "independent5/items5.dev.jsonl", D / "independent5/items5.test.jsonl"],
    "6": [D / "independent6/items6.dev.jsonl", D / "independent6/items6.test.jsonl"],
    "7": [D / "independent7/items7.dev.jsonl", D / "independent7/items7.test.jsonl"],
    "8": [D / "independent8/items8.dev.jsonl", D / "independent8/items8.test.jsonl"],
}
# Written before the independent sets, by the project: always trained on, never held out.
ALWAYS = [D / "items.jsonl", D / "items_holdout.jsonl"]


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def labelled(paths: list[Path]) -> list[tuple[str, str]]:
    """(text, category) of the lines that name a stream (some lines are "not waste": None)."""
    return [(r["text"], r["category"]) for p in paths for r in rows(p) if r.get("category")]


def figures(labels: list[dict[str, Any]], answers: list[tuple[str | None, float, list[str]]]):
    out = {"total": len(labels), "accepted": 0, "confident": 0, "confident_right": 0}
    out |= {"below_09": 0, "in_choices": 0, "changed": 0}
    for label, (category, confidence, choices) in zip(labels, answers, strict=True):
        ok = {label["category"], *label.get("also", [])}
        out["accepted"] += category in ok
        if confidence >= 0.9:
            out["confident"] += 1
            out["confident_right"] += category in ok
        else:
            out["below_09"] += 1
            out["in_choices"] += bool(ok & set(choices))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("answers", type=Path, help="directory of rule answers, one per set file")
    parser.add_argument("--at", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.8])
    args = parser.parse_args()
    kb_pairs = knowledge_texts(read_knowledge(DATA_DIR))
    always = labelled(ALWAYS)
    for k, held in WRITERS.items():
        train = list(kb_pairs) + always
        for other, paths in WRITERS.items():
            if other != k:
                train += labelled(paths)
        reader = LearnedReader.train(train)
        for path in held:
            labels = rows(path)
            rule = rows(args.answers / path.name)
            base = [
                (a.get("category"), float(a.get("confidence", 0)), a.get("choices", []))
                for a in rule
            ]
            ranked = [reader.rank(r["text"]) for r in labels]
            # The streams of the other parts of the item the rules found (see ``overrule``).
            parts = [
                frozenset(p["category"] for p in a.get("parts", []) if p["category"] != b[0])
                for a, b in zip(rule, base, strict=True)
            ]
            print(f"writer {k} {path.name} rules: {figures(labels, base)}")
            for at in args.at:
                mixed = []
                for (cat, conf, choices), rank, other, a in zip(
                    base, ranked, parts, rule, strict=True
                ):
                    why = str(a.get("evidence", ""))
                    new = overrule(cat, conf, rank, at=at, parts=other, evidence=why)
                    mixed.append(new if new is not None else (cat, conf, choices))
                f = figures(labels, mixed)
                f["changed"] = sum(m[0] != b[0] for m, b in zip(mixed, base, strict=True))
                print(f"writer {k} {path.name} at {at}: {f}")


if __name__ == "__main__":
    main()
