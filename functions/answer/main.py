"""The answer stage: write the disposal guidance in Korean, grounded on the rules found.

``kr.eco2.scan.rule.completed`` → ``kr.eco2.scan.answer.completed``. Offline (the default) the
text is the knowledge base's own grounded guidance; every sentence comes from a data file.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.knowledge import Classification, guidance
from eventing.events import AnswerResult, ScanState, payload_of, reply_to
from eventing.runtime import function


@function
def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    if state.rule is None:
        raise ValueError(f"job {state.request.job_id}: answer needs the rule stage's result")
    classification = Classification.model_validate(state.rule.model_dump())
    steps = [f"{part.name}: {' → '.join(part.steps)}" for part in classification.parts]
    answer = AnswerResult(text=guidance(classification), steps=steps, model="local")
    return reply_to(
        event, "kr.eco2.scan.answer.completed", state.model_copy(update={"answer": answer})
    )
