#!/usr/bin/env python3
"""Build the full pools (items2.all.jsonl, intents2.all.jsonl) from the hand-written sources in src/.

Source formats (one record per line, '|' separated):
  items:   category|style|text[|also1,also2]
  intents: kind|intent1,intent2,...|text[|previous]
IDs are assigned after a seeded shuffle so that id order carries no label information.
"""
import glob, json, random

CATS = ["paper", "paper_pack", "clear_pet", "plastic", "vinyl", "styrofoam", "glass", "metal",
        "clothing", "electronics", "battery", "lighting", "general", "food", "bulk", "hazardous",
        "non_combustible", "construction"]
STYLES = ["plain", "colloquial", "misspelt", "unspaced", "action", "parenthesis", "brand", "size",
          "state", "shape_or_use", "slang", "mixed_script"]
INTENTS = ["waste", "character", "location", "bulk_waste", "recyclable_price", "collection_point",
           "weather", "web_search", "image_generation", "general"]
KINDS = ["single", "compound", "misspelt", "colloquial", "followup", "short"]


def lines(pattern):
    for fn in sorted(glob.glob(pattern)):
        for ln in open(fn, encoding="utf-8"):
            ln = ln.rstrip("\n")
            if ln.strip():
                yield ln


def build_items():
    recs = []
    for ln in lines("src/items_src*.txt"):
        parts = ln.split("|")
        assert len(parts) in (3, 4), ln
        cat, style, text = parts[0], parts[1], parts[2].strip()
        also = [a for a in parts[3].split(",") if a] if len(parts) == 4 else []
        assert cat in CATS and style in STYLES and all(a in CATS and a != cat for a in also), ln
        recs.append({"text": text, "category": cat, "also": also, "style": style})
    random.Random(20261206).shuffle(recs)
    out = []
    for i, r in enumerate(recs, 1):
        out.append({"id": f"v2-{i:04d}", **r})
    return out


def build_intents():
    recs = []
    for ln in lines("src/intents_src*.txt"):
        parts = ln.split("|")
        assert len(parts) in (3, 4), ln
        kind, ints, text = parts[0], parts[1].split(","), parts[2].strip()
        prev = parts[3].strip() if len(parts) == 4 and parts[3].strip() else None
        assert kind in KINDS and all(i in INTENTS for i in ints), ln
        assert (kind == "followup") == (prev is not None), ln
        assert (kind == "compound") == (len(ints) > 1) or kind in ("misspelt", "colloquial"), ln
        recs.append({"text": text, "intents": ints, "previous": prev, "kind": kind})
    random.Random(20261207).shuffle(recs)
    return [{"id": f"w2-{i:04d}", **r} for i, r in enumerate(recs, 1)]


if __name__ == "__main__":
    for name, recs in (("items2.all.jsonl", build_items()), ("intents2.all.jsonl", build_intents())):
        with open(name, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(name, len(recs))
