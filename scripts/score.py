"""Score ``eco2 classify --batch`` output against a labelled item set.

    eco2 classify --batch < items.dev.jsonl | python scripts/score.py items.dev.jsonl

The labelled file has one ``{"text", "category", "also"?}`` per line; the batch output on stdin
has one answer per line in the same order (checked by text). Printed: strict accuracy
(``category`` only), accepted accuracy (``category`` or one of ``also``), how many answers
named no category, the reliability table (confidence bins against accepted accuracy) and the
share right among answers at or above 0.9, and the misses. ``--json`` prints the figures as one
JSON object instead (the tests read that).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))


def read_jsonl(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.strip()]


def score(labels: list[dict[str, Any]], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one labelled set and its answers (same order, same texts)."""
    if len(labels) != len(answers):
        raise SystemExit(f"{len(labels)} labelled lines but {len(answers)} answers")
    rows = []
    for label, answer in zip(labels, answers, strict=True):
        if answer.get("text") != label["text"]:
            raise SystemExit(f"out of step: {label['text']!r} vs {answer.get('text')!r}")
        accepted = {label["category"], *label.get("also", [])}
        predicted = answer.get("category")
        rows.append(
            {
                "id": label.get("id"),
                "text": label["text"],
                "expected": label["category"],
                "also": label.get("also", []),
                "style": label.get("style"),
                "predicted": predicted,
                "confidence": float(answer.get("confidence", 0.0)),
                "strict": predicted == label["category"],
                "accepted": predicted in accepted,
                "choices": answer.get("choices", []),
            }
        )
    total = len(rows)
    table = []
    for low, high in BINS:
        inside = [r for r in rows if low <= r["confidence"] < high]
        right = sum(r["accepted"] for r in inside)
        table.append(
            {
                "bin": f"{low:.2f}–{min(high, 1.0):.2f}",
                "answers": len(inside),
                "right": right,
                "accuracy": round(right / len(inside), 4) if inside else None,
            }
        )
    confident = [r for r in rows if r["confidence"] >= 0.9]
    asked = [r for r in rows if r["confidence"] < 0.9]
    in_choices = [r for r in asked if set(r["choices"]) & {r["expected"], *r["also"]}]
    return {
        "total": total,
        "strict": sum(r["strict"] for r in rows),
        "accepted": sum(r["accepted"] for r in rows),
        "unplaced": sum(r["predicted"] is None for r in rows),
        "confident": len(confident),
        "confident_right": sum(r["accepted"] for r in confident),
        "below_09": len(asked),
        "below_09_answer_in_choices": len(in_choices),
        "table": table,
        "misses": [r for r in rows if not r["accepted"]],
    }


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f} %" if whole else "0/0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", type=Path, help="the labelled JSON Lines file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-misses", action="store_true", help="aggregates only (for a frozen test half)"
    )
    args = parser.parse_args()
    labels = read_jsonl(args.labels.read_text(encoding="utf-8").splitlines())
    answers = read_jsonl(sys.stdin.read().splitlines())
    figures = score(labels, answers)
    if args.no_misses:
        figures["misses"] = []
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    total = figures["total"]
    print(f"set: {args.labels}")
    print(f"accepted category: {_pct(figures['accepted'], total)}")
    print(f"strict category:   {_pct(figures['strict'], total)}")
    print(f"no category:       {figures['unplaced']}")
    print(f"at >= 0.9:         {_pct(figures['confident_right'], figures['confident'])} right")
    below = figures["below_09"]
    print(f"below 0.9:         {below}; right category among the choices: ", end="")
    print(_pct(figures["below_09_answer_in_choices"], below))
    print("\n| confidence | answers | right | accuracy |\n|---|---:|---:|---:|")
    for row in figures["table"]:
        accuracy = "–" if row["accuracy"] is None else f"{100 * row['accuracy']:.1f} %"
        print(f"| {row['bin']} | {row['answers']} | {row['right']} | {accuracy} |")
    if args.no_misses:
        return
    print("\nmisses:")
    for miss in figures["misses"]:
        print(
            f"  {miss['id'] or ''} {miss['text']!r}: {miss['predicted']} "
            f"({miss['confidence']:.2f}), expected {miss['expected']} {miss['also'] or ''}"
        )


if __name__ == "__main__":
    main()
