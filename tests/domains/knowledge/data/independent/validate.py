"""Validate the Eco² item eval set: parses, keys, categories, styles, unique ids, counts."""

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATS = [
    "paper",
    "paper_pack",
    "clear_pet",
    "plastic",
    "vinyl",
    "styrofoam",
    "glass",
    "metal",
    "clothing",
    "electronics",
    "battery",
    "lighting",
    "general",
    "food",
    "bulk",
    "hazardous",
    "non_combustible",
    "construction",
]
STYLES = [
    "plain",
    "colloquial",
    "misspelt",
    "unspaced",
    "action",
    "parenthesis",
    "brand",
    "size",
    "state",
    "shape_or_use",
]
KEYS = {"id", "text", "category", "also", "style"}


def load(name):
    rows = []
    with open(HERE / name, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            assert set(r) == KEYS, (name, n, set(r))
            assert isinstance(r["text"], str) and r["text"].strip(), (name, n)
            assert r["category"] in CATS, (name, n, r["category"])
            assert isinstance(r["also"], list), (name, n)
            assert all(a in CATS and a != r["category"] for a in r["also"]), (name, n, r["also"])
            assert r["style"] in STYLES, (name, n, r["style"])
            rows.append(r)
    return rows


def main():
    dev, test = load("items.dev.jsonl"), load("items.test.jsonl")
    allr = dev + test
    ids = [r["id"] for r in allr]
    assert len(ids) == len(set(ids)), "duplicate ids"
    texts = [r["text"] for r in allr]
    assert len(texts) == len(set(texts)), "duplicate texts"
    assert len(allr) >= 440, len(allr)
    cd, ct = Counter(r["category"] for r in dev), Counter(r["category"] for r in test)
    for c in CATS:
        assert cd[c] + ct[c] >= 12, (c, cd[c] + ct[c])
        assert cd[c] >= 1 and ct[c] >= 1, c
    print(f"total {len(allr)}  dev {len(dev)}  test {len(test)}")
    print(f"{'category':16s} {'dev':>4s} {'test':>4s} {'all':>4s}")
    for c in CATS:
        print(f"{c:16s} {cd[c]:4d} {ct[c]:4d} {cd[c] + ct[c]:4d}")
    sd, st = Counter(r["style"] for r in dev), Counter(r["style"] for r in test)
    print(f"{'style':16s} {'dev':>4s} {'test':>4s} {'all':>4s}")
    for s in STYLES:
        print(f"{s:16s} {sd[s]:4d} {st[s]:4d} {sd[s] + st[s]:4d}")
    ad, at = sum(bool(r["also"]) for r in dev), sum(bool(r["also"]) for r in test)
    print(f"with non-empty also: dev {ad}  test {at}")
    print("OK")


if __name__ == "__main__":
    sys.exit(main())
