"""Shared helpers of the knowledge tests: the hand-written evaluation sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def read_jsonl(name: str) -> list[dict[str, Any]]:
    """One of the evaluation sets in ``data/``."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
