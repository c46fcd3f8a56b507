"""``predict_proba`` of the fitted intent model for one text, without scikit-learn's per-call work.

scikit-learn validates its input on every call (``check_array``, dataframe probes, parameter
checks: about 10 ms of a chat turn's CPU, more than the rest of the classification). One
sub-question at a time needs none of it: the fitted vocabularies, idf weights, coefficients and
the multinomial softmax give the same numbers (``tests/functions/chat/
test_classifier_speed.py`` holds them equal to ``predict_proba``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


class TfidfRow:
    """One fitted ``TfidfVectorizer``'s transform of one text (sublinear tf, idf, l2), as
    sparse (column, value) pairs from ``offset``."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyse = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
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
        vectorizers: Sequence[TfidfVectorizer],
        extra: Callable[[str], list[float]],
        model: LogisticRegression,
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
