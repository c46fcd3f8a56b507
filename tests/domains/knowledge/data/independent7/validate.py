#!/usr/bin/env python3
"""Check both halves: JSON, key order, vocabularies, unique ids, no duplicate texts (ignoring spaces/case)."""
import json, os, sys, collections, re
HERE = os.path.dirname(os.path.abspath(__file__))
CATS = set("paper paper_pack clear_pet plastic vinyl styrofoam glass metal clothing electronics battery lighting general food bulk hazardous non_combustible construction".split())
STYLES = set("plain colloquial misspelt unspaced action parenthesis brand size state shape_or_use slang mixed_script".split())
KEYS = ["id", "text", "category", "also", "style"]
errs = []; ids = set(); texts = {}; total = collections.Counter()
for name in ("items7.dev.jsonl", "items7.test.jsonl"):
    for n, line in enumerate(open(os.path.join(HERE, name), encoding="utf-8"), 1):
        where = f"{name}:{n}"
        try:
            o = json.loads(line)
        except Exception as e:
            errs.append(f"{where} bad json {e}"); continue
        if list(o.keys()) != KEYS: errs.append(f"{where} keys {list(o.keys())}")
        if not re.fullmatch(r"v7-\d{4}", str(o.get("id"))): errs.append(f"{where} id format")
        if o.get("id") in ids: errs.append(f"{where} dup id {o.get('id')}")
        ids.add(o.get("id"))
        t = o.get("text")
        if not isinstance(t, str) or not t.strip(): errs.append(f"{where} empty text")
        else:
            k = re.sub(r"\s+", "", t).lower()
            if k in texts: errs.append(f"{where} dup text with {texts[k]}: {t}")
            texts[k] = where
        if o.get("category") not in CATS: errs.append(f"{where} category {o.get('category')}")
        a = o.get("also")
        if not isinstance(a, list) or any(x not in CATS for x in a) or o.get("category") in a or len(set(a)) != len(a):
            errs.append(f"{where} also {a}")
        if o.get("style") not in STYLES: errs.append(f"{where} style {o.get('style')}")
        total[name] += 1
print(dict(total), "errors:", len(errs))
for e in errs: print(" ", e)
sys.exit(1 if errs else 0)
