"""Build intents.{dev,test}.jsonl from source.txt (authored by hand).

Run once; the test half is frozen afterwards (see README.md / FROZEN.sha256).
"""

import json
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = {
    "w": "waste",
    "c": "character",
    "l": "location",
    "p": "collection_point",
    "b": "bulk_waste",
    "r": "recyclable_price",
    "t": "weather",
    "s": "web_search",
    "i": "image_generation",
    "g": "general",
}
KINDS = {
    "S": "single",
    "C": "compound",
    "Q": "colloquial",
    "T": "misspelt",
    "U": "unspaced",
    "M": "multiturn",
}
SEED = 20261206


def codes(s):
    return [CODES[c.strip()] for c in s.split(",")]


def parse():
    items = []
    for line in (HERE / "source.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, rest = line.split(" | ", 1)
        if kind == "M":
            prev, cur = rest.split(" || ")
            pc, pt = prev.split(" | ", 1)
            cc, ct = cur.split(" | ", 1)
            previous = {"text": pt.strip(), "intents": codes(pc)}
            text, intents = ct.strip(), codes(cc)
        else:
            c, text = rest.split(" | ", 1)
            previous, text, intents = None, text.strip(), codes(c)
        items.append(
            {
                "id": f"i{len(items) + 1:04d}",
                "text": text,
                "intents": intents,
                "previous": previous,
                "kind": KINDS[kind],
            }
        )
    return items


def split(items):
    rng = random.Random(SEED)
    shuffled = list(items)
    rng.shuffle(shuffled)
    by_kind = defaultdict(list)
    for it in shuffled:  # keeps shuffled order inside each kind
        by_kind[it["kind"]].append(it)
    dev_ids, test_ids = set(), set()
    for kind in sorted(by_kind):  # stratified 50/50 per kind
        group = by_kind[kind]
        half = len(group) // 2
        dev_ids.update(x["id"] for x in group[:half])
        test_ids.update(x["id"] for x in group[half:])
    dev = [x for x in shuffled if x["id"] in dev_ids]
    test = [x for x in shuffled if x["id"] in test_ids]
    return dev, test


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    items = parse()
    dev, test = split(items)
    write(HERE / "intents.dev.jsonl", dev)
    write(HERE / "intents.test.jsonl", test)
    print(len(items), "items:", len(dev), "dev /", len(test), "test")
