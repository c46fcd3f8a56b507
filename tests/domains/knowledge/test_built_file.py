"""The built file's reader pauses the garbage collector while it unpickles, and only then."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import pytest

from domains.knowledge import built_file


class _Broken:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_explode, ())


def _explode() -> None:
    raise RuntimeError("unpickling failed")


def test_the_payload_is_read_and_the_collector_is_on_again(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    built_file.write(path, "stamp", {"a": [1, 2, 3]})
    assert gc.isenabled()
    payload, why = built_file.read(path, "stamp", "thing", "other inputs")
    assert payload == {"a": [1, 2, 3]} and why.startswith("loaded")
    assert gc.isenabled()


def test_a_failed_unpickling_still_turns_the_collector_back_on(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    path.write_bytes(b"stamp\n" + pickle.dumps(_Broken()))
    with pytest.raises(RuntimeError):
        built_file.read(path, "stamp", "thing", "other inputs")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    built_file.write(path, "stamp", [1])
    gc.disable()
    try:
        built_file.read(path, "stamp", "thing", "other inputs")
        assert not gc.isenabled()
    finally:
        gc.enable()
