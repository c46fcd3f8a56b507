"""Read a recycling mark offline: locate its text, run Tesseract, match the mark vocabulary.

Tesseract (via tesserocr) reads Korean with the Debian ``tesseract-ocr-kor`` model. The wheel's
bundled Tesseract knows no tessdata directory, so the path comes from settings
(``ECO2_VISION__TESSDATA_PATH``) and a missing ``kor.traineddata`` is a clear error.

Creating a ``PyTessBaseAPI`` loads the model (~0.3 s), so each thread keeps its own engine; one
engine is not safe to share between threads. Recognition is limited to the characters marks
use (:data:`~domains.vision.marks.MARK_CHARSET`): that is what lets a generic Korean model read
a four-letter word off a noisy photo, and fuzzy matching absorbs what is still misread.

Several readings are tried — clean binary and stretched grey crops at two glyph heights — and
the one that matches a mark best wins; an exact match stops the search early.
"""

from __future__ import annotations

import io
import threading
from typing import Any

from PIL import Image

from domains.vision.availability import check_tessdata
from domains.vision.exceptions import TessdataMissing
from domains.vision.locate import TextLine, for_ocr, text_lines
from domains.vision.marks import MARK_CHARSET, MarkMatch, MarkReading, match_mark
from domains.vision.settings import VisionSettings
from domains.vision.validation import validate_image

# Defined in light modules (recognise works without this one); still importable from here.
__all__ = ["MarkReading", "TessdataMissing", "check_tessdata", "engine", "read_mark"]

# (crop kind, glyph height in pixels), in the order tried.
_VARIANTS: tuple[tuple[str, int], ...] = (
    ("binary", 32),
    ("grey", 48),
    ("binary", 48),
    ("grey", 32),
)
_GOOD_ENOUGH = 0.99


class _Engines(threading.local):
    """One Tesseract engine per thread and configuration."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], Any] = {}


_engines = _Engines()


def engine(settings: VisionSettings | None = None) -> Any:  # tesserocr ships no type stubs
    """This thread's ``PyTessBaseAPI`` for the configured languages, created on first use."""
    from tesserocr import PSM, PyTessBaseAPI  # heavy: load only when OCR is used

    settings = settings or VisionSettings()
    # Marks are Korean words with a few Latin codes; the Korean model reads both, and adding the
    # English model makes it read Hangul as Latin look-alikes ("HE" for 페트).
    key = (settings.tessdata_path, settings.languages)
    api = _engines.by_key.get(key)
    if api is None:
        folder = check_tessdata(settings)
        api = PyTessBaseAPI(path=str(folder) + "/", lang=settings.languages, psm=PSM.SINGLE_BLOCK)
        api.SetVariable("tessedit_char_whitelist", MARK_CHARSET)
        _engines.by_key[key] = api
    return api


def _read_lines(api: Any, lines: list[TextLine], kind: str, target: int) -> str:
    texts = []
    for line in lines:
        pixels = line.binary if kind == "binary" else line.grey
        api.SetImage(for_ocr(pixels, line.height, target))
        texts.append(api.GetUTF8Text().strip())
    return "\n".join(t for t in texts if t)


def read_mark(image_bytes: bytes, *, settings: VisionSettings | None = None) -> MarkReading:
    """The recycling mark in ``image_bytes`` (validated first); an empty reading if none."""
    settings = settings or VisionSettings()
    validate_image(
        image_bytes, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
    )
    api = engine(settings)  # first, so a missing model fails every call, not only marked ones
    with Image.open(io.BytesIO(image_bytes)) as image:
        lines = text_lines(image)
    if not lines:
        return MarkReading()
    best: tuple[MarkMatch, str] | None = None
    for kind, target in _VARIANTS:
        text = _read_lines(api, lines, kind, target)
        match = match_mark(text)
        if best is None or match.score > best[0].score:
            best = (match, text)
        if match.category is not None and match.score >= _GOOD_ENOUGH:
            break
    assert best is not None  # _VARIANTS is not empty
    match, text = best
    if match.category is None:
        return MarkReading(raw_text=text)
    return MarkReading(
        words=[w for w in (match.word, match.code) if w],
        raw_text=text,
        category=match.category,
        mark=match.mark,
        confidence=min(1.0, match.score),
    )
