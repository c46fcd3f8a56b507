"""``predict_proba`` of the fitted intent model for one text, with neither scikit-learn's per-call
work nor scikit-learn itself.

scikit-learn validates its input on every call (``check_array``, dataframe probes, parameter
checks: about 10 ms of a chat turn's CPU, more than the rest of the classification). One
sub-question at a time needs none of it: the fitted vocabularies, idf weights, coefficients and
the multinomial softmax give the same numbers (``tests/functions/chat/
test_classifier_speed.py`` holds them equal to ``predict_proba``).

The fitted numbers are copied out of the scikit-learn objects (``FastProba.of``) into plain
dicts and numpy arrays, and the analysers are rebuilt here (``Analyser``), so a process that
only classifies (a chat pod) loads the built model file without importing scikit-learn and
SciPy: seconds of its cold start and tens of MB (bench/RESULTS.md, "Cold start"). Training
(``domains.chat.classifier.IntentModel``) still uses scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# scikit-learn's ``_VectorizerMixin._white_spaces``: runs of white space become one space.
_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's ``analyzer="char_wb"`` n-grams: inside words, padded with a space, a word
    shorter than ``n`` counted once (``_VectorizerMixin._char_wb_ngrams``, same order)."""
    ngrams: list[str] = []
    append = ngrams.append
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                append(padded[offset : offset + n])
            if offset == 0:  # a short word: counted once
                break
    return ngrams


class Analyser:
    """A fitted ``TfidfVectorizer``'s ``build_analyzer()``: its own callable analyser, or
    ``char_wb`` n-grams after its preprocessor (else lowercasing). Picklable when the callables
    are module-level functions."""

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 1),
        *,
        analyser: Callable[[str], list[str]] | None = None,
        preprocessor: Callable[[str], str] | None = None,
        lowercase: bool = True,
    ) -> None:
        self.ngram_range = ngram_range
        self.analyser = analyser
        self.preprocessor = preprocessor
        self.lowercase = lowercase

    @classmethod
    def of(cls, vectorizer: Any) -> Analyser:
        """The analyser of a fitted ``TfidfVectorizer``; ValueError for a configuration this
        module does not reproduce."""
        if callable(vectorizer.analyzer):
            return cls(analyser=vectorizer.analyzer)
        if vectorizer.analyzer != "char_wb" or vectorizer.strip_accents:
            raise ValueError(f"analyzer={vectorizer.analyzer!r} is not reproduced here")
        min_n, max_n = vectorizer.ngram_range
        return cls(
            (int(min_n), int(max_n)),
            preprocessor=vectorizer.preprocessor,
            lowercase=bool(vectorizer.lowercase),
        )

    def __call__(self, text: str) -> list[str]:
        if self.analyser is not None:
            return self.analyser(text)
        if self.preprocessor is not None:  # scikit-learn: a preprocessor replaces lowercasing
            text = self.preprocessor(text)
        elif self.lowercase:
            text = text.lower()
        return char_wb_ngrams(text, *self.ngram_range)


class TfidfRow:
    """One fitted ``TfidfVectorizer``'s transform of one text (sublinear tf, idf, l2), as
    sparse (column, value) pairs from ``offset``."""

    def __init__(self, vectorizer: Any, offset: int) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"):
            raise ValueError("only sublinear tf, idf and l2 norm are reproduced here")
        self.analyse = Analyser.of(vectorizer)
        self.vocabulary: dict[str, int] = {
            str(term): int(column) for term, column in vectorizer.vocabulary_.items()
        }
        self.idf = np.asarray(vectorizer.idf_, dtype=float)
        self.offset = offset

    def features(self, text: str, columns: list[int], values: list[float]) -> None:
        counts: dict[int, int] = {}
        for feature in self.analyse(text):
            column = self.vocabulary.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return
        found = np.fromiter(counts, dtype=np.intp, count=len(counts))
        weights = (np.log(np.fromiter(counts.values(), dtype=float)) + 1.0) * self.idf[found]
        norm = float(np.sqrt(weights @ weights))
        if norm > 0:
            weights /= norm
        columns.extend((found + self.offset).tolist())
        values.extend(weights.tolist())


class FastProba:
    """The probabilities of a fitted multinomial ``LogisticRegression`` over the columns of
    ``vectorizers`` (in order) followed by the dense ``extra`` features of a text."""

    def __init__(
        self,
        vectorizers: Sequence[Any],
        extra: Callable[[str], list[float]],
        model: Any,
    ) -> None:
        self.extra = extra
        self.labels = [str(label) for label in model.classes_]
        self.coef = np.asarray(model.coef_, dtype=float)
        self.intercept = np.asarray(model.intercept_, dtype=float)
        offset = 0
        rows = []
        for vectorizer in vectorizers:
            rows.append(TfidfRow(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)
        self.rows = tuple(rows)
        self.extra_offset = offset

    def __call__(self, text: str) -> dict[str, float]:
        columns: list[int] = []
        values: list[float] = []
        for row in self.rows:
            row.features(text, columns, values)
        for i, value in enumerate(self.extra(text)):
            if value:
                columns.append(self.extra_offset + i)
                values.append(value)
        scores = self.intercept + self.coef[:, columns] @ np.asarray(values, dtype=float)
        exp = np.exp(scores - scores.max())
        probabilities = exp / exp.sum()
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}

    def probabilities(self, text: str) -> dict[str, float]:
        """The same as calling it: what the analysis reads of a model (``IntentModel`` too)."""
        return self(text)
