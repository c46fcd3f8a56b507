"""From a level's cycles and process samples to the figures the benchmark reports."""

from __future__ import annotations

import random
import statistics
from typing import Any

from bench.loadgen import LoadResult

SIM_DRAWS = 20_000


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def sim_quantiles(vision_s: float, text_s: float, jitter: float, scale: float) -> dict[str, float]:
    """Quantiles of one scan's simulated LLM wait (two uniform draws), by Monte Carlo.

    The overhead of a quantile is the end-to-end quantile minus the simulated one; with jitter 0
    that is exact, with jitter it is the fair comparison (the wait's own spread is not ours).
    """
    rng = random.Random(1)
    draws = [
        (
            vision_s * (1 + rng.uniform(-jitter, jitter))
            + text_s * (1 + rng.uniform(-jitter, jitter))
        )
        * scale
        for _ in range(SIM_DRAWS)
    ]
    return {f"p{int(q * 100)}": quantile(draws, q) or 0.0 for q in (0.5, 0.95, 0.99)} | {
        "mean": (vision_s + text_s) * scale
    }


def summarise(
    load: LoadResult,
    sim: dict[str, float],
    cpu: dict[str, dict[str, float]],
    *,
    ramp_s: float,
    bench_cpu_ms: float,
    postgres_cpu_ms: float | None = None,
) -> dict[str, Any]:
    """The figures of one level (JSON-able).

    The load generator's CPU and PostgreSQL's (the whole local server, None when it was not
    visible) are reported beside the system's total, not in it, so totals stay comparable with
    runs made before PostgreSQL was sampled.
    """
    cycles = load.cycles
    done = [c for c in cycles if c.outcome == "done" and c.end_s is not None]
    started = len(cycles)
    t0 = min((c.started for c in cycles), default=0.0)
    # Steady state: scans that ended between the end of the ramp and the end of the level.
    window = max(1e-9, load.duration_s - ramp_s)
    steady = [c for c in done if ramp_s <= c.started - t0 + (c.end_s or 0) <= load.duration_s]
    per_min = len(steady) * 60 / window
    bound = load.vus * 60 / sim["mean"] if sim["mean"] > 0 else None
    cycle_mean = statistics.mean(c.end_s for c in done) if done else None  # type: ignore[misc]
    e2e = [c.end_s for c in done if c.end_s is not None]
    first = [c.first_event_s for c in cycles if c.first_event_s is not None]
    submit = [c.submit_s for c in cycles if c.submit_s is not None]
    rule = [c.rule_s for c in cycles if c.rule_s is not None]
    quant = {f"p{q}": quantile(e2e, q / 100) for q in (50, 95, 99)}
    overhead = {
        key: (value - sim[key]) if value is not None else None for key, value in quant.items()
    }
    total_cpu = sum(row["cpu_ms"] for row in cpu.values())
    errors = {kind: n for kind, n in load.outcomes().items() if kind != "done"}
    return {
        "vus": load.vus,
        "duration_s": load.duration_s,
        "started": started,
        "done": len(done),
        "completion_pct": 100 * len(done) / started if started else 0.0,
        "scans_per_min": per_min,
        "littles_bound_per_min": bound,
        "ratio_to_bound": per_min / bound if bound else None,
        "vu_over_cycle_per_min": load.vus * 60 / cycle_mean if cycle_mean else None,
        "e2e_s": quant | {"mean": cycle_mean},
        "overhead_s": overhead,
        "e2e_p95_over_sim_mean": (quant["p95"] / sim["mean"])
        if quant["p95"] and sim["mean"]
        else None,
        "first_event_s": {f"p{q}": quantile(first, q / 100) for q in (50, 95, 99)},
        "rule_stage_s": {f"p{q}": quantile(rule, q / 100) for q in (50, 95, 99)},
        "submit_s": {f"p{q}": quantile(submit, q / 100) for q in (50, 95, 99)},
        "events_per_scan": statistics.mean(c.events for c in done) if done else None,
        "errors": errors,
        "cpu_ms_per_scan": {
            role: row["cpu_ms"] / len(done) if done else None for role, row in sorted(cpu.items())
        },
        "cpu_ms_per_scan_total": total_cpu / len(done) if done else None,
        "cpu_ms_per_scan_loadgen": bench_cpu_ms / len(done) if done else None,
        "cpu_ms_per_scan_postgres": postgres_cpu_ms / len(done)
        if done and postgres_cpu_ms is not None
        else None,
        "cpu_cores_used": total_cpu / 1000 / load.wall_s if load.wall_s else None,
        "rss_mb": {role: row["rss_mb"] for role, row in sorted(cpu.items())},
        "processes": {role: int(row["processes"]) for role, row in sorted(cpu.items())},
    }


def knee(levels: list[dict[str, Any]], limit_s: float = 1.0) -> dict[str, Any] | None:
    """The level with the highest scans/min whose overhead p95 stayed under ``limit_s``."""
    held = [
        level
        for level in levels
        if level["overhead_s"]["p95"] is not None
        and level["overhead_s"]["p95"] < limit_s
        and level["completion_pct"] >= 99.0
    ]
    return max(held, key=lambda level: level["scans_per_min"], default=None)
