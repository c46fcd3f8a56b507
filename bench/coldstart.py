"""Cold start, the price of scaling to zero: each function's time from process start to ready,
its memory once ready, and its first event against warm ones.

    .venv/bin/python bench/coldstart.py                      # every function, 3 rounds
    .venv/bin/python bench/coldstart.py --functions rule --rounds 5 --json bench/results/x.json

Each round starts ``eco2 function serve-http functions/<fn>/main.py`` as a Knative pod does
(gunicorn, one worker) and polls ``GET /readyz`` every 10 ms: *ready* is the time from spawn to
the first 200, and *ready CPU* the CPU seconds the process tree used until then (on a shared
machine the wall time also counts the wait for a core; the CPU time does not). Memory is read
then from /proc over the process tree (the gunicorn master and its worker): the sum of PSS,
which is what the pod's memory cgroup is charged (pages the forked
worker shares with its master count once), and the largest single RSS. Then, for the functions
whose input this script can build (rule, answer, reward, chat), one event is posted (the *first*
event, answered by a process that has just become ready) and then ``--warm`` more; the first
minus the median warm one is what a cold start adds beyond readiness. The simulated LLM answers
at once (``sim``, scale 0), so the answer stage's figure is its own work.

A function whose manifest points it at the analysis service (rule and chat:
ECO2_KNOWLEDGE__ANALYSER_URL) gets an ``eco2 analyser`` started from the same checkout before
its clock starts, as the cluster's long-lived Deployment would be up; the service's own start
time, CPU and memory are printed and recorded beside the function's (``analyser``), never added
to them.

The rounds alternate the functions (vision, rule, ... then again) so a drift of the shared
machine spreads over all of them. The machine's speed is measured first (``calibrate``, as the
load benchmark does) and printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import procstats  # noqa: E402  (the repository root is on the path only now)

FUNCTIONS = ("vision", "rule", "answer", "reward", "chat")
# Targets of the delivery issue, at a calibration of about 130 ms.
READY_TARGET_S = {"vision": 1.5, "rule": 3.0, "answer": 1.5, "reward": 1.5, "chat": 1.5}
MEMORY_TARGET_MB = 300
READY_TIMEOUT_S = 120.0
SCHEMA = "bench_coldstart"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            queue += procstats.children(current)
        except OSError:
            continue
    return found


def _pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process tree has used: steadier than the wall time on
    a shared machine, where waiting for a core inflates the latter."""
    total = 0.0
    for member in _tree(pid):
        try:
            total += procstats.cpu_ms(member)
        except OSError:
            continue
    return round(total / 1000, 3)


def _memory(pid: int) -> dict[str, float]:
    pss, rss = 0.0, 0.0
    for member in _tree(pid):
        try:
            pss += _pss_mb(member)
            rss = max(rss, procstats.rss_mb(member))
        except OSError:
            continue
    return {"pss_mb": round(pss, 1), "max_rss_mb": round(rss, 1)}


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _event(function: str, n: int) -> Any | None:
    """An input event of ``function``, each its own job; None where none is built here."""
    from domains.knowledge import classify
    from domains.scan import events
    from domains.scan.events import RuleResult, ScanRequested, ScanState, VisionResult
    from eventing.events import make_event

    if function == "chat":
        return _chat_event(n)
    consumed = {
        "rule": events.VISION_COMPLETED,
        "answer": events.RULE_COMPLETED,
        "reward": events.ANSWER_COMPLETED,
    }
    if function not in consumed:
        return None
    texts = ("투명 페트병 PET 생수병", "라면 봉지 비닐", "우유팩 종이팩", "알루미늄 캔 음료수")
    text = texts[n % len(texts)]
    job_id = uuid.uuid4().hex
    state = ScanState(
        request=ScanRequested(job_id=job_id, image_ref=f"bench/{job_id}"),
        vision=VisionResult(item=text, text=text, source="ocr", confidence=0.9),
    )
    if function == "answer":
        rule = RuleResult.model_validate(classify(text).model_dump(mode="json"))
        state = state.model_copy(update={"rule": rule})
    # reward without a rule result grants nothing: its path without a database write.
    return make_event(consumed[function], state, subject=job_id)


def _chat_event(n: int) -> Any:
    """A chat turn, each in a chat of its own (so each is a conversation's first turn): a
    disposal question, the mascot, a bulk-waste fee, a price; the last two read the places
    data, which the bench's schema leaves empty (the fee is answered from the knowledge base,
    the price as not in the table)."""
    from domains.chat import events as chat_events
    from domains.chat.events import ChatRequested
    from eventing.events import make_event

    texts = (
        "페트병은 어떻게 버려?",
        "이코는 뭐 좋아해?",
        "냉장고 버리는 비용 얼마야?",
        "폐지 시세 알려줘",
    )
    job_id = uuid.uuid4().hex
    request = ChatRequested(job_id=job_id, chat_id=job_id, text=texts[n % len(texts)])
    return make_event(chat_events.REQUESTED, request, subject=job_id)


def _post(url: str, event: Any) -> float:
    """Seconds until the function's reply to ``event`` (binary mode, as Knative sends)."""
    from eventing.bindings.http import to_binary

    message = to_binary(event)
    request = urllib.request.Request(url, data=message.body, headers=dict(message.headers))
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status not in (200, 202):
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - start


def manifest_env(function: str, root: Path = ROOT) -> dict[str, str]:
    """The variables the checkout's Knative Service sets on the function's container (``env``
    with a literal ``value``; the shared ConfigMap it also reads holds the defaults)."""
    import yaml

    path = root / "knative" / function / "service.yaml"
    if not path.exists():
        return {}
    service = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for container in service["spec"]["template"]["spec"]["containers"]:
        for item in container.get("env", []):
            if "value" in item:
                found[item["name"]] = str(item["value"])
    return found


ANALYSER_URL = "ECO2_KNOWLEDGE__ANALYSER_URL"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, name: str, start: float) -> None:
    """Poll ``url``/readyz every 10 ms until 200; an exit or the timeout is an error."""
    while _get(f"{url}/readyz", timeout=1.0) != 200:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before ready")
        if time.perf_counter() - start > READY_TIMEOUT_S:
            raise RuntimeError(f"{name}: not ready after {READY_TIMEOUT_S} s")
        time.sleep(0.01)


def start_analyser(env: dict[str, str], root: Path) -> tuple[subprocess.Popen[bytes], str, dict]:
    """``eco2 analyser`` from the checkout ``root``, ready (Kiwi built and warm): its URL and its
    own start figures (spawn to the first 200 of /readyz, CPU seconds, PSS), which are not the
    function's: in a cluster it is a long-lived Deployment, up before any chat pod starts."""
    port = _free_port()
    command = [str(root / ".venv/bin/eco2"), "analyser", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=root, env=env, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(process, url, "eco2 analyser", start)
    except BaseException:
        _stop(process)
        raise
    own = {"ready_s": round(time.perf_counter() - start, 3), "ready_cpu_s": _cpu_s(process.pid)}
    return process, url, own | _memory(process.pid)


def _analyser_requests(url: str) -> int:
    """Tokenize and sentence requests the analysis service answered (its /metrics)."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("eco2_analyser_requests_total{") and 'status="200"' in line:
            total += float(line.split()[-1])
    return int(total)


def one_start(function: str, warm: int, env: dict[str, str], root: Path = ROOT) -> dict[str, Any]:
    """Spawn the function from the checkout ``root`` (its own .venv) with the variables its
    manifest sets, wait for ready, measure memory and its first and warm events.

    A manifest that points the function at the analysis service (ECO2_KNOWLEDGE__ANALYSER_URL,
    a cluster address) gets one started from the same checkout first, outside the clock, and
    the variable set to it; its own figures are recorded under ``analyser``."""
    env = {**env, **manifest_env(function, root)}
    analyser: subprocess.Popen[bytes] | None = None
    analyser_figures: dict[str, Any] = {}
    if env.get(ANALYSER_URL):
        analyser, env[ANALYSER_URL], analyser_figures = start_analyser(env, root)
    try:
        result = _measure(function, warm, env, root)
        if analyser is not None:
            analyser_figures["requests"] = _analyser_requests(env[ANALYSER_URL])
            analyser_figures["pss_after_events_mb"] = _memory(analyser.pid)["pss_mb"]
            result["analyser"] = analyser_figures
        return result
    finally:
        if analyser is not None:
            _stop(analyser)


def _measure(function: str, warm: int, env: dict[str, str], root: Path) -> dict[str, Any]:
    port = _free_port()
    command = [
        str(root / ".venv/bin/eco2"),
        "function",
        "serve-http",
        f"functions/{function}/main.py",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(process, base, function, start)
        ready_s = time.perf_counter() - start
        result: dict[str, Any] = {"function": function, "ready_s": round(ready_s, 3)}
        result["ready_cpu_s"] = _cpu_s(process.pid)
        result |= _memory(process.pid)
        first = _event(function, 0)
        if first is not None:
            result["first_event_ms"] = round(_post(base, first) * 1000, 1)
            warm_s = [_post(base, _event(function, n + 1)) for n in range(warm)]
            result["warm_event_ms"] = round(statistics.median(warm_s) * 1000, 1)
            # What the first events loaded lazily shows here, not in the ready figure.
            result["pss_after_events_mb"] = _memory(process.pid)["pss_mb"]
        return result
    finally:
        _stop(process)


def summarise(rounds: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per function: the median of each figure over the rounds, and the spread of ready."""
    table: dict[str, dict[str, Any]] = {}
    for function in dict.fromkeys(r["function"] for r in rounds):
        mine = [r for r in rounds if r["function"] == function]
        row: dict[str, Any] = {"rounds": len(mine)}
        keys = ("ready_s", "ready_cpu_s", "pss_mb", "max_rss_mb", "first_event_ms", "warm_event_ms")
        for key in (*keys, "pss_after_events_mb"):
            values = [r[key] for r in mine if key in r]
            if values:
                row[key] = round(statistics.median(values), 3)
        ready = [r["ready_s"] for r in mine]
        row["ready_range_s"] = [min(ready), max(ready)]
        row["ready_met"] = row["ready_s"] <= READY_TARGET_S[function.split("@")[0]]
        row["memory_met"] = max(row["pss_mb"], row.get("pss_after_events_mb", 0)) < MEMORY_TARGET_MB
        served = [r["analyser"] for r in mine if "analyser" in r]
        if served:  # the analysis service's own start, beside the function's (not in it)
            row["analyser"] = {
                key: round(statistics.median(a[key] for a in served), 3)
                for key in ("ready_s", "ready_cpu_s", "pss_mb", "pss_after_events_mb", "requests")
                if all(key in a for a in served)
            }
        table[function] = row
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--functions", default=",".join(FUNCTIONS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", type=int, default=5, help="Warm events after the first.")
    parser.add_argument("--json", type=Path, help="Write the rounds and the summary here.")
    parser.add_argument(
        "--base",
        type=Path,
        help="Another checkout (with its .venv): each round runs it, then this one (A/B).",
    )
    args = parser.parse_args()
    functions = [f.strip() for f in args.functions.split(",") if f.strip()]
    unknown = set(functions) - set(FUNCTIONS)
    if unknown:
        parser.error(f"unknown function(s): {', '.join(sorted(unknown))}")

    calibration_ms = procstats.calibrate()
    print(f"calibration: {calibration_ms:.1f} ms (bench/procstats.py calibrate)", flush=True)
    tag = f"coldstart{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "ECO2_LLM__MODEL": "sim",
        "ECO2_LLM__SIM_SCALE": "0",
        "ECO2_PROGRESS__KEY_PREFIX": f"{tag}:",
        "ECO2_PIPELINE__TOPIC_PREFIX": f"{tag}:",
        "THREADS": "4",  # gunicorn threads, as a pod of 1 CPU would get
        # A schema of its own, migrated before the clock runs, as the migration Job leaves it:
        # reward's start then only checks it is at head.
        "ECO2_DATABASE_SCHEMA": SCHEMA,
    }
    migrate = [str(ROOT / ".venv/bin/eco2"), "db", "upgrade", "--schema", SCHEMA]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)
    try:
        rounds = []
        for n in range(args.rounds):
            for function in functions:
                for label, root in ([("base", args.base)] if args.base else []) + [("head", ROOT)]:
                    result = one_start(function, args.warm, env, root)
                    if args.base:
                        result["function"] = f"{function}@{label}"
                    print(f"round {n + 1} {json.dumps(result, ensure_ascii=False)}", flush=True)
                    rounds.append(result)
    finally:  # the schema is this run's own: leave the database as it was
        drop = f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-c", drop]
        subprocess.run(psql, check=False, capture_output=True)
    summary = summarise(rounds)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for function, row in summary.items():
        print(f"{function}: {json.dumps(row, ensure_ascii=False)}")
    if args.json:
        machine = {
            "cpus": os.cpu_count(),
            "cpu_model": procstats.cpu_model(),
            "calibration_ms": round(calibration_ms, 1),
            "load_average": [round(x, 1) for x in load],
        }
        record = {"machine": machine, "rounds": rounds, "summary": summary}
        args.json.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
