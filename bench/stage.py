"""CPU per event of ONE scan stage, in-process, on the real Redis: steadier than a load run.

    .venv/bin/python bench/stage.py --stage rule --events 3000
    .venv/bin/python bench/stage.py --stage answer --events 3000 --profile /tmp/answer.pstats

The stage's worker is wired exactly as ``eco2 function run --trigger redis --observer scan``
wires it (Redis Streams trigger, dedupe in the ``started`` step, the scan observer writing the
progress log, settlement in MULTI/EXEC), but in this process, so ``time.process_time`` counts
the worker's CPU alone (plus the feeding of its input, done before the clock starts). Inputs are
built here from a fixed set of item texts, so two runs see the same events. The simulated LLM
waits ``--sim-scale`` × its profile (default 0: CPU only). The rule and answer stages do not
write PostgreSQL; bench/db_writes.py measures the reward stage's writes.

A load run's per-process CPU swings ±20 % with the machine (bench/RESULTS.md); this one repeats
within a few per cent, so a change to the per-event path can be judged by running it before
and after (``--repeat`` runs alternate nothing: compare commits by running it on each).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXTS = (
    "투명 페트병 PET 생수병",
    "라면 봉지 비닐",
    "깨진 유리컵",
    "우유팩 종이팩",
    "알루미늄 캔 음료수",
    "스티로폼 완충재",
)


def _settings(tag: str, sim_scale: float):
    os.environ.update(
        {
            "ECO2_LLM__MODEL": "sim",
            "ECO2_LLM__SIM_SCALE": str(sim_scale),
            "ECO2_PROGRESS__KEY_PREFIX": f"{tag}:",
            "ECO2_PIPELINE__TOPIC_PREFIX": f"{tag}:",
        }
    )
    from eco2.settings import get_settings

    get_settings.cache_clear()
    return get_settings()


def _inputs(stage: str, count: int) -> list:
    """``count`` input events of ``stage``, each its own job."""
    from domains.knowledge import classify
    from domains.scan.events import RuleResult, ScanRequested, ScanState, VisionResult
    from domains.scan.pipeline import BY_CONSUMED, PIPELINE
    from eventing.events import make_event

    spec = next(s for s in PIPELINE if s.name == stage)
    if stage not in ("rule", "answer"):
        raise SystemExit(f"--stage {stage}: only rule and answer are built here")
    events = []
    for n in range(count):
        text = TEXTS[n % len(TEXTS)]
        job_id = str(uuid.uuid4())
        state = ScanState(
            request=ScanRequested(job_id=job_id, image_ref=f"bench/{job_id}"),
            vision=VisionResult(item=text, text=text, source="ocr", confidence=0.9),
        )
        if stage == "answer":
            rule = RuleResult.model_validate(classify(text).model_dump(mode="json"))
            state = state.model_copy(update={"rule": rule})
        events.append(make_event(spec.consumes, state, subject=job_id))
    assert BY_CONSUMED[spec.consumes] is spec
    return events


def _feed(settings, bus, topic: str, events: list, rate: float, stop: threading.Event) -> None:
    """Append ``events`` to the stage's streams at ``rate`` a second, as a load run would."""
    import redis

    from eventing.bindings.redis import to_stream_fields

    client = redis.Redis.from_url(settings.redis_url)
    start = time.perf_counter()
    for n, event in enumerate(events):
        delay = start + n / rate - time.perf_counter()
        if delay > 0 and stop.wait(delay):
            break
        stream = bus.stream(topic, bus.shard_for(event, None))
        client.xadd(stream, to_stream_fields(event), maxlen=bus.maxlen, approximate=True)
    client.close()


async def _run_once(args: argparse.Namespace, profile: cProfile.Profile | None) -> dict:
    from domains.scan.pipeline import BY_CONSUMED, PIPELINE, next_topic
    from eco2.scan_observer import scan_observer
    from eventing.bus.redis import RedisBus, connect
    from eventing.runtime.dedupe import RedisDedupe
    from eventing.runtime.loader import is_async, load_function
    from eventing.runtime.redis_trigger import RedisTrigger

    tag = f"stagebench{uuid.uuid4().hex[:8]}"
    settings = _settings(tag, args.sim_scale)
    spec = next(s for s in PIPELINE if s.name == args.stage)
    fn = load_function(ROOT / spec.source, settings)
    if fn.start is not None:
        if is_async(fn.start):
            await fn.start()
        else:
            await asyncio.to_thread(fn.start)
    bus = RedisBus(settings.redis_url, settings.shards, prefix=settings.pipeline.topic_prefix)
    client = connect(settings.redis_url, max_connections=8)
    events = _inputs(args.stage, args.events)
    out_topic = BY_CONSUMED[spec.produces].topic
    try:
        if not args.rate:
            for event in events:
                await bus.publish(spec.topic, event)
        async with scan_observer(settings) as observer:
            trigger = RedisTrigger(
                bus,
                fn,
                settings.runtime.model_copy(update={"concurrency": spec.concurrency}),
                topic=spec.topic,
                group=spec.name,
                dedupe=RedisDedupe(
                    client, spec.name, settings.runtime.dedupe_ttl_s, prefix=f"{tag}:"
                ),
                reply_topic=next_topic,
                observer=observer,
                dedupe_in_started=True,
            )
            # The worker's CPU: this thread's (the feeder, when pacing, has its own thread).
            cpu0, wall0 = time.thread_time(), time.perf_counter()
            if profile is not None:
                profile.enable()
            task = asyncio.create_task(trigger.run())
            if args.rate:
                stop = threading.Event()
                feeder = threading.Thread(
                    target=_feed, args=(settings, bus, spec.topic, events, args.rate, stop)
                )
                feeder.start()
            streams = [bus.stream(out_topic, shard) for shard in range(settings.shards)]
            while True:
                await asyncio.sleep(0.25 if args.rate else 0.05)
                async with client.pipeline(transaction=False) as pipe:
                    for stream in streams:
                        pipe.xlen(stream)
                    done = sum(await pipe.execute())
                if done >= args.events:
                    break
                if task.done():
                    task.result()
            if profile is not None:
                profile.disable()
            cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
            trigger.stop()
            await task
            if args.rate:
                stop.set()
                feeder.join()
    finally:
        keys = [key async for key in client.scan_iter(f"{tag}:*", count=1000)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start : start + 500])
        await bus.close()
        await client.aclose()
    return {
        "events": args.events,
        "rate": args.rate,
        "cpu_ms_per_event": cpu * 1000 / args.events,
        "wall_s": wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", choices=["rule", "answer"], default="rule")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sim-scale", type=float, default=0.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="Feed the events at this many a second from another thread (0: all before).",
    )
    parser.add_argument("--profile", type=Path, help="Write a cProfile of the last run here.")
    args = parser.parse_args()
    import logging

    import uvloop

    # At the level a worker would log (ECO2_LOG_LEVEL), written nowhere: formatting is counted.
    logging.basicConfig(level=os.environ.get("ECO2_LOG_LEVEL", "INFO"), filename=os.devnull)
    runs = []
    for n in range(args.repeat):
        last = n == args.repeat - 1
        profile = cProfile.Profile(time.thread_time) if args.profile and last else None
        runs.append(uvloop.run(_run_once(args, profile)))
        print(json.dumps(runs[-1]), flush=True)
        if profile is not None:
            profile.dump_stats(args.profile)
    cpu = [run["cpu_ms_per_event"] for run in runs]
    print(
        f"{args.stage}: {statistics.median(cpu):.3f} ms CPU per event "
        f"(median of {len(cpu)}; min {min(cpu):.3f}, max {max(cpu):.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
