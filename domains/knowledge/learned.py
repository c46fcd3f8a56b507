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
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domains.knowledge.confidence import CONFIDENCE
from domains.knowledge.lexicon import Match
from domains.knowledge.models import Classification, KnowledgeBase
from domains.knowledge.phrasing import FEE_STICKER, STICKER
from domains.knowledge.text import compact

if TYPE_CHECKING:  # the classifier imports this module
    from domains.knowledge.classifier import Classifier

# The retired labelled sets' (text, category) lines the model also learns from (data, not tests:
# production code never reads tests/).
EXAMPLES = Path(__file__).parent / "data" / "learned_examples.jsonl"

# The model's top probability needed to overrule an unsure rule answer, and the confidence its
# answer then gets: below 0.9, so the user is asked. Chosen by leave-one-writer-out
# (bench/learned_lowo.py), not on the sets it trains on.
OVERRULE_AT = 0.6
ANSWER_CONFIDENCE = CONFIDENCE["learned"]

# Evidence of the rules' own whole/part and contents/container decisions (food left in a pot,
# the thing after "담겨있던", a small part of a bulky thing, a food's hard part, the material of
# the head), and of their reading of a state or an action (food on film that may not wash off,
# a part taken off that is not one of the item's usual parts): the reader reads all of the
# text's words and cannot weigh them, so it leaves these. (A thing named only in brackets or as
# what was taken off, ``lexicon_aside``, is not among them: there the reader was right four
# times of four on the retired sets, bench/results/learned-lowo-wired.txt.)
DECIDED_BY_RULES = frozenset(
    {
        "held_in",
        "leftover_food",
        "food_soft_part",
        "food_hard_part",
        "bulky_part",
        "head_material",
        "lexicon_soiled",
        "lexicon_action",
    }
)
# Words that turn what the words beside them say: a negation ("코팅 안된 전단지": not coated),
# a part taken out ("건전지 빼낸 벽시계": the clock is the thing), a battery that will not come
# out, the bulky-waste fee sticker asked about ("식탁 내놓으려면 스티커 사서 붙이면 돼?"). The
# rules read them around each name (phrasing.py); the reader counts the letters of "코팅" or
# "건전지" as present either way, so where these occur the rules' answer stands.
TURNING_WORDS = re.compile(rf"안되|안된|않|{STICKER}{FEE_STICKER.pattern.lstrip('^')}")


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


def char_grams(text: str) -> list[str]:
    """The text's character 1- to 3-grams inside words, each word padded with a space: what
    scikit-learn's ``char_wb`` analyser makes of it (lowercased), so :meth:`LearnedReader.rank`
    reads a text as the vectorizer it was trained with did."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(1, 4):
            if len(padded) <= n:  # a word shorter than n counts once, whole
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


@dataclass(frozen=True)
class LearnedReader:
    """A character n-gram tf-idf and a logistic regression over the 18 streams, kept as plain
    arrays.

    Training uses scikit-learn; reading does not. Importing scikit-learn costs a process
    about 0.6 s and 80 MB (bench/RESULTS.md), which the rule function would pay at every cold
    start only to multiply one sparse row by a matrix, so the trained vocabulary, idf weights
    and coefficients are copied out and ``rank`` repeats the vectorizer's and the model's
    arithmetic with numpy (tests/domains/knowledge/test_learned.py holds it to scikit-learn's
    own probabilities)."""

    vocabulary: dict[str, int]
    idf: Any  # numpy float32 (features,)
    coef: Any  # numpy float32 (streams, features)
    intercept: Any  # numpy float32 (streams,)
    classes: tuple[str, ...]

    @classmethod
    def train(cls, pairs: list[tuple[str, str]]) -> LearnedReader:
        """Fit on (text, stream) pairs."""
        import numpy as np

        vectorizer, model = fit(pairs)
        vocabulary = {str(gram): int(i) for gram, i in vectorizer.vocabulary_.items()}
        return cls(
            vocabulary,
            np.asarray(vectorizer.idf_, dtype=np.float32),
            np.asarray(model.coef_, dtype=np.float32),
            np.asarray(model.intercept_, dtype=np.float32),
            tuple(str(c) for c in model.classes_),
        )

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Streams with their probabilities, likeliest first."""
        import numpy as np

        counts = Counter(self.vocabulary[g] for g in char_grams(text) if g in self.vocabulary)
        logits = self.intercept.astype(np.float64)
        if counts:
            index = np.fromiter(counts, dtype=np.int64, count=len(counts))
            # Sublinear tf times idf, scaled to unit length: TfidfVectorizer's defaults.
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            weights = tf * self.idf[index]
            weights /= np.sqrt(weights @ weights)
            logits = logits + self.coef[:, index] @ weights
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        order = probs.argsort()[::-1]
        return [(self.classes[i], float(probs[i])) for i in order]


def fit(pairs: list[tuple[str, str]]) -> tuple[Any, Any]:
    """scikit-learn's vectorizer and model fitted on (text, stream) pairs."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    # char_wb n-grams read Korean without a tokenizer and survive spacing and typos; the
    # vocabulary is capped so the built file and the per-text cost stay small.
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, max_features=60000
    )
    matrix = vectorizer.fit_transform([t.lower() for t, _ in pairs])
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(matrix, [c for _, c in pairs])
    return vectorizer, model


def overrule(
    found: Classification,
    ranked: list[tuple[str, float]],
    at: float = OVERRULE_AT,
    beside: frozenset[str] = frozenset(),
) -> tuple[str, float, list[str]] | None:
    """The reader's (stream, confidence, choices) where it should replace the rules' answer
    ``found``: the rules named a stream below 0.9 and the reader is sure (``at``) of another.
    Else None.

    A text the rules place nowhere stays unplaced: those are mostly not things at all ("안녕",
    "asdfgh"), which the model would still give a stream, and the leave-one-writer-out sets had
    none it would have saved. A text that is exactly a lexicon name keeps the lexicon's
    stream: the name was put there on purpose, and the reader, trained on thousands of other
    names, may lean elsewhere.

    The streams of the other parts of the item the rules found (a PET bottle's label and cap)
    and of things the text says were taken off (``beside``) do not overrule either: the reader
    reads those words too ("라벨이랑 뚜껑 있는 페트병") and cannot tell the whole thrown away
    from a part; the rules' part logic decides that."""
    rule = found.category
    if not ranked or rule is None or _rules_stand(found):
        return None
    best, p = ranked[0]
    parts = {part.category for part in found.parts}
    if best == rule or p < at or best in parts or best in beside:
        return None
    # The rule's stream stays second, so a wrong overrule is one tap away; and the answer is
    # never surer than the rules' own: an answer the scan would have asked about ("스티로폼
    # 박스에 담긴 유리병", 0.7) is still asked about, with the reader's stream offered first.
    return best, min(found.confidence, ANSWER_CONFIDENCE), [best, rule]


def second_opinion(
    classifier: Classifier,
    found: Classification,
    match: Match | None = None,
    *,
    at: float = OVERRULE_AT,
) -> Classification:
    """``found``, or the reader's answer where :func:`overrule` lets it replace it: the
    reader's stream under the 0.9 line with ``found``'s second, that stream's rules, and no
    item or parts (they were the rules' reading, which the reader doubts)."""
    reader = classifier.reader
    # Nothing to reconsider, and no text ranked, where the rules' answer stands anyway.
    if reader is None or found.category is None or _rules_stand(found):
        return found
    if _read_in_tags(classifier, found):
        return found
    new = overrule(found, reader.rank(found.text), at, beside=_beside(found, match))
    if new is None:
        return found
    stream, confidence, choices = new
    return found.model_copy(
        update={
            "category": stream,
            "confidence": confidence,
            "method": "learned",
            "evidence": "learned",
            "item": None,
            "parts": [],
            "rules": classifier.rules_for(classifier.kb.categories[stream], found.text),  # type: ignore[index]
            "choices": choices,
        }
    )


def _rules_stand(found: Classification) -> bool:
    """Whether the rules' answer stands whatever the reader says: sure (0.9 and over), decided
    by their own structure or state reading, exactly a lexicon name, or holding words that turn
    what the words beside them say (``TURNING_WORDS``)."""
    if found.confidence >= 0.9 or found.evidence in DECIDED_BY_RULES:
        return True
    flat = compact(found.text.lower())
    if found.item is not None and found.method == "lexicon" and flat == compact(found.item.lower()):
        return True
    return TURNING_WORDS.search(flat) is not None


def _beside(found: Classification, match: Match | None) -> frozenset[str]:
    """The streams of things the text names beside the item the rules found: things it says were
    taken off ("건전지 빼낸 벽시계") and, for a named item, its separable parts (a PET bottle's
    cap: "투명한 이온음료 페트 파란 뚜껑" is a clear bottle with a blue cap)."""
    if match is None:
        return frozenset()
    streams = {entry.category for entry in match.removed}
    if found.method in ("lexicon", "fuzzy"):
        streams |= {part.category for part in match.entry.parts if part.category is not None}
    return frozenset(streams)


def _read_in_tags(classifier: Classifier, found: Classification) -> bool:
    """Whether a situation tag the rules read in the text names their stream ("투명한
    이온음료" reads the clear drink bottle that clear PET is; "공사" moves debris to
    construction): the state is the rules' reading, the reader only sees letters ("파란 뚜껑"
    looks like a coloured bottle to it)."""
    stream = found.category
    tags = classifier.kb.tags
    return any(
        stream in tag.overrides.values() or stream in tag.applies_to
        for key in found.tags
        if (tag := tags.get(key)) is not None
    )
