"""Stratified 50/50 split of items9.all.jsonl by category into dev/test (seeded).
Categories with an odd count give their extra item alternately to dev and test."""
import json, random
from collections import defaultdict
rows = [json.loads(l) for l in open("items9.all.jsonl", encoding="utf-8")]
by = defaultdict(list)
for r in rows:
    by[r["category"]].append(r)
rng = random.Random(909)
dev, test = [], []
extra_to_dev = True
for cat in sorted(by):
    items = by[cat][:]
    rng.shuffle(items)
    half = len(items) // 2
    if len(items) % 2:
        if extra_to_dev:
            half += 1
        extra_to_dev = not extra_to_dev
    dev += items[:half]
    test += items[half:]
key = lambda r: r["id"]
for name, part in (("items9.dev.jsonl", dev), ("items9.test.jsonl", test)):
    with open(name, "w", encoding="utf-8") as out:
        for r in sorted(part, key=key):
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(dev), len(test))
