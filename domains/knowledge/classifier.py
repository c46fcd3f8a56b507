"""The rule classifier: a text (item description or what vision read) → category, parts, rules.

Order of evidence: a lexicon item (exact alias, then typo-tolerant), then the situation tags
read in the text (an item's own conditions first, then the tags' general overrides), and only
when no item is found, the glosses (short descriptions of items by use, look and material:
"빵 굽는 기계"), then BM25 over the categories' item lists. A text that none of these places
comes back with ``category=None`` and a low confidence: saying "I don't know" beats a guess
that sends a battery to the plastics bin.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from domains.knowledge.confidence import CONFIDENCE, THRESHOLD
from domains.knowledge.evidence import (
    CONTAINER_STREAMS,
    GENERIC,
    GLOSS_FAINT,
    HEAVY_SOIL,
    gloss_evidence,
    gloss_over_name,
    head_material,
    lexicon_evidence,
    material_before,
    retrieval_evidence,
    soiled_unsure,
)
from domains.knowledge.exceptions import KnowledgeError
from domains.knowledge.food_parts import (
    drink_container,
)
from domains.knowledge.learned import LearnedReader, second_opinion
from domains.knowledge.lexicon import Lexicon, Match
from domains.knowledge.models import (
    Category,
    Classification,
    KnowledgeBase,
    LexiconEntry,
    Part,
    RuleRef,
)
from domains.knowledge.rereading import hard_part_of_food, held_in, leftover_food, part_of_bulky
from domains.knowledge.retrieval import CategoryGuess, GlossGuess, GlossIndex, RuleIndex
from domains.knowledge.tags import TagMatcher
from domains.knowledge.text import Normaliser, analysis, compact, head_span, tokens

# Streams a material word may move an item between; then pairs (item's stream, material's)
# where the item's stream is already the material's own kind (a clear PET bottle is plastic, a
# milk carton paper).
MATERIAL_STREAMS = {
    "plastic",
    "clear_pet",
    "metal",
    "general",
    "non_combustible",
    "glass",
    "styrofoam",
    "paper",
    "paper_pack",
    "vinyl",
}
# Glassware the item list knows as non-combustible (a vase, a cup) stays so when "유리" is said.
SAME_STREAM = {("clear_pet", "plastic"), ("paper_pack", "paper"), ("non_combustible", "glass")}

# Below this the scan asks the person, offering the two likeliest categories: an answer this
# unsure is wrong often enough that one tap from the person is worth more.
ASK_BELOW = 0.75


class Classifier:
    """Holds the compiled lexicon, tag cues and (lazily) the BM25 indexes of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.normalise = Normaliser(kb.synonyms)
        self.lexicon = Lexicon(kb.lexicon, self.normalise)
        self.tags = TagMatcher.build(kb.tags)
        # Trained by ``eco2 build-knowledge`` (store.build) and kept in the built file; a
        # classifier made here alone answers by its rules only.
        self.reader: LearnedReader | None = None
        self._index: RuleIndex | None = None
        self._glosses: GlossIndex | None = None
        # Rule keywords in compact form, once: they are checked against every text.
        self._keywords = {
            rule.id: [compact(self.normalise(k)) for k in rule.keywords if len(k) > 1]
            for category in kb.categories.values()
            for rule in category.rules
        }

    @property
    def index(self) -> RuleIndex:
        """BM25 indexes, built on first use (they need Kiwi, which takes a second to start)."""
        if self._index is None:
            self._index = RuleIndex(self.kb, self.normalise)
        return self._index

    @property
    def glosses(self) -> GlossIndex:
        """The gloss index, built on first use (Kiwi reads every gloss: most of start)."""
        if self._glosses is None:
            self._glosses = GlossIndex(self.kb, self.normalise)
        return self._glosses

    def classify(self, text: str, *, glosses: bool = True) -> Classification:
        """Classify one text; ``glosses=False`` leaves the glosses out (names only)."""
        norm = self.normalise(text)
        tags = self.tags.detect(norm)
        # One Kiwi analysis serves the head noun and retrieval's tokens.
        analysed = list(analysis(norm)) if re.search(r"[가-힣a-z]", norm) else []
        head = head_span(norm, analysed) if analysed else None
        # Retrieval reads the text normalised once more (as search_rules does); that mostly
        # changes nothing, and then the same analysis serves.
        again = self.normalise(norm)
        query = tokens(norm, analysed) if again == norm else tokens(again)
        match = self.lexicon.match(norm, head)
        found = self._decide(text, norm, tags, analysed, head, query, match, glosses=glosses)
        found = held_in(self, found, norm, match, glosses=glosses) or found
        found = self._material_of_head(found, norm, tags, analysed, head, match)
        found = leftover_food(self, found, norm, match)
        found = part_of_bulky(self, found, norm, match)
        found = hard_part_of_food(self, found, norm)
        return second_opinion(self, found, match)

    def _decide(
        self,
        text: str,
        norm: str,
        tags: list[str],
        analysed: list[Any],
        head: tuple[int, int] | None,
        query: list[str],
        match: Match | None,
        *,
        glosses: bool,
    ) -> Classification:
        """The answer from the name found, else a description, else retrieval."""
        # The glosses are read only where they can decide: no name found, a spelling repair,
        # or a name that is not the head noun (a text naming its head item costs nothing more).
        # A one-letter name ("옷") reports no head either way, so only a True clears it.
        off_head = match is not None and head is not None and match.covers_head is not True
        # Any spelling repair, close ones too: "빨래 말려주는 기계" is one letter from 빨래망,
        # and a description that fits says what it is.
        loose = match is not None and match.fuzzy is not None
        generic = match is not None and match.alias in GENERIC
        wanted = match is None or off_head or loose or generic
        usable = glosses and wanted and analysed and self.kb.glosses
        described = self.glosses.rank(analysed) if usable else []
        if (loose or generic) and gloss_evidence(described) in (
            "gloss_strong",
            "gloss_fair",
        ):
            # A description that fits beats a spelling repair (a loose one was 1/6 right; on all
            # the sets 2 of 44 close ones yield, with no answer changing) and a bare
            # kind of container ("지붕 모양 종이 음료 용기" is a milk carton).
            match = None
        if match is not None:
            if off_head and match.fuzzy is None and head is not None:
                # The name found is not what the text is about ("식빵 두 장 넣고 굽는 기계"):
                # a description that fits well and holds the head noun decides instead.
                over = gloss_over_name(described, compact(norm)[head[0] : head[1]])
                if over is not None and over.category != match.entry.category:
                    return self._from_gloss(
                        text, norm, tags, described, "gloss_over_name", match.entry.category
                    )
            found = self._from_match(text, norm, tags, match, query)
            if (
                found.evidence == "lexicon_clear"
                and match.covers_head is None
                and head is not None
                and compact(norm)[head[0] : head[1]] != match.alias
            ):
                # A one-letter name ("옷") with another head noun in the text ("옷에 씌워준
                # 투명 커버"): the name may only say where the thing was, so it is no clear item.
                found = found.model_copy(
                    update={
                        "evidence": "lexicon_not_head",
                        "confidence": CONFIDENCE["lexicon_not_head"],
                    }
                )
            return found
        evidence = gloss_evidence(described)
        if evidence is not None:
            return self._from_gloss(text, norm, tags, described, evidence)
        return self._from_retrieval(text, norm, tags, query, described)

    def _material_of_head(
        self,
        found: Classification,
        norm: str,
        tags: list[str],
        analysed: list[Any],
        head: tuple[int, int] | None,
        match: Match | None,
    ) -> Classification:
        """``found``, or the stream a material word before the head noun gives it: a bottle,
        cup or container is what it is made of ("유리 텀블러", "스티로폼 도시락 용기"), whatever
        the item's usual stream. The tags' general overrides then apply to that stream ("양념
        안 씻기는" plastic is general). Kept under the 0.9 line: the item named and its
        material disagree."""
        if found.evidence == "lexicon_material" or (match is not None and match.focus):
            return found
        if found.category is not None and found.category not in MATERIAL_STREAMS:
            return found
        said = head_material(norm, analysed, head)
        if said is None:
            return found
        stream, (start, end) = said
        if match is not None and match.fuzzy is None and head is not None:
            at = compact(norm).rfind(match.alias)
            if at <= start and max(end, head[1]) <= at + len(match.alias):
                return found  # the name holds the material and the head: it knows its stream
        category = self._in_context(self._moved(stream, tags), tags)
        # Clear PET is a drink bottle's stream only: a PET cup or tray is plastic.
        bottle = head is None or compact(norm)[head[0] : head[1]].endswith("병")
        same = (found.category, stream) in SAME_STREAM and (found.category != "clear_pet" or bottle)
        if category == found.category or same:
            return found
        return found.model_copy(
            update={
                "category": category,
                "confidence": min(found.confidence or 1.0, CONFIDENCE["head_material"]),
                "evidence": "head_material",
                "parts": [],
                "rules": self.rules_for(self.kb.categories[category], norm),  # type: ignore[index]
                "choices": _unique([category, *([found.category] if found.category else [])]),
            }
        )

    def _moved(self, category: str, tags: list[str]) -> str:
        """``category`` after the tags' general overrides (no item's own conditions)."""
        for tag in tags:
            moved = self.kb.tags[tag].overrides.get(category)  # type: ignore[call-overload]
            if moved is not None:
                return str(moved)
        return category

    def classify_as(self, text: str, category: str) -> Classification:
        """The text classified with ``category`` decided by the person (the answer to a
        question): the item, tags and parts read from the text are kept where they agree."""
        if category not in self.kb.categories:
            raise KnowledgeError(f"unknown category {category!r}")
        found = self.classify(text)
        norm = self.normalise(text)
        agrees = found.category == category
        return found.model_copy(
            update={
                "category": category,
                "confidence": 1.0,
                "evidence": "person",
                "method": "person",
                "choices": [category],
                "parts": found.parts if agrees else [],
                "item": found.item if agrees else None,
                "rules": self.rules_for(self.kb.categories[category], norm),
            }
        )

    def _guesses(self, norm: str, query: list[str]) -> list[CategoryGuess]:
        """Retrieval's categories for the text: the second opinion, and the choices to offer."""
        if not query or not re.search(r"[가-힣a-z]{2,}", norm):
            return []
        return self.index.rank_categories(norm, query=query)

    # -- lexicon path ---------------------------------------------------------------------------

    def _from_match(
        self, text: str, norm: str, tags: list[str], match: Match, query: list[str]
    ) -> Classification:
        entry = match.entry
        category = self._resolve(entry, tags)
        parts = self._parts(entry, category)
        item = entry.name
        if match.focus is not None and match.focus.category is not None:
            category = match.focus.category
            parts = [Part(name=match.focus.name, category=category, steps=match.focus.steps)]
            item = f"{entry.name} {match.focus.name}"
        guesses = self._guesses(norm, query)
        evidence = lexicon_evidence(match, category, guesses, norm)
        held_in = drink_container(norm) if category == "clear_pet" and match.focus is None else None
        if held_in is not None:
            # A drink's name means its PET bottle; a glass bottle or a can said with it
            # ("유리병 코카콜라", "캔 사이다") is what it came in.
            category, evidence, parts = held_in, "drink_container", []
        material = material_before(norm, match.alias) if match.fuzzy is None else None
        if (
            material is not None
            and material != category
            and category == entry.category
            and category in CONTAINER_STREAMS
            and match.focus is None
        ):
            # A material named right before the item decides over the item's usual one:
            # "알루미늄 도시락통" is metal, "파이렉스 계량컵" heat-resistant glass.
            category, evidence = material, "lexicon_material"
            parts = []
        if category == "vinyl" and soiled_unsure(tags, norm) and match.focus is None:
            # Soiled film is general waste unless washed (vinyl.json: 오염된 비닐 → 일반):
            # a bag or wrap is seldom washed clean, so general first, vinyl second.
            category, evidence, parts = "general", "lexicon_soiled", []
        if (
            CONFIDENCE[evidence] > CONFIDENCE["lexicon_soiled"]
            and soiled_unsure(tags, norm)
            and category in self.kb.tags[HEAVY_SOIL].overrides
        ):
            # Soiled, and nothing says whether it washes off: the rules send it either way.
            evidence = "lexicon_soiled"
        # The answer first, then what else the text could be: the item's own stream when a
        # condition moved it, the other items it names, then what retrieval proposes.
        choices = _unique(
            [category, entry.category, *(r.category for r in match.rivals)]
            + [g.category for g in guesses]
        )
        return Classification(
            text=text,
            category=category,
            confidence=CONFIDENCE[evidence],
            parts=parts,
            rules=self.rules_for(self.kb.categories[category], norm),  # type: ignore[index]  # a KB key
            tags=tags,
            item=item,
            method="fuzzy" if match.fuzzy is not None else "lexicon",
            evidence=evidence,
            choices=choices[:2],
        )

    def _resolve(self, entry: LexiconEntry, tags: list[str]) -> str:
        """The item's category after its own conditions, else the tags' general overrides."""
        return self._in_context(self._conditioned(entry, tags), tags)

    def _conditioned(self, entry: LexiconEntry, tags: list[str]) -> str:
        present = set(tags)
        for condition in entry.conditions:
            if present.intersection(condition.tags):
                return condition.category
        category: str = entry.category
        for tag in tags:
            moved = self.kb.tags[tag].overrides.get(category)  # type: ignore[call-overload]  # a KB key
            if moved is not None:
                return moved
        return category

    def _in_context(self, category: str, tags: list[str]) -> str:
        """The category after the tags that decide whatever the item is (building work)."""
        for tag in tags:
            spec = self.kb.tags[tag]
            if spec.after_conditions:
                category = spec.overrides.get(category, category)  # type: ignore[call-overload]
        return category

    @staticmethod
    def _parts(entry: LexiconEntry, category: str) -> list[Part]:
        if not entry.parts:
            return []
        return [
            Part(name=p.name, category=p.category or category, steps=p.steps) for p in entry.parts
        ]

    def rules_for(self, category: Category, norm: str) -> list[RuleRef]:
        """The category's rules whose keywords the text mentions, then its first (main) rule."""
        flat = compact(norm)
        hits = [r for r in category.rules if any(k in flat for k in self._keywords[r.id])]
        chosen = [*hits[:2], *(r for r in category.rules[:1] if r not in hits[:2])]
        return [RuleRef(id=r.id, title=r.title, category=category.key) for r in chosen]

    # -- glosses path ---------------------------------------------------------------------------

    def _from_gloss(
        self,
        text: str,
        norm: str,
        tags: list[str],
        described: list[GlossGuess],
        evidence: str,
        named: str | None = None,
    ) -> Classification:
        """The text placed by the gloss it fits best; ``named``: the stream of a lexicon item
        the text also names (offered as the second choice)."""
        best = described[0]
        entry = self.lexicon.entry(best.item)
        category = self._in_context(best.category, tags)
        if entry is not None and entry.category == best.category:
            # A described lexicon item keeps its own conditions ("깨진" lamp, greasy box).
            category = self._resolve(entry, tags)
        alternatives = [named] if named is not None else [g.category for g in described[1:]]
        return Classification(
            text=text,
            category=category,
            confidence=CONFIDENCE[evidence],
            rules=self.rules_for(self.kb.categories[category], norm),  # type: ignore[index]  # a KB key
            tags=tags,
            item=best.item,
            method="gloss",
            evidence=evidence,
            choices=_unique([category, best.category, *alternatives])[:2],
        )

    # -- retrieval path -------------------------------------------------------------------------

    def _from_retrieval(
        self,
        text: str,
        norm: str,
        tags: list[str],
        query: list[str],
        described: list[GlossGuess] | None = None,
    ) -> Classification:
        guesses = self._guesses(norm, query)
        # The item lists' categories, else the glosses' (too weak to answer, enough to ask).
        faint = [g.category for g in described or [] if g.score >= GLOSS_FAINT]
        choices = ([g.category for g in guesses] or faint)[:2]
        best = guesses[0] if guesses else None
        evidence = retrieval_evidence(best)
        confidence = CONFIDENCE[evidence]
        if best is None or confidence < THRESHOLD:
            return Classification(
                text=text,
                category=None,
                confidence=confidence,
                tags=tags,
                evidence=evidence,
                choices=choices,
            )
        return Classification(
            text=text,
            category=best.category,
            confidence=confidence,
            rules=self.rules_for(self.kb.categories[best.category], norm),  # type: ignore[index]
            tags=tags,
            method="retrieval",
            evidence=evidence,
            choices=choices,
        )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    """The process-wide classifier over the packaged knowledge base: the built file when it is
    current (``domains.knowledge.store``), else built now."""
    from domains.knowledge.store import load_or_build  # the store imports this module

    return load_or_build()
