#!/usr/bin/env python3
"""Validate items5 JSONL files: JSON, exact keys, vocabularies, unique ids,
no duplicate texts (ignoring spaces and case) within or across files.

usage: validate.py [file ...]   (default: items5.dev.jsonl items5.test.jsonl next to tools/)
"""
import json, os, sys

CATS = ["paper", "paper_pack", "clear_pet", "plastic", "vinyl", "styrofoam", "glass", "metal",
        "clothing", "electronics", "battery", "lighting", "general", "food", "bulk", "hazardous",
        "non_combustible", "construction"]
STYLES = ["plain", "colloquial", "misspelt", "unspaced", "action", "parenthesis", "brand", "size",
          "state", "shape_or_use", "slang", "mixed_script"]
KEYS = ["id", "text", "category", "also", "style"]

def norm(t):
    return "".join(t.split()).casefold()

def main(paths):
    errs, ids, texts, n = [], {}, {}, 0
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                where = f"{os.path.basename(p)}:{ln}"
                try:
                    r = json.loads(line)
                except Exception as e:
                    errs.append(f"{where}: bad JSON {e}"); continue
                n += 1
                if not isinstance(r, dict) or list(r.keys()) != KEYS:
                    errs.append(f"{where}: keys {list(r) if isinstance(r, dict) else type(r)} != {KEYS}"); continue
                if not isinstance(r["id"], str) or not r["id"].startswith("v5-"):
                    errs.append(f"{where}: bad id {r['id']!r}")
                if not isinstance(r["text"], str) or not r["text"].strip():
                    errs.append(f"{where}: empty text")
                if r["category"] not in CATS:
                    errs.append(f"{where}: category {r['category']!r}")
                if (not isinstance(r["also"], list) or any(a not in CATS for a in r["also"])
                        or r["category"] in r["also"] or len(set(r["also"])) != len(r["also"])):
                    errs.append(f"{where}: also {r['also']!r}")
                if r["style"] not in STYLES:
                    errs.append(f"{where}: style {r['style']!r}")
                if r["id"] in ids:
                    errs.append(f"{where}: duplicate id {r['id']} (first {ids[r['id']]})")
                ids.setdefault(r["id"], where)
                k = norm(r["text"]) if isinstance(r["text"], str) else ""
                if k in texts:
                    errs.append(f"{where}: duplicate text {r['text']!r} (first {texts[k]})")
                texts.setdefault(k, where)
    for e in errs:
        print("ERROR", e)
    print(f"{n} rows in {len(paths)} file(s); {len(errs)} error(s)")
    return 1 if errs else 0

if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = sys.argv[1:] or [os.path.join(root, "items5.dev.jsonl"), os.path.join(root, "items5.test.jsonl")]
    sys.exit(main(args))
