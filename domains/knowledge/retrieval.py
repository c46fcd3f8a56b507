"""Korean BM25 over the rule passages and over the categories' item lists.

Tokens come from kiwipiepy (nouns, foreign words, verb stems) after synonym normalisation, so
"페트병 라벨 떼야 해?" becomes ``페트병 라벨 떼`` and meets the passage on labels. Embedding
models trained on English placed Korean rules poorly here, so none is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from domains.knowledge.models import KnowledgeBase, Rule, RuleHit
from domains.knowledge.text import Normaliser, tokens


@dataclass(frozen=True)
class _Passage:
    rule: Rule
    category: str


class RuleIndex:
    """BM25 over every rule (title + text + keywords + the category's name)."""

    def __init__(self, kb: KnowledgeBase, normalise: Normaliser) -> None:
        self._normalise = normalise
        self._passages: list[_Passage] = []
        corpus: list[list[str]] = []
        for key, category in kb.categories.items():
            for rule in category.rules:
                self._passages.append(_Passage(rule=rule, category=key))
                text = " ".join([category.name, rule.title, rule.text, *rule.keywords])
                # Title and keywords count twice: they say what the passage is about.
                text += " " + " ".join([rule.title, *rule.keywords])
                corpus.append(tokens(normalise(text)))
        self._bm25 = BM25Okapi(corpus)
        # Category documents for placing texts no lexicon alias matched.
        self._category_keys: list[str] = []
        category_corpus: list[list[str]] = []
        extra: dict[str, list[str]] = {key: [] for key in kb.categories}
        for category in kb.categories.values():
            for exclusion in category.not_belongs:
                extra[exclusion.goes_to].append(exclusion.item)
        for key, category in kb.categories.items():
            words = [category.name, *category.belongs, *extra[key]]
            self._category_keys.append(key)
            category_corpus.append(tokens(normalise(" ".join(words))))
        self._vocab = [set(doc) for doc in category_corpus]
        self._category_bm25 = BM25Okapi(category_corpus)

    def search(
        self, question: str, k: int = 3, boost: dict[str, float] | None = None
    ) -> list[RuleHit]:
        """The ``k`` best rules; ``boost`` adds to the (0..1) scores of these categories' rules."""
        query = tokens(self._normalise(question))
        scores = self._bm25.get_scores(query) if query else [0.0] * len(self._passages)
        top = max(scores) if len(scores) else 0.0
        boost = boost or {}
        ranked: list[tuple[float, _Passage]] = []
        for score, passage in zip(scores, self._passages, strict=True):
            # The item named in the question decides which stream's rules come first.
            value = (score / top if top > 0 else 0.0) + boost.get(passage.category, 0.0)
            ranked.append((value, passage))
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        return [
            RuleHit(
                id=p.rule.id,
                category=p.category,
                title=p.rule.title,
                text=p.rule.text,
                score=round(float(v), 4),
            )
            for v, p in ranked[:k]
            if v > 0
        ]

    def guess_category(self, text: str) -> tuple[str | None, float]:
        """Best category for an unknown phrasing and the share of its tokens that category knows."""
        ranked = self.rank_categories(text)
        if not ranked:
            return None, 0.0
        return ranked[0].category, ranked[0].known

    def rank_categories(
        self, text: str, k: int = 3, query: list[str] | None = None
    ) -> list[CategoryGuess]:
        """The ``k`` categories whose item lists best match ``text``, best first (score > 0).

        ``known`` is the share of the text's tokens that category's list holds; ``share`` is the
        category's part of the scores of the ``k`` shown, which says how clear the lead is.
        ``query``: the text's retrieval tokens, when the caller has them already.
        """
        if query is None:
            query = tokens(self._normalise(text))
        if not query:
            return []
        scores = self._category_bm25.get_scores(query)
        order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:k]
        order = [i for i in order if scores[i] > 0]
        total = sum(float(scores[i]) for i in order) or 1.0
        return [
            CategoryGuess(
                category=self._category_keys[i],
                known=sum(1 for t in query if t in self._vocab[i]) / len(query),
                share=float(scores[i]) / total,
            )
            for i in order
        ]


@dataclass(frozen=True)
class CategoryGuess:
    """One category retrieval proposes for a text."""

    category: str
    known: float
    share: float
