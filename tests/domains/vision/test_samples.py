"""The demo's sample images come out as promised: marks read, hint used, question asked."""

from __future__ import annotations

from pathlib import Path

from domains.vision.recognise import recognise
from domains.vision.samples import samples, write_samples


def test_every_sample_gives_its_expected_outcome(tmp_path: Path) -> None:
    paths = write_samples(tmp_path / "samples")
    cases = samples(tmp_path / "samples")
    assert paths == [case.path for case in cases] and all(p.is_file() for p in paths)
    for case in cases:
        result = recognise(case.path.read_bytes(), case.hint)
        if case.expect == "needs_input":
            assert result.needs_input, case
        elif case.expect == "hint":
            assert (result.source, result.needs_input) == ("hint", False), case
        else:
            assert (result.source, result.category_hint) == ("ocr", case.expect), case
