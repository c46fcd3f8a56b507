"""The intent model built once (``eco2 train-intents``) is the model training gives: the same
probabilities on every evaluation message; a file built for other data is never used; and
loading it imports neither scikit-learn nor SciPy (a chat pod's cold start)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from domains.chat import model_store
from domains.chat.classifier import (
    IntentModel,
    default_model,
    packaged_records,
    read_labelled,
    train,
)
from domains.chat.fast_proba import FastProba

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def fresh() -> IntentModel:
    return train(packaged_records())


def _messages() -> list[str]:
    texts = [r["text"] for r in read_labelled(DATA / "intents.dev.jsonl")]
    texts += [r["text"] for r in read_labelled(DATA / "intents.test.jsonl")]
    return [*texts, "", "ㅋㅋ", "zzz 123", "이코 쇼파 얼마 근처 날씨 그려줘 검색"]


def _same(loaded: FastProba, fresh: IntentModel) -> None:
    texts = _messages()
    assert len(texts) > 400
    for text in texts:
        # Exactly equal, not approximately: the same fitted numbers, stored and read back.
        assert loaded.probabilities(text) == fresh.probabilities(text), text


def test_saved_model_loads_with_the_same_probabilities(tmp_path: Path, fresh: IntentModel) -> None:
    path = tmp_path / "intent_model.pickle"
    stamp = model_store.save(fresh, path)
    assert stamp == model_store.fingerprint() == model_store.stamp_of(path)
    loaded, why = model_store.load(path)
    assert loaded is not None, why
    assert loaded is not fresh
    _same(loaded, fresh)


def test_the_process_model_is_the_trained_one(fresh: IntentModel) -> None:
    # Whether default_model() read the built file (make setup writes it) or trained: the same.
    _same(default_model(), fresh)


def test_a_stale_fingerprint_is_refused(tmp_path: Path, fresh: IntentModel) -> None:
    path = tmp_path / "intent_model.pickle"
    model_store.save(fresh, path, stamp="0" * 64)
    loaded, why = model_store.load(path)
    assert loaded is None
    assert "stale" in why


def test_the_fingerprint_follows_the_training_data(tmp_path: Path) -> None:
    copies = []
    for source in model_store.inputs()[:6]:
        copy = tmp_path / source.name
        shutil.copyfile(source, copy)
        copies.append(copy)
    before = model_store.fingerprint(copies)
    assert model_store.fingerprint(copies) == before
    with copies[0].open("a", encoding="utf-8") as out:
        out.write('{"text": "새 문장", "intents": ["general"]}\n')
    assert model_store.fingerprint(copies) != before
    # The shipped inputs are what the fingerprint reads: the training files come first.
    assert [p.name for p in model_store.inputs()[:6]] == [
        "intents.train.jsonl",
        "intents.dev.jsonl",
        "intents2.dev.jsonl",
        "intents.retired.jsonl",
        "intents2.retired.jsonl",
        "intents3.dev.jsonl",
    ]


def test_a_stale_file_is_trained_over_with_a_log_line(
    tmp_path: Path, fresh: IntentModel, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "intent_model.pickle"
    model_store.save(fresh, path, stamp="f" * 64)
    with caplog.at_level(logging.WARNING, logger="domains.chat.model_store"):
        model = model_store.load_or_train(path)
    assert "stale fingerprint" in caplog.text and "training it at start" in caplog.text
    _same(model, fresh)


def test_loading_the_model_imports_no_scikit_learn(tmp_path: Path, fresh: IntentModel) -> None:
    path = tmp_path / "intent_model.pickle"
    model_store.save(fresh, path)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from domains.chat import model_store\n"
        f"model, why = model_store.load(Path({str(path)!r}))\n"
        "assert model is not None, why\n"
        "model.probabilities('페트병 버리는 법')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'joblib'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
