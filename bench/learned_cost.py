"""What the learned reader adds to each text: CPU milliseconds per text of the built classifier
(``eco2 build-knowledge``) with its reader and without, alternated in one process so a drift of
the shared machine falls on both; and how many answers the reader was asked about (the rules
were below 0.9) and changed. The machine's speed is printed first (``procstats.calibrate``).

    .venv/bin/python bench/learned_cost.py SET.jsonl [SET.jsonl ...] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))

from bench import procstats
from domains.knowledge.classifier import default_classifier


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"calibration: {procstats.calibrate():.1f} ms (bench/procstats.py calibrate)")
    texts = [
        json.loads(line)["text"]
        for path in args.sets
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    classifier = default_classifier()
    reader = classifier.reader
    if reader is None:
        sys.exit("the built classifier has no reader: run `eco2 build-knowledge`")
    for text in texts[:50]:  # Kiwi's and the indexes' first use out of the timing
        classifier.classify(text)
    times: dict[str, list[float]] = {"rules": [], "rules + reader": []}
    for _ in range(args.rounds):
        for name, with_reader in (("rules", None), ("rules + reader", reader)):
            classifier.reader = with_reader
            start = time.process_time()
            for text in texts:
                classifier.classify(text)
            times[name].append((time.process_time() - start) * 1000 / len(texts))
    classifier.reader = reader
    answers = [classifier.classify(t) for t in texts]
    asked = sum(a.category is not None and a.confidence < 0.9 for a in answers)
    changed = sum(a.method == "learned" for a in answers)
    for name, values in times.items():
        print(f"{name}: {min(values):.3f} CPU ms/text (best of {args.rounds}; all {values})")
    print(f"{len(texts)} texts; below 0.9: {asked}; answered by the reader: {changed}")


if __name__ == "__main__":
    main()
