"""The scan domain's vocabulary: its stages, its event types and their payloads.

A scan runs ``queued → vision → rule → answer → reward → done``; it may stop at ``needs_input``
(a question to the person) or end ``failed`` (the terminal stages every job shares,
``eventing.events.TERMINAL_STAGES``). Each stage consumes one event type and replies with the
next; ``SCAN_EVENTS`` is the table of type → payload that ``eco2 events`` prints.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, get_args

from pydantic import AfterValidator, Field

from domains.knowledge.models import CategoryKey
from eventing.events import EventCatalog, Payload

# The pipeline steps a job reaches, in order; ``done`` is also every job's terminal stage.
Stage = Literal["queued", "vision", "rule", "answer", "reward", "done"]
STAGES: tuple[str, ...] = get_args(Stage)

# The rule stage's input is what a photo shows and a person types: a few hundred characters.
# Longer text is cut here, so no event (from the bus or over HTTP) costs the stage seconds of
# tokenising (a 900 KB text took 16-23 s before).
TEXT_MAX: Final = 4_000


def _clip(text: str) -> str:
    return text[:TEXT_MAX]


StageText = Annotated[str, AfterValidator(_clip)]

REQUESTED: Final = "kr.eco2.scan.requested"
VISION_COMPLETED: Final = "kr.eco2.scan.vision.completed"
RULE_COMPLETED: Final = "kr.eco2.scan.rule.completed"
ANSWER_COMPLETED: Final = "kr.eco2.scan.answer.completed"
REWARD_COMPLETED: Final = "kr.eco2.scan.reward.completed"
NEEDS_INPUT: Final = "kr.eco2.scan.needs_input"
FAILED: Final = "kr.eco2.scan.failed"


class ScanRequested(Payload):
    """A scan was accepted by the API; the vision stage starts from here."""

    job_id: str = Field(min_length=1, max_length=64)
    user_id: str = Field("anonymous", max_length=128)
    image_ref: str = Field(
        min_length=1, max_length=300, description="Where the image bytes are (blob key or URL)."
    )
    image_bytes: int | None = Field(
        None, ge=0, description="The image's size, so vision can budget memory before fetching."
    )
    hint: str | None = Field(
        None, max_length=2_500, description="What the user typed about the item, and answered."
    )
    model: str | None = Field(
        None, max_length=100, description="LLM model for this scan; settings decide if None."
    )
    choice: CategoryKey | None = Field(
        None, description="The category the person picked when the scan asked; it decides."
    )


class VisionResult(Payload):
    """What vision recognised: the item, the words read off it, where that came from."""

    item: str | None = Field(None, description="A short item description, Korean.")
    text: StageText = Field("", description="Everything read or given, as the rule stage's input.")
    marks: list[str] = Field(default_factory=list, description="Recycling-mark words found.")
    parts: list[str] = Field(default_factory=list)
    source: Literal["ocr", "hint", "llm", "ocr+hint", "none"] = "none"
    confidence: float = Field(0.0, ge=0.0, le=1.0)


class RuleResult(Payload):
    """The disposal category and the rules found for it (the rule classifier's output)."""

    text: StageText = Field("", description="The text that was classified.")
    category: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    item: str | None = None
    parts: list[dict[str, Any]] = Field(default_factory=list, description="name, category, steps")
    rules: list[dict[str, Any]] = Field(default_factory=list, description="id, title, category")
    tags: list[str] = Field(default_factory=list, description="Situation tags found in the text.")
    method: str = "none"
    evidence: str = Field("none", description="The kind of evidence that set the confidence.")
    choices: list[str] = Field(default_factory=list, description="The two likeliest categories.")


class AnswerResult(Payload):
    """The disposal guidance written for the person."""

    text: str
    steps: list[str] = Field(default_factory=list)
    model: str = "local"


class RewardResult(Payload):
    """The character matched to the category and whether the user already had it."""

    received: bool
    already_owned: bool = False
    character: str | None = None
    dialog: str | None = None


class ScanState(Payload):
    """The job as it travels the pipeline; each stage fills its own field and passes it on."""

    request: ScanRequested
    vision: VisionResult | None = None
    rule: RuleResult | None = None
    answer: AnswerResult | None = None
    reward: RewardResult | None = None


class ScanFailed(Payload):
    """A scan ended without a result; ``reason`` is shown to the client."""

    job_id: str
    stage: str
    reason: str


class Choice(Payload):
    """A category offered to the person when the scan is unsure."""

    category: CategoryKey
    name: str = Field(description="The stream's Korean name, as the person reads it.")


class ScanNeedsInput(Payload):
    """The item could not be identified (or not surely); the client is asked a question.

    It may answer in words, or by picking one of ``choices``: the two likeliest categories.
    """

    job_id: str
    question: str
    choices: list[Choice] = Field(default_factory=list)
    state: ScanState


SCAN_EVENTS = EventCatalog(
    {
        REQUESTED: ScanState,
        VISION_COMPLETED: ScanState,
        RULE_COMPLETED: ScanState,
        ANSWER_COMPLETED: ScanState,
        REWARD_COMPLETED: ScanState,
        NEEDS_INPUT: ScanNeedsInput,
        FAILED: ScanFailed,
    }
)
