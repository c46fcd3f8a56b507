#!/usr/bin/env python3
"""Seeded shuffle -> ids -> 50/50 split stratified by (category, style).

Refuses to run when ../FROZEN-items3.sha256 exists (the test half is frozen).
Reads ../items3.pool.jsonl (written by items3_build.py) and deletes it afterwards,
because the pool contains the test half.
"""
import json, pathlib, random, sys, collections

SEED = 20240603
V3 = pathlib.Path(__file__).resolve().parent.parent
POOL = V3 / "items3.pool.jsonl"
FROZEN = V3 / "FROZEN-items3.sha256"

if FROZEN.exists():
    sys.exit(f"refusing to split: {FROZEN.name} exists (test half is frozen)")
rows = [json.loads(l) for l in POOL.read_text(encoding="utf-8").splitlines() if l.strip()]
rng = random.Random(SEED)
rng.shuffle(rows)
for i, r in enumerate(rows, 1):
    r["id"] = f"v3-{i:04d}"

groups = collections.defaultdict(list)
for r in rows:
    groups[(r["category"], r["style"])].append(r)
dev, test = [], []
leftovers = []
for key in sorted(groups):
    g = groups[key]  # already in shuffled (id) order
    half = len(g) // 2
    dev.extend(g[:half]); test.extend(g[half:2 * half])
    if len(g) % 2:
        leftovers.append(g[-1])
# one leftover per odd (category, style) cell: place each on the side that keeps
# category, style and total counts balanced (deterministic greedy)
cnt = {"dev": collections.Counter(), "test": collections.Counter()}
for side, half_rows in (("dev", dev), ("test", test)):
    for r in half_rows:
        cnt[side]["c:" + r["category"]] += 1; cnt[side]["s:" + r["style"]] += 1; cnt[side]["all"] += 1
for r in leftovers:
    keys = ("c:" + r["category"], "s:" + r["style"], "all")
    def cost(side):
        other = "test" if side == "dev" else "dev"
        return sum(abs(cnt[side][k] + 1 - cnt[other][k]) for k in keys)
    side = "dev" if cost("dev") <= cost("test") else "test"
    (dev if side == "dev" else test).append(r)
    for k in keys:
        cnt[side][k] += 1
if len(dev) != len(test):
    sys.exit(f"unbalanced halves {len(dev)}/{len(test)}")

order = ("id", "text", "category", "also", "style")
for name, half in (("items3.dev.jsonl", dev), ("items3.test.jsonl", test)):
    half.sort(key=lambda r: r["id"])
    with (V3 / name).open("w", encoding="utf-8") as f:
        for r in half:
            f.write(json.dumps({k: r[k] for k in order}, ensure_ascii=False) + "\n")
    print(name, len(half))
POOL.unlink()
print("deleted", POOL.name)
