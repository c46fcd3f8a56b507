"""The answer stage: write the disposal guidance in Korean, grounded on the rules found.

``kr.eco2.scan.rule.completed`` → ``kr.eco2.scan.answer.completed``. Offline (model ``local``,
the default) the text is the knowledge base's own grounded guidance: every sentence comes from
a data file. With a cloud model the LLM port rewrites that guidance for the person, streaming its
tokens as progress (``eventing.runtime.report``); if every provider fails, the port falls back
to the local provider, so the stage still answers.

``handle`` is ``async def``: the stage waits on the model, so it runs on the trigger's event
loop with its LLM client (HTTP connection pools bound to that loop).
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from cloudevents.http import CloudEvent

from domains.knowledge import Classification, default_classifier, guidance
from domains.llm import LLMRequest, LLMSettings, ResilientLLM, provider_for
from domains.scan import events
from domains.scan.events import AnswerResult, ScanState
from eventing.events import payload_of, reply_to
from eventing.runtime import report
from functions.answer import prompts


class Config(Protocol):
    """What the answer stage reads of a process's settings."""

    @property
    def llm(self) -> LLMSettings: ...


class Answer:
    """The stage with its LLM client (one per instance, used on the loop that runs it)."""

    def __init__(self, settings: Config) -> None:
        self.settings = settings
        self.llm = ResilientLLM(lambda: settings.llm)

    async def start(self) -> None:
        """Load the knowledge base's lexicon now (half a second or more), so the first event
        after a cold start is answered as fast as the next ones (bench/coldstart.py); the
        configured model's SDKs too, for the same reason."""
        await asyncio.to_thread(default_classifier)
        self.llm.prepare()

    async def stop(self) -> None:
        await self.llm.aclose()

    async def handle(self, event: CloudEvent) -> CloudEvent:
        state = payload_of(event, ScanState)
        if state.rule is None:
            raise ValueError(f"job {state.request.job_id}: answer needs the rule stage's result")
        classification = Classification.model_validate(state.rule.model_dump())
        grounded = guidance(classification)
        steps = [f"{part.name}: {' → '.join(part.steps)}" for part in classification.parts]
        model = state.request.model or self.settings.llm.model
        text = grounded
        if provider_for(model) != "local":
            request = LLMRequest(
                system=prompts.SYSTEM,
                prompt=prompts.prompt(classification.item, classification.text, grounded),
                model=model,
                context={"guidance": grounded},
            )
            text = await self._write(request)
        answer = AnswerResult(text=text, steps=steps, model=model)
        return reply_to(event, events.ANSWER_COMPLETED, state.model_copy(update={"answer": answer}))

    async def _write(self, request: LLMRequest) -> str:
        pieces: list[str] = []
        async for delta in self.llm.stream(request):
            pieces.append(delta)
            report.report("token", {"text": delta})
        return "".join(pieces)


def new(settings: Config) -> Answer:
    return Answer(settings)
