"""The answer stage: write the disposal guidance in Korean, grounded on the rules found.

``kr.eco2.scan.rule.completed`` → ``kr.eco2.scan.answer.completed``. Offline (model ``local``,
the default) the text is the knowledge base's own grounded guidance: every sentence comes from
a data file. With a cloud model the LLM port rewrites that guidance for the person, streaming its
tokens as progress (``eventing.runtime.report``); if every provider fails, the port falls back
to the local provider, so the stage still answers.

``handle`` is ``async def``: the stage waits on the model, so it runs on the trigger's event
loop with its LLM client (HTTP connection pools bound to that loop), one per process.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.knowledge import Classification, guidance
from domains.llm import LLMRequest, ResilientLLM, provider_for
from eco2.settings import get_settings
from eventing.events import AnswerResult, ScanState, payload_of, reply_to
from eventing.runtime import function, report
from functions.answer import prompts

_llm: ResilientLLM | None = None


def _client() -> ResilientLLM:
    """One LLM client per process, made on the loop that runs the handler."""
    global _llm
    if _llm is None:
        _llm = ResilientLLM(lambda: get_settings().llm)
    return _llm


async def stop() -> None:
    global _llm
    if _llm is not None:
        await _llm.aclose()
    _llm = None


async def _write(llm: ResilientLLM, request: LLMRequest) -> str:
    pieces: list[str] = []
    async for delta in llm.stream(request):
        pieces.append(delta)
        report.report("token", {"text": delta})
    return "".join(pieces)


@function
async def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    if state.rule is None:
        raise ValueError(f"job {state.request.job_id}: answer needs the rule stage's result")
    classification = Classification.model_validate(state.rule.model_dump())
    grounded = guidance(classification)
    steps = [f"{part.name}: {' → '.join(part.steps)}" for part in classification.parts]
    model = state.request.model or get_settings().llm.model
    text = grounded
    if provider_for(model) != "local":
        request = LLMRequest(
            system=prompts.SYSTEM,
            prompt=prompts.prompt(classification.item, classification.text, grounded),
            model=model,
            context={"guidance": grounded},
        )
        text = await _write(_client(), request)
    answer = AnswerResult(text=text, steps=steps, model=model)
    return reply_to(
        event, "kr.eco2.scan.answer.completed", state.model_copy(update={"answer": answer})
    )
