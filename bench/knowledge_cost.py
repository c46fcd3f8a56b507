"""What the rule classifier costs in one process: CPU seconds to read the knowledge base and
build the classifier (lexicon, typo index, synonyms), the first text (Kiwi and the gloss index,
which the rule stage pays in ``start``), then CPU milliseconds per text over a set, and the
process's peak RSS. The machine's speed is printed first (``procstats.calibrate``).

    .venv/bin/python bench/knowledge_cost.py \
        tests/domains/knowledge/data/independent3/items3.dev.jsonl

To compare two checkouts, run it alternately from a directory outside both with
``PYTHONPATH=<checkout>`` (a script's own directory comes first on ``sys.path``, the current
directory does not, so the checkout named is the one imported).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # for bench.procstats only
    from bench import procstats

    print(f"calibration: {procstats.calibrate():.1f} ms (bench/procstats.py calibrate)")
    start = time.process_time()
    from domains.knowledge.classifier import Classifier
    from domains.knowledge.loader import load_knowledge

    classifier = Classifier(load_knowledge())
    built = time.process_time()
    classifier.classify("초밥 용기")  # Kiwi and the gloss index load on first use
    _ = classifier.glosses
    first = time.process_time()
    texts = [json.loads(line)["text"] for line in Path(sys.argv[1]).read_text().splitlines()]
    before = time.process_time()
    for _ in range(3):
        for text in texts:
            classifier.classify(text)
    per_text = (time.process_time() - before) / 3 / len(texts) * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read+build {built - start:.3f} CPU s, first text {first - built:.3f} CPU s, "
        f"per text {per_text:.3f} CPU ms, peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
