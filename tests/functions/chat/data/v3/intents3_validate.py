#!/usr/bin/env python3
"""Validate intents3 files: parse, keys, ids, kinds, label rules, duplicate texts.

usage: intents3_validate.py FILE [FILE ...]   (default: dev + test halves)
Duplicates are checked after normalising (lower-case, no spaces, no punctuation),
within and across all given files.
"""
import json, pathlib, re, sys, unicodedata
from collections import Counter

ROOT = pathlib.Path(__file__).resolve().parent.parent
INTENTS = {"waste", "character", "location", "bulk_waste", "recyclable_price",
           "collection_point", "weather", "web_search", "image_generation", "general"}
KINDS = {"single", "compound", "misspelt", "colloquial", "followup", "short"}
KEYS_FINAL = {"id", "text", "intents", "previous", "kind"}

def norm(t):
    t = unicodedata.normalize("NFC", t).lower()
    return "".join(ch for ch in t if not (ch.isspace() or unicodedata.category(ch).startswith(("P", "S"))))

def main(files):
    errs, seen_text, seen_id, rows = [], {}, set(), []
    for fn in files:
        for n, line in enumerate(open(fn, encoding="utf-8"), 1):
            where = f"{pathlib.Path(fn).name}:{n}"
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append(f"{where}: bad json {e}"); continue
            keys = set(r) - {"_src"}
            if "id" in r and keys != KEYS_FINAL:
                errs.append(f"{where}: keys {sorted(keys)}")
            if "id" in r:
                if not re.fullmatch(r"w3-\d{4}", r["id"]): errs.append(f"{where}: id {r['id']}")
                if r["id"] in seen_id: errs.append(f"{where}: duplicate id {r['id']}")
                seen_id.add(r["id"])
            t, its, k, p = r["text"], r["intents"], r["kind"], r["previous"]
            if not isinstance(t, str) or not t.strip(): errs.append(f"{where}: empty text")
            if not its or any(i not in INTENTS for i in its): errs.append(f"{where}: intents {its}")
            if k not in KINDS: errs.append(f"{where}: kind {k}")
            if (k == "followup") != (p is not None): errs.append(f"{where}: previous vs kind")
            if p is not None and (not isinstance(p, str) or not p.strip()): errs.append(f"{where}: previous empty")
            nw = len(t.split())
            if k == "compound" and len(its) < 2: errs.append(f"{where}: compound with 1 intent")
            if k != "compound" and len(its) != 1: errs.append(f"{where}: {k} with {len(its)} intents")
            if k == "short" and not 1 <= nw <= 3: errs.append(f"{where}: short has {nw} words")
            if k in {"single", "misspelt", "colloquial", "compound"} and nw <= 3:
                errs.append(f"{where}: {k} has only {nw} words (would be short)")
            key = norm(t)
            if key in seen_text: errs.append(f"{where}: duplicate text of {seen_text[key]}: {t}")
            seen_text[key] = where
            rows.append(r)
    kinds = Counter(r["kind"] for r in rows)
    occ = Counter(i for r in rows for i in r["intents"])
    print(f"{len(rows)} rows; kinds {dict(kinds)}")
    print(f"intent occurrences {dict(occ)}")
    for e in errs: print("ERROR", e)
    return 1 if errs else 0

if __name__ == "__main__":
    args = sys.argv[1:] or [str(ROOT / "intents3.dev.jsonl"), str(ROOT / "intents3.test.jsonl")]
    sys.exit(main(args))
