"""Validate the v9 item evaluation set (all / dev / test)."""
import json, re, sys
from collections import Counter
CATS = ["general", "plastic", "electronics", "food", "paper", "metal", "glass", "vinyl", "hazardous",
        "bulk", "clothing", "non_combustible", "clear_pet", "battery", "styrofoam", "paper_pack",
        "construction", "lighting"]
STYLES = ["plain", "colloquial", "misspelt", "unspaced", "action", "parenthesis", "brand", "size",
          "state", "shape_or_use", "slang", "mixed_script"]
KEYS = ["id", "text", "category", "also", "style"]
errors = []

def load(path):
    rows = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            d = json.loads(line, object_pairs_hook=list)
        except Exception as e:
            errors.append(f"{path}:{n}: bad JSON {e}")
            continue
        if [k for k, _ in d] != KEYS:
            errors.append(f"{path}:{n}: key order {[k for k, _ in d]}")
        rows.append(dict(d))
    return rows

def check(path, rows):
    ids = Counter(r.get("id") for r in rows)
    for i, c in ids.items():
        if c > 1: errors.append(f"{path}: duplicate id {i}")
    norm = Counter(re.sub(r"\s+", "", r.get("text", "")).lower() for r in rows)
    for t, c in norm.items():
        if c > 1: errors.append(f"{path}: duplicate text {t}")
    for r in rows:
        rid = r.get("id", "?")
        if not re.fullmatch(r"v9-\d{4}", str(rid)): errors.append(f"{rid}: bad id")
        if not isinstance(r.get("text"), str) or not r["text"].strip(): errors.append(f"{rid}: empty text")
        if r.get("category") not in CATS: errors.append(f"{rid}: bad category {r.get('category')}")
        if r.get("style") not in STYLES: errors.append(f"{rid}: bad style {r.get('style')}")
        also = r.get("also")
        if not isinstance(also, list): errors.append(f"{rid}: also not a list")
        else:
            for a in also:
                if a not in CATS: errors.append(f"{rid}: bad also {a}")
                if a == r.get("category"): errors.append(f"{rid}: also equals category")
            if len(set(also)) != len(also): errors.append(f"{rid}: repeated also")
        if r.get("style") == "mixed_script" and not re.search(r"[A-Za-z]", r.get("text", "")):
            errors.append(f"{rid}: mixed_script without Latin letters")
        if r.get("style") == "unspaced" and " " in r.get("text", ""):
            errors.append(f"{rid}: unspaced line contains a space")

all_rows = load("items9.all.jsonl")
dev = load("items9.dev.jsonl")
test = load("items9.test.jsonl")
for p, rows in (("all", all_rows), ("dev", dev), ("test", test)):
    check(p, rows)
if len(all_rows) != 600: errors.append(f"all has {len(all_rows)} rows, want 600")
if len(dev) != 300 or len(test) != 300: errors.append(f"split {len(dev)}/{len(test)}, want 300/300")
if sorted(r["id"] for r in all_rows) != [f"v9-{i:04d}" for i in range(1, 601)]:
    errors.append("ids are not v9-0001..v9-0600")
key = lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True)
if sorted(map(key, dev + test)) != sorted(map(key, all_rows)): errors.append("dev+test != all")
if {r["id"] for r in dev} & {r["id"] for r in test}: errors.append("dev and test overlap")
cat = Counter(r["category"] for r in all_rows)
for c in CATS:
    if cat[c] < 15: errors.append(f"category {c} has {cat[c]} < 15")
for c in CATS:
    d = sum(r["category"] == c for r in dev); t = sum(r["category"] == c for r in test)
    if abs(d - t) > 1: errors.append(f"category {c} not stratified: {d}/{t}")
sty = Counter(r["style"] for r in all_rows)
if sty["shape_or_use"] < 50: errors.append(f"shape_or_use {sty['shape_or_use']} < 50")
if sty["mixed_script"] < 35: errors.append(f"mixed_script {sty['mixed_script']} < 35")
if sty["plain"] > 0.2 * len(all_rows): errors.append(f"plain {sty['plain']} > 20%")
for p, rows in (("dev", dev), ("test", test)):
    pl = sum(r["style"] == "plain" for r in rows)
    if pl > 0.2 * len(rows): errors.append(f"{p}: plain {pl} > 20%")
if errors:
    print("\n".join(errors)); print(f"FAIL ({len(errors)} problems)"); sys.exit(1)
print("OK: 600 rows, 300/300, categories", dict(cat))
print("styles", dict(sty))
