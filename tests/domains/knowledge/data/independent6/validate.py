"""Validate v6 JSONL files: JSON, exact keys, vocab, unique ids, no duplicate texts (ignoring
spaces and case) within or across files, `also` not containing the category."""
import json, sys, pathlib, collections

CATS = {"paper", "paper_pack", "clear_pet", "plastic", "vinyl", "styrofoam", "glass", "metal",
        "clothing", "electronics", "battery", "lighting", "general", "food", "bulk", "hazardous",
        "non_combustible", "construction"}
STYLES = {"plain", "colloquial", "misspelt", "unspaced", "action", "parenthesis", "brand", "size",
          "state", "shape_or_use", "slang", "mixed_script"}
KEYS = ["id", "text", "category", "also", "style"]


def norm(t):
    return "".join(t.split()).lower()


def main(paths):
    errs, ids, texts = [], {}, {}
    total = 0
    for p in paths:
        for n, line in enumerate(pathlib.Path(p).read_text(encoding="utf-8").splitlines(), 1):
            where = f"{p}:{n}"
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append(f"{where} bad json {e}"); continue
            total += 1
            if list(r.keys()) != KEYS:
                errs.append(f"{where} keys {list(r.keys())}")
            if r.get("category") not in CATS:
                errs.append(f"{where} category {r.get('category')}")
            also = r.get("also")
            if not isinstance(also, list) or any(a not in CATS for a in also) or r.get("category") in also \
                    or len(set(also)) != len(also):
                errs.append(f"{where} also {also}")
            if r.get("style") not in STYLES:
                errs.append(f"{where} style {r.get('style')}")
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                errs.append(f"{where} empty text")
            if r.get("id") in ids:
                errs.append(f"{where} dup id {r.get('id')} (first {ids[r['id']]})")
            ids[r.get("id")] = where
            k = norm(r.get("text", ""))
            if k in texts:
                errs.append(f"{where} dup text {r['text']!r} (first {texts[k]})")
            texts[k] = where
    print(f"{total} records in {len(paths)} file(s); {len(errs)} error(s)")
    for e in errs:
        print("  ", e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
