#!/usr/bin/env python3
"""Seeded ~50/50 dev/test split of items2 and intents2, stratified so categories / intents are
balanced across halves. Reads items2.all.jsonl and intents2.all.jsonl (built by build_all.py).

items:   stratum = category (weighted most), secondary = style and whether `also` is set.
intents: stratum = kind (weighted most), secondary = each intent occurrence and intent count.
Assignment is a seeded greedy balance followed by seeded improving swaps (see deal()).

The test halves produced by this script are FROZEN (see README.md / FROZEN.sha256): never re-run
this script to overwrite them.
"""
import json, os, random, sys
from collections import defaultdict

SEED = 424242


def load(fn):
    return [json.loads(l) for l in open(fn, encoding="utf-8") if l.strip()]


def deal(recs, stratum_key, feature_keys, rng, stratum_weight=4):
    """Seeded greedy balancing. Records are visited in a seeded random order; each goes to the
    half that keeps (a) its stratum, (b) its secondary features and (c) the half sizes most even.
    Ties are broken by the seeded RNG, so the split is random but reproducible."""
    recs = list(recs)
    rng.shuffle(recs)
    cnt = [defaultdict(int), defaultdict(int)]
    size = [0, 0]
    halves = ([], [])
    for r in recs:
        feats = [("S", stratum_key(r))] + [("F", f) for f in feature_keys(r)]
        best, cands = None, []
        for h in (0, 1):
            o = 1 - h
            cost = 0
            for kind, f in feats:
                w = stratum_weight if kind == "S" else 1
                cost += w * abs(cnt[h][f] + 1 - cnt[o][f])
            cost += 2 * abs(size[h] + 1 - size[o])
            if best is None or cost < best:
                best, cands = cost, [h]
            elif cost == best:
                cands.append(h)
        h = rng.choice(cands)
        for _, f in feats:
            cnt[h][f] += 1
        size[h] += 1
        halves[h].append(r)
    # seeded local search: swap one record of each half when that lowers the total imbalance
    def feats_of(r):
        return [("S", stratum_key(r))] + [("F", f) for f in feature_keys(r)]

    def cost():
        keys = set(cnt[0]) | set(cnt[1])
        c = 0
        for f in keys:
            w = stratum_weight if f in strata else 1
            c += w * abs(cnt[0][f] - cnt[1][f])
        return c

    strata = {stratum_key(r) for r in recs}
    a, b = halves
    cur = cost()
    for _ in range(20000):
        i, j = rng.randrange(len(a)), rng.randrange(len(b))
        fa, fb = [f for _, f in feats_of(a[i])], [f for _, f in feats_of(b[j])]
        for f in fa: cnt[0][f] -= 1; cnt[1][f] += 1
        for f in fb: cnt[1][f] -= 1; cnt[0][f] += 1
        new = cost()
        if new < cur:
            a[i], b[j] = b[j], a[i]
            cur = new
        else:
            for f in fa: cnt[0][f] += 1; cnt[1][f] -= 1
            for f in fb: cnt[1][f] += 1; cnt[0][f] -= 1
    key = lambda r: r["id"]
    return sorted(a, key=key), sorted(b, key=key)


def write(fn, recs):
    with open(fn, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if os.path.exists("FROZEN.sha256") and "--force" not in sys.argv:
        sys.exit("FROZEN.sha256 exists: test halves are frozen; refusing to overwrite.")
    rng = random.Random(SEED)
    d, t = deal(load("items2.all.jsonl"), lambda r: r["category"],
                lambda r: ["style=" + r["style"], "also=%d" % bool(r["also"])], rng)
    write("items2.dev.jsonl", d); write("items2.test.jsonl", t)
    print("items2", len(d), len(t))
    d, t = deal(load("intents2.all.jsonl"), lambda r: r["kind"],
                lambda r: ["intent=" + i for i in r["intents"]] + ["n=%d" % len(r["intents"])], rng,
                stratum_weight=2)
    write("intents2.dev.jsonl", d); write("intents2.test.jsonl", t)
    print("intents2", len(d), len(t))
