"""Seeded 50/50 split of items4.jsonl, stratified by category (seed 20261206).
Within each category the lines are shuffled with random.Random(seed); the first half
(rounded, alternating odd-size remainders between dev and test) goes to dev."""
import json, random, os, collections
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20261206
rows = [json.loads(l) for l in open(os.path.join(HERE, "items4.jsonl"), encoding="utf-8")]
by = collections.defaultdict(list)
for r in rows:
    by[r["category"]].append(r)
rng = random.Random(SEED)
dev, test, odd = [], [], 0
for cat in sorted(by):
    items = sorted(by[cat], key=lambda r: r["id"])
    rng.shuffle(items)
    half = len(items) // 2
    if len(items) % 2:
        half += odd % 2 == 0   # odd-sized categories: extra line to dev, then test, alternately
        odd += 1
    dev += items[:half]; test += items[half:]
for name, part in (("items4.dev.jsonl", dev), ("items4.test.jsonl", test)):
    part.sort(key=lambda r: r["id"])
    path = os.path.join(HERE, name)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise SystemExit(f"{name} is frozen (read-only); refusing to overwrite")
    with open(path, "w", encoding="utf-8") as f:
        for r in part:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(part))
