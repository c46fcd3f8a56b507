#!/usr/bin/env python3
"""Validate items2/intents2 dev+test files and print per-half count tables (markdown)."""
import json, re, sys
from collections import Counter
from build_all import CATS, STYLES, INTENTS, KINDS

def load(fn):
    out = []
    for n, l in enumerate(open(fn, encoding="utf-8"), 1):
        try:
            out.append(json.loads(l))
        except Exception as e:
            sys.exit(f"{fn}:{n} does not parse: {e}")
    return out

norm = lambda s: re.sub(r"[\s\W_]+", "", s.lower())
errs = []
halves = {}
for base, keys in (("items2", {"id", "text", "category", "also", "style"}),
                   ("intents2", {"id", "text", "intents", "previous", "kind"})):
    ids, texts = {}, {}
    for h in ("dev", "test"):
        recs = load(f"{base}.{h}.jsonl"); halves[(base, h)] = recs
        for r in recs:
            if set(r) != keys: errs.append(f"{base}.{h} {r.get('id')}: keys {sorted(r)}")
            if r["id"] in ids: errs.append(f"dup id {r['id']}")
            ids[r["id"]] = h
            k = norm(r["text"]) + ("|" + norm(r["previous"]) if r.get("previous") else "")
            if k in texts: errs.append(f"dup text {r['id']} vs {texts[k]}: {r['text']}")
            texts[k] = r["id"]
            if not r["text"].strip(): errs.append(f"empty text {r['id']}")
            if base == "items2":
                if not re.fullmatch(r"v2-\d{4}", r["id"]): errs.append(f"bad id {r['id']}")
                if r["category"] not in CATS: errs.append(f"bad cat {r['id']}")
                if r["style"] not in STYLES: errs.append(f"bad style {r['id']}")
                if not isinstance(r["also"], list) or any(a not in CATS or a == r["category"] for a in r["also"]):
                    errs.append(f"bad also {r['id']}")
            else:
                if not re.fullmatch(r"w2-\d{4}", r["id"]): errs.append(f"bad id {r['id']}")
                if not r["intents"] or any(i not in INTENTS for i in r["intents"]): errs.append(f"bad intents {r['id']}")
                if r["kind"] not in KINDS: errs.append(f"bad kind {r['id']}")
                if (r["kind"] == "followup") != (r["previous"] is not None): errs.append(f"bad previous {r['id']}")

def table(title, keys, counter_fn, base):
    d, t = counter_fn(halves[(base, "dev")]), counter_fn(halves[(base, "test")])
    print(f"\n| {title} | dev | test | total |\n|---|---:|---:|---:|")
    for k in keys:
        print(f"| {k} | {d[k]} | {t[k]} | {d[k]+t[k]} |")
    print(f"| **total** | {sum(d.values())} | {sum(t.values())} | {sum(d.values())+sum(t.values())} |")

table("category", CATS, lambda rs: Counter(r["category"] for r in rs), "items2")
table("style", STYLES, lambda rs: Counter(r["style"] for r in rs), "items2")
table("lines with non-empty `also`", ["also"], lambda rs: Counter("also" for r in rs if r["also"]), "items2")
table("intent (occurrences)", INTENTS, lambda rs: Counter(i for r in rs for i in r["intents"]), "intents2")
table("intent (messages containing it)", INTENTS, lambda rs: Counter(i for r in rs for i in set(r["intents"])), "intents2")
table("kind", KINDS, lambda rs: Counter(r["kind"] for r in rs), "intents2")
table("number of intents per message", [1, 2, 3], lambda rs: Counter(len(r["intents"]) for r in rs), "intents2")
allint = halves[("intents2", "dev")] + halves[("intents2", "test")]
n = len(allint)
comp = sum(r["kind"] == "compound" for r in allint); mc = sum(r["kind"] in ("misspelt", "colloquial") for r in allint)
print(f"\ncompound: {comp}/{n} = {comp/n:.1%}; misspelt+colloquial: {mc}/{n} = {mc/n:.1%}; multi-intent messages: {sum(len(r['intents'])>1 for r in allint)}")
allit = halves[("items2", "dev")] + halves[("items2", "test")]
c = Counter(r["category"] for r in allit)
if min(c.values()) < 15: errs.append(f"category under 15: {c}")
if comp / n < 0.30: errs.append("compound < 30%")
if mc / n < 0.20: errs.append("misspelt+colloquial < 20%")
print("\nERRORS:" if errs else "\nVALID: all lines parse, keys valid, ids unique, no duplicate texts across halves")
for e in errs: print(" ", e)
sys.exit(1 if errs else 0)
