"""The rule stage: classify what vision found into a disposal category and its rules.

``kr.eco2.scan.vision.completed`` → ``kr.eco2.scan.rule.completed``, or
``kr.eco2.scan.needs_input`` when the text cannot be placed (the classifier says so with a low
confidence instead of guessing, and the person is asked what the item is).
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.knowledge import classify
from eventing.events import RuleResult, ScanNeedsInput, ScanState, payload_of, reply_to
from eventing.runtime import function

QUESTION = (
    "어떤 물건인지 잘 모르겠어요. 품목 이름을 알려 주시겠어요? "
    "(예: 투명 생수병, 라면 봉지, 깨진 유리컵)"
)


@function
def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    text = state.vision.text if state.vision else (state.request.hint or "")
    result = classify(text)
    if result.category is None:
        asked = ScanNeedsInput(job_id=state.request.job_id, question=QUESTION, state=state)
        return reply_to(event, "kr.eco2.scan.needs_input", asked)
    rule = RuleResult.model_validate(result.model_dump(mode="json"))
    return reply_to(event, "kr.eco2.scan.rule.completed", state.model_copy(update={"rule": rule}))
