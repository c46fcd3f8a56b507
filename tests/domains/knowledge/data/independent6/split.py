"""Stratified 50/50 split by category, seed 20261208, halves exactly 300/300.
Within each category the records are shuffled and halved; for categories with an odd count the
extra record goes alternately to dev and test (in sorted category order), which yields 300/300."""
import json, random, pathlib, collections, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from build import load, ROOT

SEED = 20261208


def main():
    if (ROOT / "FROZEN.sha256").exists():
        sys.exit("items6.test.jsonl is frozen (FROZEN.sha256 exists); refusing to re-split")
    recs = load()
    by = collections.defaultdict(list)
    for r in recs:
        by[r["category"]].append(r)
    rng = random.Random(SEED)
    dev, test, odd = [], [], 0
    for cat in sorted(by):
        items = by[cat][:]
        rng.shuffle(items)
        half = len(items) // 2
        if len(items) % 2:
            extra_to_dev = (odd % 2 == 0)
            odd += 1
            cut = half + 1 if extra_to_dev else half
        else:
            cut = half
        dev += items[:cut]
        test += items[cut:]
    assert len(dev) == 300 and len(test) == 300, (len(dev), len(test))
    key = lambda r: r["id"]
    for name, part in (("items6.dev.jsonl", dev), ("items6.test.jsonl", test)):
        with open(ROOT / name, "w", encoding="utf-8") as f:
            for r in sorted(part, key=key):
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("dev", len(dev), "test", len(test))


if __name__ == "__main__":
    main()
