#!/usr/bin/env python3
"""Shuffle the intents3 pool with a fixed seed, assign ids, split 50/50 stratified
by (kind, first intent), write intents3.dev.jsonl / intents3.test.jsonl, delete the pool.
Refuses to run once FROZEN-intents3.sha256 exists (the test half is frozen).
"""
import json, pathlib, random, sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
POOL = ROOT / "intents3.pool.jsonl"
FROZEN = ROOT / "FROZEN-intents3.sha256"
SEED = 20250603

def main():
    if FROZEN.exists():
        sys.exit(f"refusing: {FROZEN.name} exists; the test half is frozen")
    rows = [json.loads(l) for l in POOL.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(SEED)
    rng.shuffle(rows)
    out = []
    for i, r in enumerate(rows, 1):
        out.append({"id": f"w3-{i:04d}", "text": r["text"], "intents": r["intents"],
                    "previous": r["previous"], "kind": r["kind"]})
    strata = defaultdict(list)
    for r in out:
        strata[(r["kind"], r["intents"][0])].append(r)
    dev, test = [], []
    turn = 0  # alternate globally so both halves end at exactly 200 and each stratum differs by <= 1
    for key in sorted(strata):
        for r in strata[key]:
            (dev if turn % 2 == 0 else test).append(r)
            turn += 1
    for name, part in (("dev", dev), ("test", test)):
        part.sort(key=lambda r: r["id"])
        with (ROOT / f"intents3.{name}.jsonl").open("w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(name, len(part))
    POOL.unlink()
    print("pool deleted")

if __name__ == "__main__":
    main()
