"""Pydantic models of the knowledge base (what the YAML files hold) and of the classifier's output.

The data files are written by hand, so every rule a reader relies on is checked here at load:
a category must say how to prepare the item, a lexicon entry must point at a real category, a
situation tag override must map between real categories.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CategoryKey = Literal[
    "paper",
    "paper_pack",
    "clear_pet",
    "plastic",
    "vinyl",
    "styrofoam",
    "glass",
    "metal",
    "clothing",
    "electronics",
    "battery",
    "lighting",
    "general",
    "food",
    "bulk",
    "hazardous",
    "non_combustible",
    "construction",
]
CATEGORY_KEYS: tuple[str, ...] = get_args(CategoryKey)

# The seed's top level grouping: which kind of bag, bin or service the stream ends in.
Group = Literal["재활용", "일반종량제", "음식물", "대형", "유해", "불연성", "공사장"]

# The verbs a preparation step may use: the four the issue names plus the few that real rules need.
Action = Literal[
    "비운다",
    "헹군다",
    "분리한다",
    "섞지 않는다",
    "펼친다",
    "압착한다",
    "묶는다",
    "말린다",
    "감싼다",
    "밀봉한다",
    "신청한다",
    "반납한다",
    "담는다",
]


class Strict(BaseModel):
    """Base of the data models: a typo in a YAML key is an error, not a silently ignored field."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(Strict):
    """One preparation step: a verb people can follow, and the sentence that explains it."""

    action: Action
    text: str = Field(min_length=2)


class Rule(Strict):
    """A retrievable rule passage; ``id`` is ``<category>.<slug>`` so answers can cite it."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    title: str = Field(min_length=2)
    text: str = Field(min_length=5)
    keywords: list[str] = []


class Exclusion(Strict):
    """Something people expect in this stream that goes elsewhere."""

    item: str
    goes_to: CategoryKey
    why: str = ""


class Category(Strict):
    """One disposal stream with everything a person needs to put an item out correctly."""

    key: CategoryKey
    name: str
    group: Group
    summary: str = Field(min_length=5)
    belongs: list[str] = Field(min_length=1)
    not_belongs: list[Exclusion] = []
    preparation: list[Step]
    disposal: list[str] = Field(min_length=1)
    mistakes: list[str] = []
    rules: list[Rule] = Field(min_length=1)

    @field_validator("preparation")
    @classmethod
    def _needs_steps(cls, steps: list[Step]) -> list[Step]:
        # Guidance without a preparation step tells people where but not how; never ship that.
        if not steps:
            raise ValueError("a category needs at least one preparation step")
        return steps

    @model_validator(mode="after")
    def _rule_ids_in_category(self) -> Category:
        for rule in self.rules:
            if not rule.id.startswith(f"{self.key}."):
                raise ValueError(f"rule {rule.id!r} must start with {self.key!r}.")
        return self


class SituationTag(Strict):
    """A condition read from the text (label attached, broken, greasy …) and what it changes."""

    key: str = Field(pattern=r"^[a-z_]+$")
    name: str
    cues: list[str] = Field(min_length=1, description="Regular expressions on normalised text.")
    effect: str = Field(min_length=5, description="What the condition changes, for guidance.")
    overrides: dict[CategoryKey, CategoryKey] = Field(
        default_factory=dict, description="Category moves applied when no item condition did."
    )
    applies_to: list[CategoryKey] = Field(
        default_factory=list,
        description="Categories whose guidance mentions this tag; empty means every category.",
    )
    after_conditions: bool = Field(
        False,
        description="Apply ``overrides`` after the item's own conditions too: a context that "
        "decides whatever the item is (waste from building work is construction waste).",
    )

    def applies(self, category: str | None) -> bool:
        """Whether the tag's advice makes sense for ``category`` (rinsing a battery does not)."""
        return not self.applies_to or category in self.applies_to


class PriceItem(Strict):
    """A recyclable material's purchase price per region (원/kg)."""

    id: str
    name: str
    category: CategoryKey
    synonyms: list[str] = []
    prices: dict[str, int]


class PriceTable(Strict):
    """The recyclable price survey: where it comes from and one row per material."""

    source: str
    date: str
    unit: str
    regions: dict[str, str]
    items: list[PriceItem]


class PartSpec(Strict):
    """One separable part of an item; ``category`` None means "the item's own stream"."""

    name: str
    aliases: list[str] = []
    category: CategoryKey | None = None
    steps: list[str] = []


class Condition(Strict):
    """If any of ``tags`` is read in the text, the item goes to ``category`` instead."""

    tags: list[str] = Field(min_length=1)
    category: CategoryKey
    note: str = ""


class LexiconEntry(Strict):
    """An everyday item: its names, its stream, and what changes the answer."""

    name: str
    aliases: list[str] = []
    category: CategoryKey
    conditions: list[Condition] = []
    parts: list[PartSpec] = []
    fee: str | None = None
    note: str | None = None


class Gloss(Strict):
    """A short description of an item by its use, look or material ("빵 굽는 기계"), for
    placing texts that describe a thing instead of naming it."""

    item: str
    category: CategoryKey
    text: str = Field(min_length=2)


class KnowledgeBase(Strict):
    """Everything loaded from ``data/``, cross-checked."""

    categories: dict[CategoryKey, Category]
    tags: dict[str, SituationTag]
    prices: PriceTable
    lexicon: list[LexiconEntry]
    synonyms: dict[str, list[str]]
    glosses: list[Gloss] = []

    @model_validator(mode="after")
    def _complete_and_consistent(self) -> KnowledgeBase:
        missing = set(CATEGORY_KEYS) - set(self.categories)
        if missing:
            raise ValueError(f"categories missing: {sorted(missing)}")
        for key, category in self.categories.items():
            if key != category.key:
                raise ValueError(f"category file {key!r} declares key {category.key!r}")
        rule_ids = [r.id for c in self.categories.values() for r in c.rules]
        duplicates = {r for r in rule_ids if rule_ids.count(r) > 1}
        if duplicates:
            raise ValueError(f"duplicate rule ids: {sorted(duplicates)}")
        for entry in self.lexicon:
            for condition in entry.conditions:
                unknown = set(condition.tags) - set(self.tags)
                if unknown:
                    raise ValueError(f"{entry.name}: unknown tags {sorted(unknown)}")
        # A gloss naming a lexicon item must send it where the lexicon does: two answers for
        # one item would depend on whether the person named or described it.
        streams = {entry.name: entry.category for entry in self.lexicon}
        for gloss in self.glosses:
            known = streams.get(gloss.item)
            if known is not None and known != gloss.category:
                raise ValueError(
                    f"gloss {gloss.item!r} is {gloss.category}, the lexicon says {known}"
                )
        return self

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (raises KeyError)."""
        for category in self.categories.values():
            for rule in category.rules:
                if rule.id == rule_id:
                    return rule
        raise KeyError(rule_id)


# ----- classifier output ---------------------------------------------------------------------


class Part(BaseModel):
    """A part of the classified item, with its own stream and steps."""

    name: str
    category: CategoryKey
    steps: list[str] = []


class RuleRef(BaseModel):
    """A rule that applies to the classification (cite by id)."""

    id: str
    title: str
    category: CategoryKey


class Classification(BaseModel):
    """What the rule classifier made of a text; ``category`` None means "could not place it"."""

    text: str
    category: CategoryKey | None
    confidence: float = Field(ge=0.0, le=1.0)
    parts: list[Part] = []
    rules: list[RuleRef] = []
    tags: list[str] = []
    item: str | None = None
    method: Literal["lexicon", "fuzzy", "gloss", "retrieval", "learned", "person", "none"] = "none"
    evidence: str = Field("none", description="Which kind of evidence decided (sets confidence).")
    choices: list[CategoryKey] = Field(
        default_factory=list,
        description="The two likeliest categories, best first: what to offer when unsure.",
    )


class RuleHit(BaseModel):
    """A rule passage returned by retrieval, best first."""

    id: str
    category: CategoryKey
    title: str
    text: str
    score: float
