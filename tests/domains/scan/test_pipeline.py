"""The scan observer: stage progress in the Redis progress log and the job's record in PostgreSQL,
driven by the real rule, answer and reward functions through the runtime's Processor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis import asyncio as aioredis

from domains.scan.events import ScanRequested, ScanState, VisionResult
from domains.scan.pipeline import PIPELINE, ScanProgress, next_topic
from domains.scan.service import ScanJobService
from eco2.settings import Settings
from eventing.events import make_event
from eventing.progress import ProgressKeys, ProgressPublisher, progress_from_fields
from eventing.runtime.dedupe import RedisDedupe
from eventing.runtime.loader import Function, load_function
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import Processor

RUNTIME = RuntimeSettings(max_attempts=2, handler_timeout_s=10)
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def build(source: str, settings: Settings = SETTINGS) -> Function:
    return load_function(source, settings)


@pytest.fixture
async def publisher(unique: str) -> AsyncIterator[ProgressPublisher]:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    yield ProgressPublisher(client, ProgressKeys(shards=4, prefix=f"{unique}:"))
    keys = [k async for k in client.scan_iter(f"{unique}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def progress_of(publisher: ProgressPublisher, job_id: str) -> list[tuple[str, str, int]]:
    keys = publisher.keys
    entries = await publisher.redis.xrange(keys.stream(keys.shard(job_id)))
    steps = [progress_from_fields(fields)[0] for _, fields in entries]
    return [(p.stage, p.status, p.progress) for p in steps if p.job_id == job_id]


async def run_chain(event, observer: ScanProgress, settings: Settings = SETTINGS):
    """Run the event through each stage's function until the chain ends; return the last reply."""
    reply = event
    built: list[Function] = []
    try:
        while reply is not None and next_topic(reply) is not None:
            stage = next(s for s in PIPELINE if s.consumes == reply["type"])
            function = build(stage.source, settings)
            built.append(function)
            if function.start is not None:
                started = function.start()
                if started is not None:
                    await started
            processor = Processor(function, RUNTIME, observer=observer)
            outcome = await processor.process(reply, 1)
            assert outcome.status == "done", outcome.reason
            reply = outcome.reply
    finally:
        for function in built:
            if function.stop is not None and (stopped := function.stop()) is not None:
                await stopped
    return reply


async def test_identified_item_reports_every_stage_and_completes_the_job(
    publisher: ProgressPublisher, sessions, pg_schema: str, user: str
) -> None:
    settings = Settings(_env_file=None, database_schema=pg_schema)  # type: ignore[call-arg]
    jobs = ScanJobService(sessions)
    job, _ = await jobs.create_job(user_id=user, image_ref="sha256:x", hint="삼다수 빈 병")
    state = ScanState(
        request=ScanRequested(job_id=job.job_id, user_id=user, image_ref="sha256:x"),
        vision=VisionResult(text="다 마신 삼다수 생수병", source="hint"),
    )
    event = make_event("kr.eco2.scan.vision.completed", state, subject=job.job_id)
    final = await run_chain(event, ScanProgress(publisher, jobs), settings)

    assert final["type"] == "kr.eco2.scan.reward.completed"
    assert await progress_of(publisher, job.job_id) == [
        ("rule", "started", 25),
        ("rule", "completed", 50),
        ("answer", "started", 50),
        ("answer", "completed", 75),
        ("reward", "started", 75),
        ("reward", "completed", 100),
        ("done", "completed", 100),
    ]
    record = await jobs.get_job(job.job_id)
    assert record.status == "done" and record.progress == 100
    assert record.result["rule"]["category"] == "clear_pet"
    assert record.result["reward"]["received"] is True


async def test_unplaceable_text_ends_in_needs_input(
    publisher: ProgressPublisher, sessions, user: str
) -> None:
    jobs = ScanJobService(sessions)
    job, _ = await jobs.create_job(user_id=user, image_ref="sha256:y")
    state = ScanState(
        request=ScanRequested(job_id=job.job_id, user_id=user, image_ref="sha256:y"),
        vision=VisionResult(text="ㅋㅋㅋ", source="hint"),
    )
    event = make_event("kr.eco2.scan.vision.completed", state, subject=job.job_id)
    final = await run_chain(event, ScanProgress(publisher, jobs))
    assert final["type"] == "kr.eco2.scan.needs_input"
    steps = await progress_of(publisher, job.job_id)
    assert steps[-1] == ("needs_input", "needs_input", 25)
    record = await jobs.get_job(job.job_id)
    assert record.status == "needs_input" and "어떤 물건" in record.question


async def test_dead_stage_fails_the_job_with_a_reason(
    publisher: ProgressPublisher, sessions, user: str
) -> None:
    jobs = ScanJobService(sessions)
    job, _ = await jobs.create_job(user_id=user, image_ref="sha256:z")
    # An answer event without the rule result: the answer function refuses it every time.
    state = ScanState(request=ScanRequested(job_id=job.job_id, user_id=user, image_ref="x"))
    event = make_event("kr.eco2.scan.rule.completed", state, subject=job.job_id)
    processor = Processor(
        build("functions/answer/main.py"), RUNTIME, observer=ScanProgress(publisher, jobs)
    )
    outcome = await processor.process(event, RUNTIME.max_attempts)
    assert outcome.status == "dead"
    assert (await progress_of(publisher, job.job_id))[-1][:2] == ("failed", "failed")
    record = await jobs.get_job(job.job_id)
    assert record.status == "failed" and "answer needs the rule stage" in record.failure_reason


async def test_the_dedupe_lookup_rides_in_the_started_step(
    publisher: ProgressPublisher, unique: str
) -> None:
    # One round trip for "processed already?" and "rule started": the first delivery runs and
    # tells its start, a redelivery after success is skipped and tells nothing, and no
    # separate EXISTS is sent from the client (only the script's own, inside Redis).
    dedupe = RedisDedupe(publisher.redis, "rule", ttl_s=60, prefix=f"{unique}:")
    processor = Processor(
        build("functions/rule/main.py"),
        RUNTIME,
        dedupe=dedupe,
        observer=ScanProgress(publisher),
        dedupe_in_started=True,
    )
    state = ScanState(
        request=ScanRequested(job_id=unique, user_id="u", image_ref="sha256:x"),
        vision=VisionResult(text="다 마신 삼다수 생수병", source="hint"),
    )
    event = make_event("kr.eco2.scan.vision.completed", state, subject=unique)
    # A first event loads the scripts: another test's SCRIPT FLUSH would otherwise add a
    # NOSCRIPT retry to the count below.
    warm_up = make_event("kr.eco2.scan.vision.completed", state, subject=f"{unique}-w")
    assert (await processor.process(warm_up, 1)).status == "done"
    async with publisher.redis.monitor() as monitor:
        commands: list[list[str]] = []

        async def watch() -> None:
            async for command in monitor.listen():
                text = command["command"]
                if (
                    f"{unique}:" in text
                    and f"{unique}-w" not in text
                    and command.get("client_type") != "lua"
                ):
                    commands.append(command["command"].split()[:3])

        watching = asyncio.create_task(watch())
        first = await processor.process(event, 1)
        again = await processor.process(event, 1)  # e.g. the same reply published twice
        await asyncio.sleep(0.2)
        watching.cancel()
    assert (first.status, again.status) == ("done", "skipped")
    assert await progress_of(publisher, unique) == [
        ("rule", "started", 25),
        ("rule", "completed", 50),
    ]
    assert await publisher.redis.exists(dedupe.key(event["id"])) == 1
    assert not [c for c in commands if c[0].upper() == "EXISTS"], commands
    guarded = [c for c in commands if c[0].upper() == "EVALSHA" and c[2] == "3"]  # 3 keys
    assert len(guarded) == 2, commands  # the two started steps, each carrying the lookup


def test_dedupe_in_started_needs_a_redis_dedupe_and_an_observer(publisher) -> None:
    rule = build("functions/rule/main.py")
    with pytest.raises(TypeError):
        Processor(rule, RUNTIME, observer=ScanProgress(publisher), dedupe_in_started=True)
