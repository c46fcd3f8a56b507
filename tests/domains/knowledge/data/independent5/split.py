#!/usr/bin/env python3
"""50/50 split stratified by category, seed 20261207, halves exactly 300/300.

Every category has an even count, so each category is halved exactly; if an odd
category ever appears, its extra row alternates between halves and the halves are
then balanced to equal size. Output rows keep their ids and are sorted by id.
"""
import json, os, random, sys
from collections import defaultdict

SEED = 20261207

def main(src, out_dir):
    rows = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
    by = defaultdict(list)
    for r in rows:
        by[r["category"]].append(r)
    rng = random.Random(SEED)
    dev, test, flip = [], [], 0
    for cat in sorted(by):
        grp = sorted(by[cat], key=lambda r: r["id"])
        rng.shuffle(grp)
        h = len(grp) // 2
        if len(grp) % 2:
            h += flip; flip ^= 1
        dev += grp[:h]; test += grp[h:]
    assert len(dev) == len(test) == len(rows) // 2, (len(dev), len(test))
    for name, part in (("items5.dev.jsonl", dev), ("items5.test.jsonl", test)):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as fh:
            for r in sorted(part, key=lambda r: r["id"]):
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"dev {len(dev)} test {len(test)}")

if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "work", "items5.all.jsonl"), root)
