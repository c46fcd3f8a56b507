"""Counts of training messages whose normalised text is also in another labelled file; never
prints a line of it (the other file may be a frozen test half).

    .venv/bin/python bench/intents_overlap.py OTHER.jsonl [--drop]

Normalised: letters and digits only, lower case (``intents.squeeze``). With ``--drop`` the
matching lines are removed from the packaged training files (``domains/chat/data``; the frozen
originals under ``tests/`` are never touched) and only the counts removed are printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from domains.chat import classifier
from domains.chat.intents import squeeze


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path)
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    keys = set()
    for line in args.other.read_text("utf-8").splitlines():
        if line.strip():
            keys.add(squeeze(str(json.loads(line)["text"])))
    keys.discard("")
    total = 0
    for name in classifier.TRAINING_FILES:
        path = classifier.DATA / name
        lines = path.read_text("utf-8").splitlines(keepends=True)
        kept = [
            line
            for line in lines
            if not line.strip() or squeeze(str(json.loads(line)["text"])) not in keys
        ]
        found = len(lines) - len(kept)
        total += found
        print(f"{name}: {found} of {len(lines)} lines share their text with {args.other.name}")
        if args.drop and found:
            path.write_text("".join(kept), "utf-8")
    print(f"total: {total}{' (dropped)' if args.drop else ''}")


if __name__ == "__main__":
    main()
