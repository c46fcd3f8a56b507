"""Stratified 50/50 split by category with a fixed seed. Odd-sized categories alternate the extra line."""
import json, random, collections
rows = [json.loads(l) for l in open("items8.all.jsonl", encoding="utf-8")]
by = collections.defaultdict(list)
for r in rows: by[r["category"]].append(r)
rng = random.Random(20261206)
dev, test = [], []
extra_to_dev = True
for c in sorted(by):
    g = by[c][:]; rng.shuffle(g)
    h = len(g) // 2
    if len(g) % 2:
        h += 1 if extra_to_dev else 0
        extra_to_dev = not extra_to_dev
    dev += g[:h]; test += g[h:]
key = lambda r: r["id"]
for name, part in (("items8.dev.jsonl", dev), ("items8.test.jsonl", test)):
    with open(name, "w", encoding="utf-8") as f:
        for r in sorted(part, key=key): f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(part))
