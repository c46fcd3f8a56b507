"""Validate items8.{dev,test}.jsonl: JSON, key order, vocabularies, unique ids, no duplicate texts (spaces/case ignored)."""
import json, sys, collections
CATS = {"paper","paper_pack","clear_pet","plastic","vinyl","styrofoam","glass","metal","clothing",
        "electronics","battery","lighting","general","food","bulk","hazardous","non_combustible","construction"}
STYLES = {"plain","colloquial","misspelt","unspaced","action","parenthesis","brand","size","state",
          "shape_or_use","slang","mixed_script"}
KEYS = ["id","text","category","also","style"]
err = []; ids = set(); texts = {}; allrows = []
for fn in ("items8.dev.jsonl", "items8.test.jsonl"):
    for n, line in enumerate(open(fn, encoding="utf-8"), 1):
        try: r = json.loads(line)
        except Exception as e: err.append(f"{fn}:{n} bad json {e}"); continue
        if list(r) != KEYS: err.append(f"{fn}:{n} keys {list(r)}")
        if r["category"] not in CATS: err.append(f"{fn}:{n} category {r['category']}")
        if r["style"] not in STYLES: err.append(f"{fn}:{n} style {r['style']}")
        if not isinstance(r["also"], list) or any(a not in CATS or a == r["category"] for a in r["also"]) or len(set(r["also"])) != len(r["also"]):
            err.append(f"{fn}:{n} also {r['also']}")
        if not r["text"].strip(): err.append(f"{fn}:{n} empty text")
        if r["id"] in ids: err.append(f"{fn}:{n} dup id {r['id']}")
        ids.add(r["id"])
        k = "".join(r["text"].split()).lower()
        if k in texts: err.append(f"{fn}:{n} dup text {r['text']!r} ~ {texts[k]}")
        texts[k] = r["id"]; allrows.append((fn, r))
dev = [r for f, r in allrows if "dev" in f]; test = [r for f, r in allrows if "test" in f]
if len(dev) != 300 or len(test) != 300: err.append(f"sizes {len(dev)} {len(test)}")
cat = collections.Counter(r["category"] for _, r in allrows)
sty = collections.Counter(r["style"] for _, r in allrows)
if min(cat.values()) < 15 or len(cat) != 18: err.append(f"category minimum {cat}")
if sty["shape_or_use"] < 50 or sty["mixed_script"] < 35: err.append(f"style minimum {sty}")
if sty["plain"] > 0.2 * len(allrows): err.append(f"too many plain {sty['plain']}")
for e in err: print(e)
print("OK" if not err else f"{len(err)} errors", len(dev), len(test))
sys.exit(1 if err else 0)
