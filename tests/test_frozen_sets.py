"""The evaluation sets' test halves are frozen: written by someone who never read the code they
score, split before any tuning, and never edited since. Their hashes are checked here, so an edit
to a test half fails the build instead of quietly raising a figure."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
FROZEN = sorted(ROOT.rglob("FROZEN.sha256"))

# The later independent sets (items2, intents2, the third sets) were frozen
# before they were copied here; the digests are pinned in this file too, so editing a test half
# together with its manifest still fails.
PINNED = {
    "domains/knowledge/data/independent2/items2.test.jsonl": (
        "eca9fdbe575db0c670e55e259db2d2817f169c877dfd16eb438ac0bdcfa3b53d"
    ),
    "functions/chat/data/v2/intents2.test.jsonl": (
        "2e321e2bf1b6b736cb703237a5e4572465d4b9529e1a6d16cfb57c419e71bfe2"
    ),
    "functions/chat/data/v3/intents3.test.jsonl": (
        "908f0dbadd6769190c78b947b94215314a70e15011447a993ca6d693ffe33781"
    ),
    "domains/knowledge/data/independent3/items3.test.jsonl": (
        "48d145c0a76cfa384e2111c7396cd819521b54066b1ca6c3263a0b022309a196"
    ),
    "domains/knowledge/data/independent4/items4.test.jsonl": (
        "9ed9ccc7f33dffa2f5acb5d54e9b054162092ccb89280b59a4c280a98b79cdb3"
    ),
    "domains/knowledge/data/independent5/items5.test.jsonl": (
        "48c4172817d5a25e687b09ae499d49da65e3d697cad546360ed040386d345e05"
    ),
    "domains/knowledge/data/independent6/items6.test.jsonl": (
        "47af6a0ceabf5050f0f243716c31442b4702cd82f9aee1febbb5b9448faf6795"
    ),
    "domains/knowledge/data/independent7/items7.test.jsonl": (
        "83f1c4acee05b39626956b6d25a32269ccafa5d55a2cf0a6935fc7d008b2c83c"
    ),
    "domains/knowledge/data/independent8/items8.test.jsonl": (
        "51446fb5c3aad7f91c290b14eb0299206321ea7c541426431862b59ea2361992"
    ),
    "domains/knowledge/data/independent9/items9.test.jsonl": (
        "122850a421f16314fe92a94a03a87b6cab3700b55d7955ff07fff48570f67e25"
    ),
    "domains/vision/data/independent3/manifest.test.jsonl": (
        "d410046cb1092b9b5242670fbc06ef14bf19459ee414216826a6b8b56657030e"
    ),
}


def test_there_are_frozen_sets() -> None:
    assert len(FROZEN) >= 4


@pytest.mark.parametrize("manifest", FROZEN, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_every_frozen_file_still_has_its_hash(manifest: Path) -> None:
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines, f"{manifest} lists no file"
    for line in lines:
        digest, name = line.split(maxsplit=1)
        path = manifest.parent / name.lstrip("*")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} was edited"


@pytest.mark.parametrize("relative", sorted(PINNED))
def test_independent_test_halves_match_their_authors_freeze(relative: str) -> None:
    path = ROOT / relative
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PINNED[relative], f"{path} was edited"
    manifest = (path.parent / "FROZEN.sha256").read_text(encoding="utf-8")
    assert f"{PINNED[relative]}  {path.name}" in manifest
