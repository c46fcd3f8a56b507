"""Score the offline mark reader on a rendered set: right category with no hint, and time.

    .venv/bin/python scripts/score_marks.py tests/domains/vision/data/independent/manifest.dev.jsonl

The manifest has one ``{"file", "category", "variant"?, ...}`` per line, ``file`` relative to
the manifest's directory. Only the image bytes are given to the reader (never the manifest's
boxes or text heights). Prints the share right, per variant, p50/p95/max time per image (wall,
and the reading thread's CPU) and the misses; ``--json`` prints the figures as one JSON object.
``--clock cpu`` counts the budget in CPU time: on a loaded machine the wall budget measures the
load (readings cut short while waiting for a core), the CPU budget what the reader does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# This checkout's code, not whichever one the venv's editable install points at (a worktree
# sharing a venv would otherwise score the main checkout's reader).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def score(
    manifest: Path, limit: int | None = None, budget_ms: int | None = None, clock: str = "wall"
) -> dict[str, Any]:
    from domains.vision.ocr import read_mark
    from domains.vision.settings import VisionSettings

    settings = VisionSettings(ocr_budget_clock=clock)
    if budget_ms is not None:
        settings = settings.model_copy(update={"ocr_budget_ms": budget_ms})

    records = [
        json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line
    ][:limit]
    rows = []
    for record in records:
        data = (manifest.parent / record["file"]).read_bytes()
        started, cpu_started = time.perf_counter(), time.thread_time()
        reading = read_mark(data, settings=settings)
        seconds = time.perf_counter() - started
        cpu_seconds = time.thread_time() - cpu_started
        rows.append(
            {
                "file": record["file"],
                "mark": record.get("mark"),
                "variant": record.get("variant"),
                "expected": record["category"],
                "predicted": reading.category,
                "read": reading.raw_text,
                "confidence": reading.confidence,
                "right": reading.category == record["category"],
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
            }
        )
    times = sorted(r["seconds"] for r in rows)
    cpu = sorted(r["cpu_seconds"] for r in rows)
    by_variant: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        by_variant[str(row["variant"])].append(row["right"])
    return {
        "total": len(rows),
        "right": sum(r["right"] for r in rows),
        "p50_s": times[len(times) // 2] if times else 0.0,
        "p95_s": times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0,
        "max_s": times[-1] if times else 0.0,
        "cpu_p50_s": cpu[len(cpu) // 2] if cpu else 0.0,
        "cpu_p95_s": cpu[min(len(cpu) - 1, int(0.95 * len(cpu)))] if cpu else 0.0,
        "by_variant": {k: [sum(v), len(v)] for k, v in sorted(by_variant.items())},
        "misses": [r for r in rows if not r["right"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N images")
    parser.add_argument("--budget-ms", type=int, default=None, help="OCR time budget per image")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="what the budget counts: wall time (default, as served) or this thread's CPU time "
        "(a shared, loaded machine: what the reader does when it gets a core)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = score(args.manifest, args.limit, args.budget_ms, args.clock)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    total, right = figures["total"], figures["right"]
    print(f"set: {args.manifest}")
    print(f"right category: {right}/{total} = {100 * right / max(1, total):.1f} %")
    print(
        f"time per image: p50 {figures['p50_s'] * 1000:.0f} ms, "
        f"p95 {figures['p95_s'] * 1000:.0f} ms, max {figures['max_s'] * 1000:.0f} ms; "
        f"CPU p50 {figures['cpu_p50_s'] * 1000:.0f} ms, p95 {figures['cpu_p95_s'] * 1000:.0f} ms"
    )
    for variant, (ok, n) in figures["by_variant"].items():
        print(f"  {variant}: {ok}/{n}")
    print("misses:")
    for miss in figures["misses"]:
        print(
            f"  {miss['file']} {miss['mark']} ({miss['variant']}): read {miss['read']!r} → "
            f"{miss['predicted']}, expected {miss['expected']}"
        )


if __name__ == "__main__":
    main()
