"""The classifier's hand-rolled ``probabilities`` (no scikit-learn input validation per call)
gives scikit-learn's own ``predict_proba`` numbers, on every message of the evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest

from domains.chat.classifier import packaged_records, read_labelled, train

DATA = Path(__file__).parent / "data"


def test_fast_probabilities_equal_predict_proba() -> None:
    # Trained here: the built file holds only the fast path's numbers (no scikit-learn objects).
    model = train(packaged_records())
    texts = [r["text"] for r in read_labelled(DATA / "intents.dev.jsonl")]
    texts += [r["text"] for r in read_labelled(DATA / "intents.test.jsonl")]
    texts += ["", "ㅋㅋ", "zzz 123", "이코 쇼파 얼마 근처 날씨 그려줘 검색"]
    assert len(texts) > 400
    for text in texts:
        fast, reference = model.fitted(text), model.reference_probabilities(text)
        assert fast.keys() == reference.keys()
        for intent, p in reference.items():
            assert fast[intent] == pytest.approx(p, abs=1e-12), (text, intent)
