"""Korean BM25 over the rule passages and over the categories' item lists.

Tokens come from kiwipiepy (nouns, foreign words, verb stems) after synonym normalisation, so
"페트병 라벨 떼야 해?" becomes ``페트병 라벨 떼`` and meets the passage on labels. Embedding
models trained on English placed Korean rules poorly here, so none is used.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rank_bm25 import BM25Okapi

from domains.knowledge.analyser import analyser
from domains.knowledge.models import KnowledgeBase, Rule, RuleHit
from domains.knowledge.text import Normaliser, tokens


@dataclass(frozen=True)
class _Passage:
    rule: Rule
    category: str


def _tokens_of(texts: list[str]) -> list[list[str]]:
    """Retrieval tokens of each text, analysed in one batch (one request to the service)."""
    return [
        tokens(text, list(found))
        for text, found in zip(texts, analyser().tokenize_many(texts), strict=True)
    ]


class RuleIndex:
    """BM25 over every rule (title + text + keywords + the category's name)."""

    def __init__(self, kb: KnowledgeBase, normalise: Normaliser) -> None:
        self._normalise = normalise
        self._passages: list[_Passage] = []
        texts: list[str] = []
        for key, category in kb.categories.items():
            for rule in category.rules:
                self._passages.append(_Passage(rule=rule, category=key))
                text = " ".join([category.name, rule.title, rule.text, *rule.keywords])
                # Title and keywords count twice: they say what the passage is about.
                text += " " + " ".join([rule.title, *rule.keywords])
                texts.append(normalise(text))
        self._bm25 = BM25Okapi(_tokens_of(texts))
        # Category documents for placing texts no lexicon alias matched.
        self._category_keys: list[str] = []
        category_texts: list[str] = []
        extra: dict[str, list[str]] = {key: [] for key in kb.categories}
        for category in kb.categories.values():
            for exclusion in category.not_belongs:
                extra[exclusion.goes_to].append(exclusion.item)
        for key, category in kb.categories.items():
            words = [category.name, *category.belongs, *extra[key]]
            self._category_keys.append(key)
            category_texts.append(normalise(" ".join(words)))
        category_corpus = _tokens_of(category_texts)
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


# Parts of speech whose words describe a thing: nouns, foreign words, verb and adjective stems.
_GLOSS_TAGS = ("NNG", "NNP", "SL", "VV", "VA", "XR")
# A word's last syllables count as a weaker feature of their own: Korean compounds end in their
# head, so "식빵" and "겉껍질" still meet the glosses' "빵" and "껍질".
_SUFFIX_WEIGHT = 0.5
# Verbs too light to describe anything ("뭐 하지", "있는 거"), and the disposal question's own
# verbs ("어떻게 버려?"), which every text may hold: left out of gloss features.
_LIGHT = {"하", "되", "있", "없", "이", "않", "보", "같", "주", "버리", "내놓", "배출", "처리"}


def gloss_features(analysed: Any) -> dict[str, float]:
    """Features of Kiwi tokens for gloss matching: each content word (weight 1) and, for a
    noun, its last syllable or two (weight ``_SUFFIX_WEIGHT``), prefixed with "~"."""
    out: dict[str, float] = {}
    for token in analysed:
        if not token.tag.startswith(_GLOSS_TAGS):
            continue
        form = token.form.lower()
        if form in _LIGHT:
            continue
        out[form] = 1.0
        if token.tag.startswith(("NNG", "NNP")) and len(form) >= 2:
            tail = "~" + (form[-2:] if len(form) >= 3 else form[-1:])
            out.setdefault(tail, _SUFFIX_WEIGHT)
        elif token.tag.startswith(("NNG", "NNP")):
            out.setdefault("~" + form, _SUFFIX_WEIGHT)
    return out


def _is_verb(feature: str, analysed: Any) -> bool:
    """Whether ``feature`` comes only from verb or adjective stems of ``analysed``."""
    forms = [t for t in analysed if t.form.lower() == feature]
    return bool(forms) and all(t.tag.startswith(("VV", "VA")) for t in forms)


@dataclass(frozen=True)
class GlossGuess:
    """One category the glosses propose: its best gloss and how well it matched.

    ``cover`` is the share of the gloss's weight the text holds, ``fit`` the share of the
    text's known weight the gloss holds, ``score`` their harmonic mean; ``words`` the features
    of the text the gloss holds (words, and "~"-prefixed word endings)."""

    category: str
    item: str
    gloss: str
    score: float
    cover: float
    fit: float
    words: frozenset[str]


class GlossIndex:
    """Weighted word overlap between a text and the short glosses of ``glosses.yaml``.

    A gloss is a few words ("빵 굽는 기계"), so BM25's length normalisation says little; what
    tells a good match is how much of the gloss the text holds and how much of the text the
    gloss explains, each word weighted by how rare it is among the glosses."""

    def __init__(self, kb: KnowledgeBase, normalise: Normaliser) -> None:
        self._glosses = list(kb.glosses)
        # One batch: with the analysis service, one request for the ~800 glosses.
        analysed = analyser().tokenize_many([normalise(g.text) for g in self._glosses])
        docs = [gloss_features(found) for found in analysed]
        frequency: Counter[str] = Counter(f for doc in docs for f in doc)
        n = max(len(docs), 1)
        self._idf = {f: math.log(1 + n / count) for f, count in frequency.items()}
        self._docs = [{f: w * self._idf[f] for f, w in doc.items()} for doc in docs]
        self._mass = [sum(doc.values()) or 1.0 for doc in self._docs]
        self._mean_idf = sum(self._idf.values()) / max(len(self._idf), 1)
        self._postings: dict[str, list[int]] = {}
        for i, doc in enumerate(self._docs):
            for f in doc:
                self._postings.setdefault(f, []).append(i)

    def __len__(self) -> int:
        return len(self._glosses)

    def rank(self, analysed: Any, k: int = 2) -> list[GlossGuess]:
        """The ``k`` best categories for Kiwi tokens ``analysed``, one best gloss each."""
        query = gloss_features(analysed)
        weights = {f: w * self._idf[f] for f, w in query.items() if f in self._idf}
        if not weights:
            return []
        # Words no gloss knows still need explaining: each counts as a word of average rarity,
        # so "ㅋㅋ 그거 뭐임" is not explained by the one gloss word it happens to hold.
        unknown = sum(w for f, w in query.items() if f not in self._idf and not f.startswith("~"))
        known = sum(weights.values()) + unknown * self._mean_idf
        overlap: dict[int, float] = {}
        nouns: set[int] = set()  # glosses sharing a noun with the text: a verb alone names nothing
        for f, w in weights.items():
            if not _is_verb(f, analysed):
                nouns.update(self._postings[f])
            for i in self._postings[f]:
                overlap[i] = overlap.get(i, 0.0) + min(w, self._docs[i][f])
        best: dict[str, GlossGuess] = {}
        for i, shared in overlap.items():
            if i not in nouns:
                continue
            cover, fit = shared / self._mass[i], shared / known
            score = 2 * cover * fit / (cover + fit)
            gloss = self._glosses[i]
            current = best.get(gloss.category)
            if current is None or score > current.score:
                words = frozenset(f for f in query if f in self._docs[i])
                best[gloss.category] = GlossGuess(
                    gloss.category, gloss.item, gloss.text, score, cover, fit, words
                )
        return sorted(best.values(), key=lambda g: g.score, reverse=True)[:k]
