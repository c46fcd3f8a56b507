"""The rule classifier: a text (item description or what vision read) → category, parts, rules.

Order of evidence: a lexicon item (exact alias, then typo-tolerant), then the situation tags
read in the text (an item's own conditions first, then the tags' general overrides), and only
when no item is found, BM25 over the categories' item lists. A text that none of these places
comes back with ``category=None`` and a low confidence: saying "I don't know" beats a guess
that sends a battery to the plastics bin.
"""

from __future__ import annotations

import re
from functools import lru_cache

from domains.knowledge.lexicon import Lexicon, Match
from domains.knowledge.loader import load_knowledge
from domains.knowledge.models import (
    Category,
    Classification,
    KnowledgeBase,
    LexiconEntry,
    Part,
    RuleRef,
)
from domains.knowledge.retrieval import RuleIndex
from domains.knowledge.tags import TagMatcher
from domains.knowledge.text import Normaliser, compact

THRESHOLD = 0.35  # below this the classifier does not name a category


class Classifier:
    """Holds the compiled lexicon, tag cues and (lazily) the BM25 indexes of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.normalise = Normaliser(kb.synonyms)
        self.lexicon = Lexicon(kb.lexicon, self.normalise)
        self.tags = TagMatcher.build(kb.tags)
        self._index: RuleIndex | None = None
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

    def classify(self, text: str) -> Classification:
        """Classify one text."""
        norm = self.normalise(text)
        tags = self.tags.detect(norm)
        match = self.lexicon.match(norm)
        if match is not None:
            return self._from_match(text, norm, tags, match)
        return self._from_retrieval(text, norm, tags)

    # -- lexicon path ---------------------------------------------------------------------------

    def _from_match(self, text: str, norm: str, tags: list[str], match: Match) -> Classification:
        entry = match.entry
        category = self._resolve(entry, tags)
        if match.fuzzy is not None:
            confidence = round(0.45 + 0.4 * (match.fuzzy - 0.8) / 0.2, 3)
        else:
            # A short alias in a long text ("병" in a paragraph) is weaker evidence.
            confidence = 0.97 if match.coverage >= 0.25 or len(match.alias) >= 3 else 0.75
        parts = self._parts(entry, category)
        item = entry.name
        if match.focus is not None and match.focus.category is not None:
            category = match.focus.category
            parts = [Part(name=match.focus.name, category=category, steps=match.focus.steps)]
            item = f"{entry.name} {match.focus.name}"
        return Classification(
            text=text,
            category=category,
            confidence=min(confidence, 0.99),
            parts=parts,
            rules=self._rules(self.kb.categories[category], norm),  # type: ignore[index]  # a KB key
            tags=tags,
            item=item,
            method="fuzzy" if match.fuzzy is not None else "lexicon",
        )

    def _resolve(self, entry: LexiconEntry, tags: list[str]) -> str:
        """The item's category after its own conditions, else the tags' general overrides."""
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

    @staticmethod
    def _parts(entry: LexiconEntry, category: str) -> list[Part]:
        if not entry.parts:
            return []
        return [
            Part(name=p.name, category=p.category or category, steps=p.steps) for p in entry.parts
        ]

    def _rules(self, category: Category, norm: str) -> list[RuleRef]:
        """The category's rules whose keywords the text mentions, then its first (main) rule."""
        flat = compact(norm)
        hits = [r for r in category.rules if any(k in flat for k in self._keywords[r.id])]
        chosen = [*hits[:2], *(r for r in category.rules[:1] if r not in hits[:2])]
        return [RuleRef(id=r.id, title=r.title, category=category.key) for r in chosen]

    # -- retrieval path -------------------------------------------------------------------------

    def _from_retrieval(self, text: str, norm: str, tags: list[str]) -> Classification:
        if not re.search(r"[가-힣a-z]{2,}", norm):
            return Classification(text=text, category=None, confidence=0.0, tags=tags)
        category, known = self.index.guess_category(norm)
        confidence = round(0.2 + 0.4 * known, 3) if category else 0.0
        if category is None or confidence < THRESHOLD:
            return Classification(text=text, category=None, confidence=confidence, tags=tags)
        return Classification(
            text=text,
            category=category,
            confidence=confidence,
            rules=self._rules(self.kb.categories[category], norm),  # type: ignore[index]  # a KB key
            tags=tags,
            method="retrieval",
        )


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    """The process-wide classifier over the packaged knowledge base."""
    return Classifier(load_knowledge())
