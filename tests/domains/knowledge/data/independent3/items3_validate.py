#!/usr/bin/env python3
"""Validate items3.dev.jsonl / items3.test.jsonl: parse, keys, ids, duplicates, style checks."""
import json, pathlib, re, sys, collections, unicodedata

V3 = pathlib.Path(__file__).resolve().parent.parent
CATS = {"paper", "paper_pack", "clear_pet", "plastic", "vinyl", "styrofoam", "glass", "metal",
        "clothing", "electronics", "battery", "lighting", "general", "food", "bulk", "hazardous",
        "non_combustible", "construction"}
STYLES = {"plain", "colloquial", "misspelt", "unspaced", "action", "parenthesis", "brand", "size",
          "state", "shape_or_use", "slang", "mixed_script"}
KEYS = ["id", "text", "category", "also", "style"]


def norm(t):
    t = unicodedata.normalize("NFKC", t).lower()
    return "".join(ch for ch in t if not (ch.isspace() or unicodedata.category(ch).startswith("P")))


errors, seen_ids, seen_text = [], {}, {}
counts = {}
for name in ("items3.dev.jsonl", "items3.test.jsonl"):
    path = V3 / name
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{name}:{n}"
        try:
            r = json.loads(line)
        except Exception as e:
            errors.append(f"{where}: not JSON ({e})"); continue
        if list(r) != KEYS:
            errors.append(f"{where}: keys {list(r)}")
        if not re.fullmatch(r"v3-\d{4}", str(r.get("id"))):
            errors.append(f"{where}: bad id {r.get('id')}")
        if r.get("id") in seen_ids:
            errors.append(f"{where}: duplicate id (also {seen_ids[r['id']]})")
        seen_ids[r.get("id")] = where
        if r.get("category") not in CATS:
            errors.append(f"{where}: bad category")
        also = r.get("also")
        if not isinstance(also, list) or any(a not in CATS or a == r.get("category") for a in also) \
                or len(set(also)) != len(also):
            errors.append(f"{where}: bad also {also}")
        if r.get("style") not in STYLES:
            errors.append(f"{where}: bad style")
        text = r.get("text", "")
        if not isinstance(text, str) or not text.strip() or text != text.strip():
            errors.append(f"{where}: empty/untrimmed text")
        k = norm(text)
        if k in seen_text:
            errors.append(f"{where}: duplicate text after normalising (also {seen_text[k]})")
        seen_text[k] = where
        if r.get("style") == "unspaced" and " " in text:
            errors.append(f"{where}: unspaced line contains a space")
        if r.get("style") == "mixed_script" and not re.search(r"[A-Za-z]", text):
            errors.append(f"{where}: mixed_script line has no Latin letters")
        if not re.search(r"[가-힣]", text):
            errors.append(f"{where}: no Hangul")
        rows.append(r)
    counts[name] = rows

all_rows = [r for rows in counts.values() for r in rows]
cat_total = collections.Counter(r["category"] for r in all_rows)
for c in CATS:
    if cat_total[c] < 15:
        errors.append(f"category {c} has only {cat_total[c]} lines")
plain = sum(r["style"] == "plain" for r in all_rows)
if plain * 3 > len(all_rows):
    errors.append(f"plain {plain} > a third")
if len(counts["items3.dev.jsonl"]) != len(counts["items3.test.jsonl"]):
    errors.append("halves differ in size")

for name, rows in counts.items():
    print(name, len(rows))
print("total", len(all_rows), "plain", plain)
if errors:
    print("\n".join(errors)); sys.exit(1)
print("OK")
