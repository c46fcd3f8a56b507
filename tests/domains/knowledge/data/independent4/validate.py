"""Validate items4 JSONL files: valid JSON, required keys, categories/also in vocabulary,
styles known, ids unique, no duplicate texts (within and across the given files)."""
import json, sys, os
CATS = {"paper", "paper_pack", "clear_pet", "plastic", "vinyl", "styrofoam", "glass", "metal",
        "clothing", "electronics", "battery", "lighting", "general", "food", "bulk", "hazardous",
        "non_combustible", "construction"}
STYLES = {"plain", "colloquial", "misspelt", "unspaced", "action", "parenthesis", "brand", "size",
          "state", "shape_or_use", "slang", "mixed_script"}
KEYS = {"id", "text", "category", "also", "style"}

def norm(t):
    return "".join(t.split()).lower()

def main(paths):
    ids, texts, errors, n = set(), {}, [], 0
    for p in paths:
        for ln, line in enumerate(open(p, encoding="utf-8"), 1):
            where = f"{os.path.basename(p)}:{ln}"
            try:
                r = json.loads(line)
            except Exception as e:
                errors.append(f"{where}: invalid JSON ({e})"); continue
            n += 1
            if set(r) != KEYS:
                errors.append(f"{where}: keys {sorted(r)}")
            if r.get("category") not in CATS:
                errors.append(f"{where}: bad category {r.get('category')!r}")
            also = r.get("also")
            if not isinstance(also, list) or any(a not in CATS for a in also):
                errors.append(f"{where}: bad also {also!r}")
            elif r.get("category") in also or len(set(also)) != len(also):
                errors.append(f"{where}: also repeats category or itself {also!r}")
            if r.get("style") not in STYLES:
                errors.append(f"{where}: bad style {r.get('style')!r}")
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                errors.append(f"{where}: empty text")
            if r.get("id") in ids:
                errors.append(f"{where}: duplicate id {r.get('id')}")
            ids.add(r.get("id"))
            k = norm(r.get("text", ""))
            if k in texts:
                errors.append(f"{where}: duplicate text (ignoring spaces/case) of {texts[k]}")
            texts[k] = where
    for e in errors:
        print("ERROR", e)
    print(f"{n} lines in {len(paths)} file(s), {len(errors)} error(s)")
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
