"""``eco2 classify``: single text and the JSON Lines batch, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.domains.knowledge.conftest import DATA, read_jsonl

ECO2 = [sys.executable, "-c", "from eco2.cli import main; main()"]


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ECO2, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def test_batch_scores_the_item_set() -> None:
    rows = read_jsonl("items.jsonl")
    assert len(rows) >= 200
    started = time.perf_counter()
    done = _run(["classify", "--batch", "--stats"], (DATA / "items.jsonl").read_text())
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(rows)
    right = 0
    for row, result in zip(rows, out, strict=True):
        assert result["text"] == row["text"]  # in order
        assert set(result) == {
            *("text", "category", "confidence", "choices", "item", "evidence", "parts")
        }
        right += result["category"] == row["category"]
    score = right / len(rows)
    print(f"\neco2 classify --batch: {right}/{len(rows)} = {score:.1%}; {done.stderr.strip()}")
    print(f"whole process incl. start-up: {elapsed:.2f} s")
    assert score >= 0.95


def test_batch_bad_lines_become_errors_in_place() -> None:
    lines = ['{"text": "맥주캔"}', "not json", '{"txt": "x"}', "[1, 2]", '{"text": "우유팩"}']
    done = _run(["classify", "--batch"], "\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("category") for o in out] == ["metal", None, None, None, "paper_pack"]
    assert [("error" in o) for o in out] == [False, True, True, True, False]
    assert out[1]["line"] == 2


def test_single_text_prints_category_and_guidance() -> None:
    done = _run(["classify", "깨진 소주병"])
    assert done.returncode == 0, done.stderr
    assert "non_combustible" in done.stdout
    assert "신문지" in done.stdout


def test_no_text_is_a_usage_error() -> None:
    assert _run(["classify"]).returncode == 2


def test_module_layout_is_where_docs_say() -> None:
    assert (Path(__file__).parents[3] / "domains" / "knowledge" / "data" / "categories").is_dir()
