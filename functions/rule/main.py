"""The rule stage: classify what vision found into a disposal category and its rules.

``kr.eco2.scan.vision.completed`` → ``kr.eco2.scan.rule.completed``, or
``kr.eco2.scan.needs_input`` when the text cannot be placed (the classifier says so with a low
confidence instead of guessing, and the person is asked what the item is).

``handle`` is ``async def`` although it computes: a warm classification takes 0.16 ms (p50; 0.6
ms p99, ~1.5 ms for a 500-character text), less than the hand-off to a handler thread and back
that a plain ``def`` costs per event (at 1,000 VU the stage's CPU per scan fell from 2.15 to
1.65 ms, its share of the system's from 12 % to 9 %; bench/RESULTS.md). The one slow call,
building the index and Kiwi's model (seconds), is made by ``start`` in a thread before the first
event, so it never stalls the worker's loop. They keep ~600 MB resident, which the rule
manifests provide for (768Mi requested, 1Gi limit).
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.knowledge import classify, search_rules
from eco2.settings import Settings
from eventing.events import RuleResult, ScanNeedsInput, ScanState, payload_of, reply_to
from eventing.runtime import function

QUESTION = (
    "어떤 물건인지 잘 모르겠어요. 품목 이름을 알려 주시겠어요? "
    "(예: 투명 생수병, 라면 봉지, 깨진 유리컵)"
)


WARM_UP = "깨진 유리컵은 어떻게 버려요"  # reaches the lexicon and the tokenizer (Kiwi) paths


def start(settings: Settings) -> None:
    """Build the classifier, its retrieval index and the tokenizer now (a plain ``def``: the
    runtime runs it in a thread, the loop stays free)."""
    classify(WARM_UP)
    search_rules(WARM_UP)


@function
async def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    text = state.vision.text if state.vision else (state.request.hint or "")
    result = classify(text)
    if result.category is None:
        asked = ScanNeedsInput(job_id=state.request.job_id, question=QUESTION, state=state)
        return reply_to(event, "kr.eco2.scan.needs_input", asked)
    rule = RuleResult.model_validate(result.model_dump(mode="json"))
    return reply_to(event, "kr.eco2.scan.rule.completed", state.model_copy(update={"rule": rule}))
