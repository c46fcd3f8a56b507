"""The offline intent classifier and the whole message analysis (split → classify → correct).

The model is scikit-learn's logistic regression over three feature groups of one sub-question:
character n-grams (1–3, spacing-proof, typo-tolerant), Kiwi morphemes (form/tag) and the
keyword map's hits (``domains.chat.intents.KEYWORDS``). It is trained from the labelled messages
packaged in ``data/``; a process loads the model built once from them (``model_store``: a file
made at build time, not kept in git) and trains it only when that file is missing or stale.
``analyse`` splits a message (``splitter``), classifies each piece, applies the confidence
formula (``intents.decide``) with the chain bonus from the previous sub-question or turn, and,
by the rules of ``followups``, reads follow-ups with their question and merges weak clause
splits that did not ask two things.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, Field

from domains.chat.fast_proba import FastProba
from domains.chat.followups import continues, joins, reading
from domains.chat.intents import (
    INTENTS,
    THRESHOLD,
    Decision,
    Intent,
    decide,
    fuzzy_keyword_hits,
    keyword_hits,
)
from domains.chat.splitter import morphemes, split
from domains.knowledge.text import loose_jamo

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

DATA = Path(__file__).parent / "data"
# The project's own examples, the dev halves of the three independent sets and the test halves
# of the first two, retired once scored twice (copies; the frozen originals stay under tests/).
# Lines sharing their text with the current test half (intents3.test) were dropped from the
# copies. A current test half is never here.
TRAINING_FILES = (
    "intents.train.jsonl",
    "intents.dev.jsonl",
    "intents2.dev.jsonl",
    "intents.retired.jsonl",
    "intents2.retired.jsonl",
    "intents3.dev.jsonl",
)
FUZZY_FEATURE = True
# Inverse regularisation of the logistic regression (chosen on the dev half, docs/chat.md).
C = 10.0
# Jamo n-gram lengths of the letter features (chosen by cross-validation on both dev halves).
JAMO_MIN, JAMO_MAX = 2, 4


class Previous(BaseModel):
    """The user's previous turn, as the batch input and the chat history give it."""

    text: str = ""
    intents: list[Intent] = Field(default_factory=list)


class SubQuestion(BaseModel):
    """One sub-question of a message with its intent decision."""

    index: int
    text: str
    intent: Intent
    confidence: float
    decision: Decision
    context: str | None = Field(None, description="The question an elliptical one continues.")


class Analysis(BaseModel):
    """A message split and classified; ``intents`` is the final list, in the order asked."""

    text: str
    questions: list[SubQuestion]

    @property
    def intents(self) -> list[Intent]:
        return [q.intent for q in self.questions]


def _morpheme_words(text: str) -> list[str]:
    return [f"{t.form}/{t.tag[:2]}" for t in morphemes(text)]


def keyword_row(text: str) -> list[float]:
    """The dense features of a text: the keyword map's hits, the hits given or take one letter
    that the exact map missed, and whether it names an item."""
    hits = keyword_hits(text)
    row = [min(hits[i], 2) / 2 for i in INTENTS]
    if FUZZY_FEATURE:
        fuzzy = fuzzy_keyword_hits(text)
        row += [float(fuzzy[i] and not hits[i]) for i in INTENTS]
    return row + _names_an_item(text)


class IntentModel:
    """The classifier as trained (scikit-learn); ``probabilities(text)`` for one sub-question,
    and ``fitted``, what a process that only classifies loads (``model_store``)."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str], c: float | None = None) -> None:
        # Training only: a chat process loads ``fitted`` and never imports scikit-learn or SciPy.
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1
        )
        self.words = TfidfVectorizer(
            analyzer=_morpheme_words, sublinear_tf=True, min_df=1, ngram_range=(1, 1)
        )
        # Letter (jamo) n-grams with commonly confused letters merged: a typo ("재활룡",
        # "날시", "캐럭터") costs one or two letters of a word instead of whole syllables.
        self.letters = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(JAMO_MIN, JAMO_MAX),
            sublinear_tf=True,
            min_df=1,
            preprocessor=loose_jamo,
        )
        x = hstack(
            [
                self.chars.fit_transform(texts),
                self.words.fit_transform(texts),
                self.letters.fit_transform(texts),
                self._keywords(texts),
            ]
        ).tocsr()
        # C is read at call time, so a cross-validation can set it (bench/intents_cv.py).
        self.model = LogisticRegression(
            C=C if c is None else c, max_iter=3000, class_weight="balanced"
        )
        self.model.fit(x, list(labels))
        self._ready()

    def _ready(self) -> None:
        """What a fitted model derives from its fitted parts: rebuilt after unpickling too."""
        self._lock = threading.Lock()
        self._fast = FastProba((self.chars, self.words, self.letters), keyword_row, self.model)

    @property
    def fitted(self) -> FastProba:
        """The fitted numbers without scikit-learn: the same ``probabilities``."""
        return self._fast

    def __getstate__(self) -> dict[str, Any]:
        # Only the fitted parts are stored: a lock cannot be pickled, and the fast path is
        # derived from them.
        return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_fast")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._ready()

    @staticmethod
    def _keywords(texts: Iterable[str]) -> csr_matrix:
        import numpy as np
        from scipy.sparse import csr_matrix

        return csr_matrix(np.asarray([keyword_row(t) for t in texts], dtype=float))

    def _x(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        return hstack(
            [
                self.chars.transform(texts),
                self.words.transform(texts),
                self.letters.transform(texts),
                self._keywords(texts),
            ]
        ).tocsr()

    def reference_probabilities(self, text: str) -> dict[str, float]:
        """scikit-learn's own ``predict_proba``: what ``probabilities`` must equal."""
        with self._lock:
            row = self.model.predict_proba(self._x([text]))[0]
        return {str(label): float(p) for label, p in zip(self.model.classes_, row, strict=True)}

    def probabilities(self, text: str) -> dict[str, float]:
        """The same numbers as ``predict_proba``, computed on the few features the text has
        (``domains.chat.fast_proba``: no scikit-learn input validation per call)."""
        return self._fast(text)


@lru_cache(maxsize=4096)
def _item_of(text: str) -> tuple[str | None, float]:
    from domains.knowledge import classify

    # Names only: the intent model was trained on this feature as "the text names an item";
    # a description placed by the glosses would move it on texts it was not trained on.
    found = classify(text, glosses=False)
    return found.category, found.confidence


def _names_an_item(text: str) -> list[float]:
    """Whether the text names a waste item the knowledge base knows (a large one apart): an
    item named with no other cue ("아이스팩", "뽁뽁이?") is a disposal question, and a piece of
    furniture points to bulk waste, whatever words the training messages happened to use."""
    category, confidence = _item_of(text)
    if category is None:
        return [0.0, 0.0]
    return [0.0, confidence] if category == "bulk" else [confidence, 0.0]


def read_labelled(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def training_pairs(records: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(sub-question, intent) pairs: a message whose pieces line up with its labels gives one
    pair per piece; a single-intent message gives itself; the rest are left out."""
    texts: list[str] = []
    labels: list[str] = []
    for record in records:
        gold = list(record["intents"])
        text = str(record["text"])
        before = _previous_text(record.get("previous"))
        if len(gold) == 1 and before and continues(text):
            # Read as the analysis reads it: with the question it continues.
            texts.append(f"{before} {text}")
            labels.append(gold[0])
            continue
        if len(gold) == 1:
            texts.append(text)
            labels.append(gold[0])
            continue
        pieces = split(text)
        if len(pieces) == len(gold):
            texts += [p.text for p in pieces]
            labels += gold
    return texts, labels


def _previous_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return value if isinstance(value, str) else ""


def previous_of(value: Any, scorer: Scorer | None = None) -> Previous | None:
    """The previous turn from a batch record's ``previous``: ``{text, intents}``, or only the
    previous message's text, whose intents are then read by the same analysis."""
    if isinstance(value, dict):
        return Previous.model_validate(value)
    if isinstance(value, str) and value.strip():
        return Previous(text=value, intents=list(analyse(value, None, scorer).intents))
    return None


def train(records: Iterable[dict[str, Any]]) -> IntentModel:
    texts, labels = training_pairs(records)
    return IntentModel(texts, labels)


def packaged_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for name in TRAINING_FILES:
        path = DATA / name
        if path.exists():
            records += read_labelled(path)
    return records


@lru_cache(maxsize=1)
def default_model() -> FastProba:
    """The model of the packaged data, once per process: the built file when it is current,
    else trained now."""
    # model_store builds on this module, so it is imported when first needed, not at its top.
    from domains.chat.model_store import load_or_train

    return load_or_train()


def warm_up() -> None:
    """Load the model and build what a first message would otherwise build on its turn: Kiwi,
    the splitter's and features' caches, the knowledge base's classifier (the item feature)."""
    analyse("페트병은 어떻게 버려? 근처 수거함도 알려줘")


Scorer = Callable[[str], dict[str, float]]
AsyncScorer = Callable[[str], Awaitable[dict[str, float]]]


def analyse(
    text: str,
    previous: Previous | None = None,
    scorer: Scorer | None = None,
) -> Analysis:
    """Split ``text``, classify every piece and correct it with the confidence formula.

    ``scorer`` gives the classifier part (default: the offline model).
    """
    score = scorer or default_model().probabilities

    async def scored(piece: str) -> dict[str, float]:
        return score(piece)

    # The coroutine never suspends (its scorer is synchronous), so one send runs it to the end.
    run = analyse_async(text, previous, scored)
    try:
        run.send(None)
    except StopIteration as done:
        return cast(Analysis, done.value)
    run.close()
    raise RuntimeError("analyse: the scorer suspended; use analyse_async")


async def analyse_async(text: str, previous: Previous | None, score: AsyncScorer) -> Analysis:
    """``analyse`` with a scorer that waits (a cloud model's structured output)."""
    pieces = split(text)
    prev_intent: str | None = None
    prev_text: str | None = None
    prev_confident = False
    if previous is not None and previous.intents:
        prev_intent, prev_text, prev_confident = previous.intents[-1], previous.text, True
    questions: list[SubQuestion] = []
    for piece in pieces:
        context, probabilities = await reading(piece.text, prev_text, score)
        decision = decide(piece.text, probabilities, prev_intent, prev_confident)
        question = SubQuestion(
            index=len(questions),
            text=piece.text,
            intent=decision.intent,
            confidence=decision.confidence,
            decision=decision,
            context=context,
        )
        if questions and joins(questions[-1], question, piece):
            last = questions.pop()
            joined = f"{last.text} {piece.text}"
            decision = decide(joined, await score(joined), prev_intent, prev_confident)
            question = SubQuestion(
                index=last.index,
                text=joined,
                intent=decision.intent,
                confidence=decision.confidence,
                decision=decision,
            )
        questions.append(question)
        prev_intent, prev_text = question.intent, question.text
        prev_confident = question.confidence >= THRESHOLD
    return Analysis(text=text, questions=questions)


def analyse_batch(
    records: Iterable[dict[str, Any]], scorer: Scorer | None = None
) -> list[dict[str, Any]]:
    """``eco2 intents --batch``: one output object per input record, in order."""
    out: list[dict[str, Any]] = []
    for record in records:
        previous = previous_of(record.get("previous"), scorer)
        result = analyse(str(record["text"]), previous, scorer)
        out.append(as_json(result, record.get("id")))
    return out


def as_json(result: Analysis, record_id: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {} if record_id is None else {"id": record_id}
    body["text"] = result.text
    body["intents"] = list(result.intents)
    body["questions"] = [
        {
            "text": q.text,
            "intent": q.intent,
            "predicted": q.decision.predicted,
            "confidence": q.confidence,
            "parts": q.decision.parts.model_dump(),
            **({"clarify": q.decision.clarify} if q.decision.clarify else {}),
        }
        for q in result.questions
    ]
    return body


def intents_of(records: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [cast(list[str], r["intents"]) for r in records]
