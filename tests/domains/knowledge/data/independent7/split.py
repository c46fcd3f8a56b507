#!/usr/bin/env python3
"""Seeded shuffle -> ids v7-0001..; then 50/50 split stratified by category (fixed seed)."""
import json, os, random, collections
HERE = os.path.dirname(os.path.abspath(__file__))
SEED_IDS, SEED_SPLIT = 7007, 7117
if os.path.exists(os.path.join(HERE, "FROZEN.sha256")):
    raise SystemExit("items7.test.jsonl is frozen (FROZEN.sha256 exists); refusing to re-split")
pool = [json.loads(l) for l in open(os.path.join(HERE, "pool.jsonl"), encoding="utf-8")]
rng = random.Random(SEED_IDS)
rng.shuffle(pool)
items = []
for i, o in enumerate(pool, 1):
    items.append({"id": "v7-%04d" % i, "text": o["text"], "category": o["category"], "also": o["also"], "style": o["style"]})
by = collections.defaultdict(list)
for it in items:
    by[it["category"]].append(it)
rng2 = random.Random(SEED_SPLIT)
dev, test = [], []
odd_to_dev = True  # categories with an odd count give their extra line alternately to dev and test
for cat in sorted(by):
    lst = by[cat][:]
    rng2.shuffle(lst)
    # stable sort by style after the seeded shuffle, then deal alternately:
    # each half gets half of every category and roughly half of every style within it
    lst.sort(key=lambda it: it["style"])
    if len(lst) % 2:
        start_dev = odd_to_dev
        odd_to_dev = not odd_to_dev
    else:
        start_dev = rng2.random() < 0.5
    for i, it in enumerate(lst):
        to_dev = (i % 2 == 0) == start_dev
        (dev if to_dev else test).append(it)
key = lambda it: it["id"]
for name, part in (("items7.dev.jsonl", dev), ("items7.test.jsonl", test)):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for it in sorted(part, key=key):
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    print(name, len(part))
