"""The answer stage: grounded template offline; with a cloud model the real OpenAI SDK writes it
(against the local fake server) and its tokens are reported as progress, in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from domains.llm import LLMSettings
from domains.scan.events import RuleResult, ScanRequested, ScanState
from eco2.settings import Settings
from eventing.events import make_event, payload_of
from eventing.runtime.loader import load_function
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import Processor
from functions.answer import main as answer
from tests.domains.llm.fakes import script
from tests.domains.llm.fakes.server import FakeProviders


def rule_done(model: str | None = None):
    from domains.knowledge import classify

    found = classify("다 마신 삼다수 페트병")
    state = ScanState(
        request=ScanRequested(job_id="job-a", image_ref="sha256:x", model=model),
        rule=RuleResult.model_validate(found.model_dump(mode="json")),
    )
    return make_event("kr.eco2.scan.rule.completed", state, subject="job-a")


class Tokens:
    def __init__(self) -> None:
        self.steps: list[tuple[str, Any]] = []

    async def started(self, event, attempt) -> None:
        self.steps.append(("started", None))

    async def succeeded(self, event, reply) -> None:
        self.steps.append(("succeeded", reply["type"]))

    async def dead(self, event, reason) -> None:
        self.steps.append(("dead", reason))

    async def reported(self, event, kind, data) -> None:
        self.steps.append((kind, data["text"]))


async def test_offline_answer_is_the_grounded_guidance() -> None:
    stage = answer.new(Settings(_env_file=None))  # type: ignore[call-arg]
    state = payload_of(await stage.handle(rule_done()), ScanState)
    assert state.answer.model == "local"
    assert "투명 페트병" in state.answer.text and "라벨" in state.answer.text
    assert any(step.startswith("병") for step in state.answer.steps)


@pytest.fixture
def cloud() -> Iterator[FakeProviders]:
    fakes = FakeProviders()
    fakes.start()
    yield fakes
    fakes.stop()


async def test_cloud_model_writes_the_answer_and_streams_tokens(cloud: FakeProviders) -> None:
    cloud.openai.queue(script.text("투명 페트병은 라벨을 떼고 헹군 뒤 찌그러뜨려 배출해요."))
    observer = Tokens()
    llm = LLMSettings(openai_api_key="test-key", openai_base_url=cloud.openai_base_url, timeout_s=5)  # type: ignore[arg-type]
    settings = Settings(_env_file=None, llm=llm)  # type: ignore[call-arg]
    function = load_function("functions/answer/main.py", settings)
    assert function.is_async  # awaited on this loop: no thread, its client lives here
    processor = Processor(function, RuntimeSettings(handler_timeout_s=10), observer=observer)
    try:
        outcome = await processor.process(rule_done(model="gpt-4.1-mini"), 1)
    finally:
        await function.stop()  # type: ignore[misc]
    assert outcome.status == "done", outcome.reason
    state = payload_of(outcome.reply, ScanState)
    assert state.answer.model == "gpt-4.1-mini"
    assert state.answer.text == "투명 페트병은 라벨을 떼고 헹군 뒤 찌그러뜨려 배출해요."
    tokens = [text for kind, text in observer.steps if kind == "token"]
    assert len(tokens) > 1 and "".join(tokens) == state.answer.text
    assert observer.steps[-1] == ("succeeded", "kr.eco2.scan.answer.completed")
    sent = cloud.openai.received[0].body
    assert "근거" in str(sent) and "투명 페트병" in str(sent)  # grounded on the rules found
