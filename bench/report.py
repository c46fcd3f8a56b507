"""bench/RESULTS.md tables and the plot, from a run's JSON (``bench/run.py`` calls ``write``).

RESULTS.md keeps hand-written analysis around generated blocks: a run replaces only the block
between ``<!-- generated:<name> -->`` and ``<!-- /generated:<name> -->`` (``quick`` or ``full``),
so a quick run never overwrites the full run's figures.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# The reference points (the seed on a 24-node cluster, and the targets here).
ANCHORS = {
    "seed_vus": 900,
    "seed_completion_pct": 99.7,
    "seed_scans_per_min": 405.5,
    "seed_p95_s": 149.6,
}
TARGETS = {
    "completion_pct_at_1000": 99.9,
    "p95_over_sim": 1.15,
    "ratio_to_bound": 0.95,
    "cpu_ms_per_scan": 15.0,
    "knee_scans_per_min": 6000.0,
}


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def line(level: dict[str, Any]) -> str:
    """One console line per level."""
    return (
        f"{level['mode']} {level['vus']} VU: {level['completion_pct']:.2f}% done, "
        f"{level['scans_per_min']:.0f} scans/min ({_f(level['ratio_to_bound'], 3)} of bound), "
        f"p95 {_f(level['e2e_s']['p95'], 2)} s, "
        f"overhead p95 {_f(level['overhead_s']['p95'], 2)} s, "
        f"first event p95 {_f(level['first_event_s']['p95'], 3)} s, "
        f"CPU {_f(level['cpu_ms_per_scan_total'])} ms/scan, errors {level['errors'] or '-'}"
    )


def machine(info: dict[str, Any]) -> str:
    """How a run names its machine, e.g. 2 CPUs (AMD EPYC, calibration 52.1 ms), Python 3.11.7."""
    speed = []
    if "cpu_model" in info:
        speed.append(info["cpu_model"])
    if "calibration_ms" in info:
        speed.append(f"calibration {info['calibration_ms']} ms")
    detail = f" ({', '.join(speed)})" if speed else ""
    return f"{info['cpus']} CPUs{detail}, Python {info['python']}"


def tables(run: dict[str, Any]) -> str:
    """The Markdown of one run: settings, per-level table, CPU per role, Redis, the knee."""
    args, levels = run["args"], run["levels"]
    sim = levels[0]["sim_s"]["mean"] if levels else 0.0
    out = [
        f"Run {run['when']} on {machine(run['machine'])}: "
        f"levels {args['levels']}, {args['duration']:.0f} s each, sim scale {args['scale']} "
        f"(simulated LLM wait {sim:.2f} s per scan), jitter {args['jitter']}, "
        f"{args['workers']} worker(s) per stage, {args.get('api_replicas', 1)} API process(es), "
        f"workers at nice +{args.get('worker_nice', 0)}.",
        "",
        "| mode | VU | scans | done % | scans/min | Little bound | ratio | p50 s | p95 s | p99 s "
        "| overhead p50 / p95 s | p95 ÷ sim | first event p95 ms | events/scan | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for lv in levels:
        e2e, over = lv["e2e_s"], lv["overhead_s"]
        first = lv["first_event_s"]["p95"]
        errors = ", ".join(f"{k} {v}" for k, v in sorted(lv["errors"].items())) or "–"
        out.append(
            f"| {lv['mode']} | {lv['vus']} | {lv['started']} | {lv['completion_pct']:.2f} "
            f"| {lv['scans_per_min']:,.0f} | {_f(lv['littles_bound_per_min'], 0)} "
            f"| {_f(lv['ratio_to_bound'], 3)} | {_f(e2e['p50'], 2)} | {_f(e2e['p95'], 2)} "
            f"| {_f(e2e['p99'], 2)} | {_f(over['p50'], 2)} / {_f(over['p95'], 2)} "
            f"| {_f(lv['e2e_p95_over_sim_mean'], 3)} | {_f(first * 1000 if first else None, 0)} "
            f"| {_f(lv['events_per_scan'], 1)} | {errors} |"
        )
    roles = sorted({role for lv in levels for role in lv["cpu_ms_per_scan"]})
    out += [
        "",
        "CPU milliseconds per completed scan, by process (user + system, from /proc), and the "
        "load generator's and PostgreSQL's (the whole local server; – where not sampled) beside "
        "the total:",
        "",
        "| mode | VU | " + " | ".join(roles) + " | total | loadgen | postgres | cores busy |",
        "|---|---:|" + "---:|" * (len(roles) + 4),
    ]
    for lv in levels:
        cells = " | ".join(_f(lv["cpu_ms_per_scan"].get(role), 2) for role in roles)
        out.append(
            f"| {lv['mode']} | {lv['vus']} | {cells} | {_f(lv['cpu_ms_per_scan_total'], 2)} "
            f"| {_f(lv['cpu_ms_per_scan_loadgen'], 2)} "
            f"| {_f(lv.get('cpu_ms_per_scan_postgres'), 2)} | {_f(lv['cpu_cores_used'], 2)} |"
        )
    out += [
        "",
        "Memory (RSS MB at the end of the level) and Redis connections (peak sockets to :6379 "
        "held by each process of the system; Pub/Sub output buffer peak of our gateway clients):",
        "",
        "| mode | VU | " + " | ".join(f"RSS {r}" for r in roles) + " | Redis sockets "
        "| by role | Pub/Sub omem peak |",
        "|---|---:|" + "---:|" * len(roles) + "---:|---|---:|",
    ]
    for lv in levels:
        rss = " | ".join(_f(lv["rss_mb"].get(role), 0) for role in roles)
        redis = lv["redis"]
        by_role = ", ".join(f"{k} {v}" for k, v in sorted(redis["sockets"].items()))
        omem = redis["stats"].get("pubsub_omem_max_bytes")
        out.append(
            f"| {lv['mode']} | {lv['vus']} | {rss} | {redis['sockets_total']} | {by_role} "
            f"| {_f(omem, 0)} B |"
        )
    knee = run.get("knee")
    out += [
        "",
        "**Knee** (highest scans/min with overhead p95 < 1 s and ≥ 99 % done, shard mode): ",
    ]
    out[-1] += (
        f"{knee['scans_per_min']:,.0f} scans/min at {knee['vus']} VU "
        f"(overhead p95 {knee['overhead_s']['p95']:.2f} s)."
        if knee
        else "no level held it."
    )
    return "\n".join(out)


def plot(run: dict[str, Any], path: Path) -> None:
    """Completion %, end-to-end p95 and CPU per scan against VUs, one line per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for mode in sorted({lv["mode"] for lv in run["levels"]}):
        rows = [lv for lv in run["levels"] if lv["mode"] == mode]
        vus = [lv["vus"] for lv in rows]
        axes[0].plot(vus, [lv["completion_pct"] for lv in rows], "o-", label=mode)
        axes[1].plot(vus, [lv["e2e_s"]["p95"] or 0 for lv in rows], "o-", label=f"{mode} p95")
        axes[2].plot(vus, [lv["cpu_ms_per_scan_total"] or 0 for lv in rows], "o-", label=mode)
    sim = run["levels"][0]["sim_s"]["mean"]
    axes[1].axhline(sim, color="grey", ls="--", label="simulated LLM")
    axes[1].axhline(sim * 1.15, color="red", ls=":", label="1.15 × sim")
    axes[2].axhline(15, color="red", ls=":", label="target 15 ms")
    titles = ("completion %", "end-to-end p95 (s)", "CPU ms per scan (system)")
    for axis, title in zip(axes, titles, strict=True):
        axis.set_title(title)
        axis.set_xlabel("virtual users")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(run: dict[str, Any], md: Path, png: Path) -> None:
    """Replace this run's generated block in ``md`` (creating the file) and draw its plot."""
    args = run["args"]
    name = args.get("name") or ("quick" if args.get("quick") else "full")
    if name != "full":
        png = png.with_name(f"plot-{name}.png")
    plot(run, png)
    image = f"![{name} run]({png.relative_to(md.parent)})"
    block = f"<!-- generated:{name} -->\n{tables(run)}\n\n{image}\n<!-- /generated:{name} -->"
    text = md.read_text() if md.exists() else "# Load benchmark results\n\n"
    pattern = re.compile(rf"<!-- generated:{name} -->.*?<!-- /generated:{name} -->", re.S)
    text = (
        pattern.sub(lambda _: block, text) if pattern.search(text) else text + "\n" + block + "\n"
    )
    md.write_text(text)
