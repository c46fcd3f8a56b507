"""The built classifier file: loaded when current, refused (and the classifier built) when it
was made from anything else, and answering exactly as a classifier built in the process."""

from __future__ import annotations

from pathlib import Path

from domains.knowledge import store
from tests.domains.knowledge.conftest import read_jsonl


def _texts() -> list[str]:
    rows = read_jsonl("items.jsonl") + read_jsonl("independent2/items2.dev.jsonl")
    return [row["text"] for row in rows]


def test_a_saved_classifier_answers_as_one_built_here(tmp_path: Path) -> None:
    built = store.build()
    path = tmp_path / "classifier.pickle"
    store.save(built, path)
    loaded, why = store.load(path)
    assert loaded is not None, why
    assert loaded is not built
    for text in _texts():
        assert loaded.classify(text) == built.classify(text)
    # The gloss index came in the file: a description is answered without building it.
    assert loaded._glosses is not None


def test_a_file_from_other_inputs_is_refused_and_the_classifier_built(tmp_path: Path) -> None:
    path = tmp_path / "classifier.pickle"
    store.save(store.build(), path)
    data = path.read_bytes()
    path.write_bytes(b"0" * 64 + data[data.index(b"\n") :])  # another fingerprint
    loaded, why = store.load(path)
    assert loaded is None and "other data" in why
    fresh = store.load_or_build(path)
    assert fresh.classify("투명 생수병 라벨 뗐어").category == "clear_pet"


def test_no_file_means_building(tmp_path: Path) -> None:
    loaded, why = store.load(tmp_path / "absent.pickle")
    assert loaded is None and "no built classifier" in why


def test_the_fingerprint_covers_the_data_but_not_the_built_file() -> None:
    names = {path.name for path in store.inputs()}
    assert "glosses.yaml" in names and "classifier.py" in names
    assert not any(name.endswith(".pickle") for name in names)
