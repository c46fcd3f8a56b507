"""Vision without OCR: a plain install (no ``ocr`` extra) or no Tesseract model.

Importing ``domains.vision`` and calling ``recognise`` must work without tesserocr, numpy and
scipy: a hinted scan is recognised from the hint, one without a hint asks. The missing
libraries are simulated in a fresh interpreter (``sys.modules[name] = None`` makes every import
of them fail as if they were not installed).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from domains.vision import ocr_available, recognise
from domains.vision.recognise import QUESTION
from domains.vision.render import MarkSpec, render_mark
from domains.vision.validation import NotAnImage
from eco2.settings import VisionSettings

ROOT = Path(__file__).resolve().parents[3]

WITHOUT_OCR = """
import json, sys
for name in ("tesserocr", "numpy", "scipy"):
    sys.modules[name] = None
import domains.vision as vision
from domains.vision.validation import NotAnImage

image = open(sys.argv[1], "rb").read()
hinted = vision.recognise(image, "다 마신 생수병")
asked = vision.recognise(image)
try:
    vision.recognise(b"not an image")
    bad = None
except NotAnImage as exc:
    bad = exc.code
heavy = sorted(m for m in ("tesserocr", "numpy", "scipy") if sys.modules.get(m) is not None)
print(json.dumps({
    "available": vision.ocr_available(),
    "hinted": hinted.model_dump(),
    "asked": asked.model_dump(),
    "bad": bad,
    "heavy": heavy,
}))
"""


@pytest.fixture(scope="module")
def without_ocr(tmp_path_factory: pytest.TempPathFactory) -> dict:
    image = tmp_path_factory.mktemp("without-ocr") / "mark.png"
    image.write_bytes(render_mark(MarkSpec(word="무색페트", seed=3)))  # OCR would read it
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_OCR, str(image)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    result["stderr"] = done.stderr
    return result


def test_ocr_available_says_which_libraries_are_missing(without_ocr: dict) -> None:
    available, reason = without_ocr["available"]
    assert available is False
    assert reason.startswith("numpy, scipy, tesserocr are not installed")
    assert "eco2[ocr]" in reason
    assert without_ocr["heavy"] == []


def test_a_hint_is_recognised_without_ocr(without_ocr: dict) -> None:
    hinted = without_ocr["hinted"]
    assert (hinted["source"], hinted["item"], hinted["text"]) == (
        "hint",
        "다 마신 생수병",
        "다 마신 생수병",
    )
    assert not hinted["needs_input"] and hinted["marks"] == []


def test_without_a_hint_it_asks(without_ocr: dict) -> None:
    asked = without_ocr["asked"]
    assert asked["needs_input"] and asked["question"] == QUESTION
    assert asked["source"] == "none"


def test_a_bad_upload_is_still_refused_and_ocr_off_is_said_once(without_ocr: dict) -> None:
    assert without_ocr["bad"] == "not_image"
    assert without_ocr["stderr"].count("OCR is off") == 1


def test_ocr_is_available_here() -> None:
    available, reason = ocr_available()
    assert available, reason


def test_without_the_korean_model_a_hint_is_recognised_and_no_hint_asks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = VisionSettings(tessdata_path=str(tmp_path))
    available, reason = ocr_available(settings)
    assert not available and "tesseract-ocr-kor" in reason
    image = render_mark(MarkSpec(word="무색페트", seed=3))
    with caplog.at_level(logging.WARNING, logger="domains.vision"):
        hinted = recognise(image, "생수병", settings=settings)
        asked = recognise(image, settings=settings)
    assert (hinted.source, hinted.item, hinted.needs_input) == ("hint", "생수병", False)
    assert asked.needs_input and asked.question == QUESTION
    assert caplog.text.count("OCR is off") == 1
    with pytest.raises(NotAnImage):
        recognise(b"nope", "생수병", settings=settings)
