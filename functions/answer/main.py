"""The answer stage: write the disposal guidance in Korean, grounded on the rules found.

``kr.eco2.scan.rule.completed`` → ``kr.eco2.scan.answer.completed``. Offline (model ``local``,
the default) the text is the knowledge base's own grounded guidance: every sentence comes from
a data file. With a cloud model the LLM port rewrites that guidance for the person, streaming its
tokens as progress (``eventing.runtime.report``); if every provider fails, the port falls back
to the local provider, so the stage still answers.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.knowledge import Classification, guidance
from domains.llm import LLMRequest, ResilientLLM, provider_for
from eco2.settings import get_settings
from eventing.events import AnswerResult, ScanState, payload_of, reply_to
from eventing.runtime import function, report
from eventing.runtime.loop import LoopThread
from functions.answer import prompts

_loop: LoopThread | None = None
_llm: ResilientLLM | None = None


def _client() -> tuple[LoopThread, ResilientLLM]:
    """One LLM client per process, living on its own loop (it holds HTTP connection pools)."""
    global _loop, _llm
    if _loop is None or _llm is None:
        _loop, _llm = LoopThread("answer-llm"), ResilientLLM(lambda: get_settings().llm)
    return _loop, _llm


def stop() -> None:
    global _loop, _llm
    if _loop is not None:
        if _llm is not None:
            _loop.run(_llm.aclose(), timeout=5)
        _loop.close()
    _loop, _llm = None, None


async def _write(llm: ResilientLLM, request: LLMRequest, sink: report.Sink) -> str:
    pieces: list[str] = []
    async for delta in llm.stream(request):
        pieces.append(delta)
        sink("token", {"text": delta})
    return "".join(pieces)


@function
def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    if state.rule is None:
        raise ValueError(f"job {state.request.job_id}: answer needs the rule stage's result")
    classification = Classification.model_validate(state.rule.model_dump())
    grounded = guidance(classification)
    steps = [f"{part.name}: {' → '.join(part.steps)}" for part in classification.parts]
    model = state.request.model or get_settings().llm.model
    text = grounded
    if provider_for(model) != "local":
        loop, llm = _client()
        request = LLMRequest(
            system=prompts.SYSTEM,
            prompt=prompts.prompt(classification.item, classification.text, grounded),
            model=model,
            context={"guidance": grounded},
        )
        text = loop.run(_write(llm, request, report.current()), timeout=None)
    answer = AnswerResult(text=text, steps=steps, model=model)
    return reply_to(
        event, "kr.eco2.scan.answer.completed", state.model_copy(update={"answer": answer})
    )
