"""The rule stage: classify what vision found into a disposal category and its rules.

``kr.eco2.scan.vision.completed`` → ``kr.eco2.scan.rule.completed``, or
``kr.eco2.scan.needs_input`` when the text cannot be placed or the classifier is not sure
(confidence below ``ASK_BELOW``): the person is asked, with the two likeliest categories as
choices. A resumed scan carries the person's pick (``ScanRequested.choice``), which decides.

``handle`` is ``async def`` although it computes: a warm classification costs less than the
hand-off to a handler thread and back that a plain ``def`` would cost per event. The one slow
call, building the index and warming the tokenizer, is made by ``start`` in a thread before the
first event, so it never stalls the worker's loop. The tokenizer is the analysis service when
``ECO2_KNOWLEDGE__ANALYSER_URL`` is set (the rule manifests set it: the pod then never builds
Kiwi's ~230 MB model; the gloss index's ~3,700 glosses go to it in batches of 1,000), else Kiwi in
this process, which is also what a pod falls back to when the service cannot be reached.
"""

from __future__ import annotations

from typing import Protocol

from cloudevents.http import CloudEvent

from domains.knowledge import ASK_BELOW, category_name, classify, classify_as, search_rules
from domains.knowledge.analyser import configure_analyser, configure_kiwi
from domains.knowledge.josa import attach
from domains.knowledge.settings import KnowledgeSettings
from domains.scan import events
from domains.scan.events import Choice, RuleResult, ScanNeedsInput, ScanState
from eventing.events import payload_of, reply_to

QUESTION = (
    "어떤 물건인지 잘 모르겠어요. 품목 이름을 알려 주시겠어요? "
    "(예: 투명 생수병, 라면 봉지, 깨진 유리컵)"
)
WARM_UP = "깨진 유리컵은 어떻게 버려요"  # reaches the lexicon and the tokenizer (Kiwi) paths
WARM_UP_DESCRIBED = "빵 굽는 기계"  # a description: builds the gloss index in start


def unsure_question(first: str, second: str | None) -> str:
    """The question for an answer the classifier is not sure of: the two likeliest streams."""
    if second is None:
        return f"{attach(first, '이/가')} 맞나요? 아니면 품목 이름을 알려 주세요."
    return (
        f"{attach(first, '과/와')} {second} 중 어디에 가까운가요? 고르거나 품목 이름을 알려 주세요."
    )


class Config(Protocol):
    """What the rule stage reads of a process's settings."""

    @property
    def knowledge(self) -> KnowledgeSettings: ...


class Rule:
    """The stage; the knowledge base it reads is the package's own, loaded once per process."""

    def __init__(
        self, ask_below: float = ASK_BELOW, knowledge: KnowledgeSettings | None = None
    ) -> None:
        self.ask_below = ask_below
        self.knowledge = knowledge or KnowledgeSettings()

    def start(self) -> None:
        """Build the classifier, its retrieval index and the tokenizer now (a plain ``def``: the
        runtime runs it in a thread, the loop stays free), the tokenizer as the settings say:
        the analysis service when a URL is set, else Kiwi built here."""
        configure_kiwi(typo_dict=self.knowledge.kiwi_typo_dict)
        if self.knowledge.analyser_url:
            # Only when set: a process that hosts chat too (the embedded modes) keeps the
            # analyser chat configured rather than having it replaced by an in-process one.
            configure_analyser(self.knowledge.analyser_url)
        classify(WARM_UP)
        classify(WARM_UP_DESCRIBED)
        search_rules(WARM_UP)

    async def handle(self, event: CloudEvent) -> CloudEvent:
        state = payload_of(event, ScanState)
        text = state.vision.text if state.vision else (state.request.hint or "")
        choice = state.request.choice
        result = classify_as(text, choice) if choice is not None else classify(text)
        if result.category is None or result.confidence < self.ask_below:
            choices = [Choice(category=key, name=category_name(key)) for key in result.choices]
            question = (
                unsure_question(choices[0].name, choices[1].name if len(choices) > 1 else None)
                if choices
                else QUESTION
            )
            asked = ScanNeedsInput(
                job_id=state.request.job_id, question=question, choices=choices, state=state
            )
            return reply_to(event, events.NEEDS_INPUT, asked)
        rule = RuleResult.model_validate(result.model_dump(mode="json"))
        return reply_to(event, events.RULE_COMPLETED, state.model_copy(update={"rule": rule}))


def new(settings: Config | None = None) -> Rule:
    """The rule stage; without settings, the tokenizer's defaults."""
    return Rule(knowledge=settings.knowledge if settings is not None else None)
