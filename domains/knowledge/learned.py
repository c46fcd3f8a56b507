"""A learned reader of whole descriptions, consulted only where the rules are unsure.

The rule classifier names a stream from an item's name (the lexicon) or a close description
(the glosses); what it misses on fresh writers' sets is mostly a thing described by its use or
shape without a name, and odd wordings of questions. A character n-gram model over every name,
alias and gloss of the knowledge base plus the retired labelled sets reads the description as a
whole, so wordings the rules have no entry for still get a likely stream. It never decides
alone: :func:`overrule` lets it replace an unsure rule answer (below 0.9) only when it is itself
sure, and then below 0.9 with the rule's stream among the choices, so the scan still asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domains.knowledge.models import KnowledgeBase

# The retired labelled sets' (text, category) lines the model also learns from (data, not tests:
# production code never reads tests/).
EXAMPLES = Path(__file__).parent / "data" / "learned_examples.jsonl"

# The model's top probability needed to overrule an unsure rule answer, and the confidence its
# answer then gets: below 0.9, so the user is asked. Chosen by leave-one-writer-out
# (bench/learned_lowo.py), not on the sets it trains on.
OVERRULE_AT = 0.6
ANSWER_CONFIDENCE = 0.85

# Evidence of the rules' own whole/part and contents/container decisions (food left in a pot,
# the thing after "담겨있던", a small part of a bulky thing, a food's hard part, the material of
# the head): the reader reads all of the text's words and cannot weigh them, so it leaves these.
DECIDED_BY_STRUCTURE = frozenset(
    {"held_in", "leftover_food", "food_soft_part", "food_hard_part", "bulky_part", "head_material"}
)


def knowledge_texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Every lexicon name and alias and every gloss (with its item's name), with its stream."""
    pairs: list[tuple[str, str]] = []
    for entry in kb.lexicon:
        for name in (entry.name, *entry.aliases):
            pairs.append((name, entry.category))
    for gloss in kb.glosses:
        pairs.append((gloss.text, gloss.category))
        pairs.append((f"{gloss.item} {gloss.text}", gloss.category))
    return pairs


def read_examples(path: Path = EXAMPLES) -> list[tuple[str, str]]:
    """The labelled lines of ``path`` (one ``{"text", "category"}`` per line); none if absent."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((str(row["text"]), str(row["category"])))
    return out


@dataclass
class LearnedReader:
    """Character n-gram tf-idf and a logistic regression over the 18 streams."""

    vectorizer: Any
    model: Any

    @classmethod
    def train(cls, pairs: list[tuple[str, str]]) -> LearnedReader:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        # char_wb n-grams read Korean without a tokenizer and survive spacing and typos; the
        # vocabulary is capped so the pickle and per-text cost stay small.
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, max_features=60000
        )
        texts = [t.lower() for t, _ in pairs]
        matrix = vectorizer.fit_transform(texts)
        model = LogisticRegression(C=10.0, max_iter=2000)
        model.fit(matrix, [c for _, c in pairs])
        return cls(vectorizer, model)

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Streams with their probabilities, likeliest first."""
        probs = self.model.predict_proba(self.vectorizer.transform([text.lower()]))[0]
        order = probs.argsort()[::-1]
        return [(str(self.model.classes_[i]), float(probs[i])) for i in order]


def overrule(
    rule: str | None,
    confidence: float,
    ranked: list[tuple[str, float]],
    at: float = OVERRULE_AT,
    parts: frozenset[str] = frozenset(),
    evidence: str = "",
) -> tuple[str, float, list[str]] | None:
    """The model's (stream, confidence, choices) where it should replace the rule answer: the
    rule named a stream below 0.9, the model is sure (``at``) of another. Else None.

    A text the rules place nowhere stays unplaced: those are mostly not things at all ("안녕",
    "asdfgh"), which the model would still give a stream, and the leave-one-writer-out sets had
    none it would have saved.

    ``parts`` are the streams of the other parts of the item the rules found (a PET bottle's
    label and cap). The reader reads those parts' words too ("라벨이랑 뚜껑 있는 페트병"), and
    cannot tell the whole thrown away from a part taken off; the rules' part logic decides
    that, so a reader naming one of those streams does not overrule."""
    if not ranked or rule is None or confidence >= 0.9 or evidence in DECIDED_BY_STRUCTURE:
        return None
    best, p = ranked[0]
    if best == rule or p < at or best in parts:
        return None
    # The rule's stream stays second, so a wrong overrule is one tap away.
    return best, ANSWER_CONFIDENCE, [best, rule]
