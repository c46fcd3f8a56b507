"""The reward function on the real PostgreSQL: a character once per user, none when unidentified."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from domains.scan.events import RuleResult, ScanRequested, ScanState, VisionResult
from eco2.settings import Settings
from eventing.events import make_event, payload_of
from functions.reward import main as reward
from functions.reward.main import RewardStage
from tests.domains.conftest import drop_schema


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    asyncio.run(drop_schema(name))


@pytest.fixture
async def started(schema: str) -> AsyncIterator[RewardStage]:
    # Per test: the engine belongs to the test's event loop (migrating again is a no-op).
    stage = reward.new(Settings(_env_file=None, database_schema=schema))  # type: ignore[call-arg]
    await stage.start()
    try:
        yield stage
    finally:
        await stage.stop()


def answered(job: str, user: str, category: str | None):
    rules = [{"id": f"{category}.basic", "title": "기본", "category": category}] if category else []
    state = ScanState(
        request=ScanRequested(job_id=job, user_id=user, image_ref="sha256:x"),
        vision=VisionResult(text="삼다수", source="hint"),
        rule=RuleResult(category=category, confidence=0.9 if category else 0.1, rules=rules),
    )
    return make_event("kr.eco2.scan.answer.completed", state, subject=job)


async def test_first_scan_gives_the_category_character(started: RewardStage) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    reply = await started.handle(answered("job-a", user, "clear_pet"))
    assert reply["type"] == "kr.eco2.scan.reward.completed"
    result = payload_of(reply, ScanState).reward
    assert result.received and not result.already_owned
    assert result.character and result.dialog


async def test_second_job_same_category_is_already_owned_and_retry_is_stable(
    started: RewardStage,
) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    first = payload_of(await started.handle(answered("job-1", user, "glass")), ScanState).reward
    retried = payload_of(await started.handle(answered("job-1", user, "glass")), ScanState).reward
    second = payload_of(await started.handle(answered("job-2", user, "glass")), ScanState).reward
    assert (first.already_owned, retried.already_owned, second.already_owned) == (
        False,
        False,
        True,
    )
    assert first.character == second.character


async def test_no_reward_when_the_item_was_not_identified(started: RewardStage) -> None:
    result = payload_of(await started.handle(answered("job-x", "u-none", None)), ScanState).reward
    assert result.received is False and result.character is None
