"""The scan pipeline as data: which event wakes which stage, and how a job's progress is told.

The functions stay pure; this module is the runtime ``Observer`` that turns what happens to
their events into the job's progress (Redis progress log → router → SSE) and its record in
PostgreSQL. Progress ranges follow the seed: vision 0→25, rule 25→50, answer 50→75,
reward 75→100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent

from domains.scan import events
from domains.scan.events import ScanNeedsInput, ScanState
from domains.scan.service import ScanJobService
from eventing.events import payload_of
from eventing.progress import ProgressPublisher


@dataclass(frozen=True)
class StageSpec:
    """One stage: the event that wakes it, its reply, its topic and progress range."""

    name: str
    consumes: str
    produces: str
    start: int
    end: int
    # Events a worker handles at once. A stage that waits on a model holds hundreds, sized by
    # Little's law for what one worker process must pass (arrival rate x model time); one that
    # computes (retrieval, PostgreSQL) gains nothing past a few, and more only makes every
    # handler slower until they time out: those entries are better left waiting in the stream.
    # Vision's memory is bounded by image bytes, not by this count (domains/image/budget.py).
    concurrency: int

    @property
    def topic(self) -> str:
        return f"eco2:fn:{self.name}"

    def queue(self, exchange: str) -> str:
        """Its RabbitMQ queue; named after the exchange so two systems never share one."""
        return f"{exchange}.fn.{self.name}"

    @property
    def source(self) -> str:
        return f"functions/{self.name}/main.py"


PIPELINE: tuple[StageSpec, ...] = (
    StageSpec("vision", events.REQUESTED, events.VISION_COMPLETED, 0, 25, 512),
    StageSpec("rule", events.VISION_COMPLETED, events.RULE_COMPLETED, 25, 50, 8),
    StageSpec("answer", events.RULE_COMPLETED, events.ANSWER_COMPLETED, 50, 75, 1024),
    StageSpec("reward", events.ANSWER_COMPLETED, events.REWARD_COMPLETED, 75, 100, 16),
)
BY_CONSUMED = {stage.consumes: stage for stage in PIPELINE}
FINAL = events.REWARD_COMPLETED


def next_topic(reply: CloudEvent) -> str | None:
    """Where a stage's reply goes: the topic of the stage it wakes (None ends the chain)."""
    stage = BY_CONSUMED.get(reply["type"])
    return stage.topic if stage else None


def summary(state: ScanState) -> dict[str, Any]:
    """The job's result as the client sees it (SSE ``done`` payload and the result endpoint)."""
    return state.model_dump(mode="json", exclude={"request": {"image_ref"}})


def stage_payload(stage: str, state: ScanState) -> dict[str, Any] | None:
    """What a stage's ``completed`` progress event carries: that stage's own result."""
    part = getattr(state, stage, None)
    return None if part is None else part.model_dump(mode="json")


class ScanProgress:
    """Runtime observer: reports each stage's start and end and the job's end, and records them.

    PostgreSQL gets only the job's state changes (needs_input, done, failed): a transaction per
    stage would cost more than the stage itself. Where a running job is
    lives in the progress log, which the status endpoint reads (``eventing.progress.live_step``).
    """

    def __init__(self, publisher: ProgressPublisher, jobs: ScanJobService | None = None) -> None:
        self.publisher = publisher
        self.jobs = jobs

    async def started(self, event: CloudEvent, attempt: int, *, unless: str | None = None) -> bool:
        stage = BY_CONSUMED.get(event["type"])
        if stage is None:  # nothing to tell: only the dedupe mark to look up
            return unless is None or not await self.publisher.redis.exists(unless)
        step = (event["subject"], stage.name, "started", stage.start)
        if unless is None:  # the embedded default's in-memory log knows no guard
            await self.publisher.emit(*step)
            return True
        return await self.publisher.emit(*step, unless=unless) != -1

    async def succeeded(self, event: CloudEvent, reply: CloudEvent | None) -> None:
        stage = BY_CONSUMED.get(event["type"])
        if stage is None or reply is None:
            return
        job_id = event["subject"]
        if reply["type"] == events.NEEDS_INPUT:
            asked = payload_of(reply, ScanNeedsInput)
            # Record before telling: a client answering as soon as it reads the question
            # must find the job waiting for input, not still running.
            choices = [c.model_dump(mode="json") for c in asked.choices]
            if self.jobs is not None:
                await self.jobs.needs_input(job_id, asked.question, choices)
            await self.publisher.emit(
                job_id,
                "needs_input",
                "needs_input",
                stage.start,
                {"question": asked.question, "choices": choices},
            )
            return
        state = payload_of(reply, ScanState)
        await self.publisher.emit(
            job_id,
            stage.name,
            "completed",
            stage.end,
            stage_payload(stage.name, state),
        )
        if reply["type"] == FINAL:
            result = summary(state)
            # Record first, as above: the result endpoint answers 200 once ``done`` is seen.
            if self.jobs is not None:
                await self.jobs.complete(job_id, result)
            await self.publisher.emit(job_id, "done", "completed", 100, result)

    async def reported(self, event: CloudEvent, kind: str, data: dict[str, Any]) -> None:
        """A stage's own steps while it runs: the answer's tokens stream to the client."""
        stage = BY_CONSUMED.get(event["type"])
        if stage is None or kind != "token":
            return
        await self.publisher.emit(
            event["subject"],
            stage.name,
            "token",
            stage.start,
            data,
            linger=True,  # a token may wait a few ms to share a round trip (eventing.coalesce)
        )

    async def dead(self, event: CloudEvent, reason: str) -> None:
        stage = BY_CONSUMED.get(event["type"])
        if stage is None:
            return
        job_id = event["subject"]
        message = f"{stage.name} 단계를 처리하지 못했어요: {reason}"
        # If Redis lost the job's log meanwhile, the failure starts a new seq epoch so the
        # clients following the job still read it.
        await self.publisher.restart_lost_log(job_id)
        await self.publisher.emit(
            job_id, "failed", "failed", stage.start, {"stage": stage.name, "reason": message}
        )
        if self.jobs is not None:
            await self.jobs.fail(job_id, stage.name, message)
