"""Validate the intent eval set and print counts per intent and kind for each half."""

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
INTENTS = [
    "waste",
    "character",
    "location",
    "collection_point",
    "bulk_waste",
    "recyclable_price",
    "weather",
    "web_search",
    "image_generation",
    "general",
]
KINDS = ["single", "compound", "colloquial", "misspelt", "unspaced", "multiturn"]
errors = []


def load(name):
    rows = []
    for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{name}:{n}: bad JSON: {e}")
            continue
        if set(r) != {"id", "text", "intents", "previous", "kind"}:
            errors.append(f"{name}:{n}: keys {sorted(r)}")
        if not isinstance(r.get("text"), str) or not r["text"].strip():
            errors.append(f"{name}:{n}: empty text")
        ints = r.get("intents")
        if (
            not isinstance(ints, list)
            or not 1 <= len(ints) <= 3
            or any(i not in INTENTS for i in ints)
        ):
            errors.append(f"{name}:{n}: bad intents {ints}")
        if r.get("kind") not in KINDS:
            errors.append(f"{name}:{n}: bad kind {r.get('kind')}")
        prev = r.get("previous")
        if r.get("kind") == "multiturn":
            if not (
                isinstance(prev, dict)
                and set(prev) == {"text", "intents"}
                and prev["text"].strip()
                and prev["intents"]
                and all(i in INTENTS for i in prev["intents"])
            ):
                errors.append(f"{name}:{n}: multiturn needs previous {{text,intents}}")
        elif prev is not None:
            errors.append(f"{name}:{n}: previous must be null for kind {r.get('kind')}")
        if r.get("kind") == "compound" and len(ints) < 2:
            errors.append(f"{name}:{n}: compound with <2 intents")
        if r.get("kind") in ("single", "colloquial", "misspelt", "unspaced") and len(ints) != 1:
            errors.append(f"{name}:{n}: {r['kind']} must have exactly one intent")
        if r.get("kind") == "unspaced" and " " in r["text"]:
            errors.append(f"{name}:{n}: unspaced text contains a space")
        rows.append(r)
    return rows


def table(label, rows):
    ic = Counter(i for r in rows for i in set(r["intents"]))
    kc = Counter(r["kind"] for r in rows)
    print(f"== {label}: {len(rows)} messages")
    print("  intents (messages containing it):", {i: ic[i] for i in INTENTS})
    print("  kinds:", {k: kc[k] for k in KINDS})
    multi = sum(len(r["intents"]) >= 2 for r in rows)
    same = sum(len(r["intents"]) != len(set(r["intents"])) for r in rows)
    triple = sum(len(r["intents"]) == 3 for r in rows)
    short = sum(len(r["text"].split()) <= 3 and r["kind"] != "unspaced" for r in rows)
    print(
        f"  multi-intent: {multi}  (3 intents: {triple}, repeated intent: {same});"
        f" 1-3 word messages (excl. unspaced): {short}"
    )
    return ic, kc


dev, test = load("intents.dev.jsonl"), load("intents.test.jsonl")
allrows = dev + test
ids = [r["id"] for r in allrows]
if len(ids) != len(set(ids)):
    errors.append("duplicate ids")
texts = [(r["text"], json.dumps(r["previous"], ensure_ascii=False)) for r in allrows]
if len(texts) != len(set(texts)):
    errors.append("duplicate (text, previous) pairs")

ic, kc = table("all", allrows)
dic, dkc = table("dev", dev)
tic, tkc = table("test", test)

if len(allrows) < 440:
    errors.append("fewer than 440 messages")
if kc["compound"] < 90:
    errors.append("fewer than 90 compound")
if kc["multiturn"] < 40:
    errors.append("fewer than 40 multiturn")
for i in INTENTS:
    if ic[i] < 25:
        errors.append(f"intent {i} appears in only {ic[i]} messages")
for k in KINDS:
    if dkc[k] == 0 or tkc[k] == 0:
        errors.append(f"kind {k} missing from a half")
if abs(len(dev) - len(test)) > len(KINDS):
    errors.append("halves not ~50/50")
if not any(len(r["intents"]) != len(set(r["intents"])) for r in allrows):
    errors.append("no same-intent compound")

if errors:
    print("\nERRORS:")
    [print(" ", e) for e in errors]
    sys.exit(1)
print("\nOK")
