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
from collections.abc import Iterator
from typing import Any

from PIL import Image

from domains.vision.availability import check_tessdata
from domains.vision.exceptions import TessdataMissing
from domains.vision.locate import TextLine, dark_border, for_ocr, mark_regions, text_lines
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
_WHOLE_SIDE = 1000  # longest side for the whole-image pass: marks' words stay readable
# The whole image holds other print too, which Tesseract (told to read only the marks' letters)
# turns into near-words: only a close match there counts.
_WHOLE_MIN = 0.85


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


def _read_laid_out(api: Any, lines: list[TextLine]) -> str:
    """The cut-out as it is, with Tesseract's own layout analysis (PSM 3): when the line finder
    kept arrows with the text (a badge, a word crossing the frame), Tesseract's page analysis
    still separates the word from the strokes around it."""
    from tesserocr import PSM

    api.SetPageSegMode(PSM.AUTO)
    try:
        texts = []
        for line in lines:
            api.SetImage(Image.fromarray(line.binary))
            texts.append(api.GetUTF8Text().strip())
        return "\n".join(t for t in texts if t)
    finally:
        api.SetPageSegMode(PSM.SINGLE_BLOCK)


def _whole_image(api: Any, image: Image.Image, invert: bool) -> str:
    """Tesseract's own layout analysis over the whole picture (PSM 3), one polarity: the
    fallback for marks the line finder cannot isolate (a small mark inside a package photo)."""
    from PIL import ImageOps
    from tesserocr import PSM

    grey = image.convert("L")
    grey.thumbnail((_WHOLE_SIDE, _WHOLE_SIDE))
    if invert:
        grey = ImageOps.invert(grey)
    api.SetPageSegMode(PSM.AUTO)
    try:
        api.SetImage(ImageOps.autocontrast(grey, cutoff=1))
        return str(api.GetUTF8Text())
    finally:
        api.SetPageSegMode(PSM.SINGLE_BLOCK)


def _readings(api: Any, image: Image.Image) -> Iterator[tuple[MarkMatch, str]]:
    """Readings of the image, most promising first: the cut-out lines in the guessed polarity
    (four crops), then in the other (two), then the whole image both ways."""
    guess = dark_border(image)
    for invert, variants in ((guess, _VARIANTS), (not guess, _VARIANTS[:2])):
        lines = text_lines(image, invert)
        if not lines:
            continue
        for kind, target in variants:
            text = _read_lines(api, lines, kind, target)
            yield match_mark(text), text
        text = _read_laid_out(api, lines)
        yield match_mark(text), text
    # A small mark inside a package photo: the same reading on crops around mark-like blobs.
    for box in mark_regions(image):
        crop = image.crop(box)
        for invert in (dark_border(crop), not dark_border(crop)):
            lines = text_lines(crop, invert)
            if not lines:
                continue
            for kind, target in _VARIANTS[:2]:
                text = _read_lines(api, lines, kind, target)
                yield match_mark(text), text
            text = _read_laid_out(api, lines)
            yield match_mark(text), text


def _vote(readings: list[tuple[MarkMatch, str]]) -> tuple[MarkMatch, str]:
    """The category most readings support, weighted by how well each matched; its best reading.

    One reading alone may be a chance match of unrelated text; several independent crops
    agreeing on a category are not.
    """
    support: dict[str, float] = {}
    for match, _ in readings:
        if match.category is not None:
            support[match.category] = support.get(match.category, 0.0) + match.score
    if not support:
        return max(readings, key=lambda r: r[0].score)
    winner = max(support, key=lambda c: support[c])
    return max((r for r in readings if r[0].category == winner), key=lambda r: r[0].score)


def read_mark(image_bytes: bytes, *, settings: VisionSettings | None = None) -> MarkReading:
    """The recycling mark in ``image_bytes`` (validated first); an empty reading if none."""
    settings = settings or VisionSettings()
    validate_image(
        image_bytes, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
    )
    api = engine(settings)  # first, so a missing model fails every call, not only marked ones
    with Image.open(io.BytesIO(image_bytes)) as opened:
        image = opened.convert("RGB")
    readings: list[tuple[MarkMatch, str]] = []
    for match, text in _readings(api, image):
        readings.append((match, text))
        if match.category is not None and match.score >= _GOOD_ENOUGH:
            break  # an exact reading of a mark word: nothing else will beat it
    if not readings:
        return MarkReading()
    match, text = _vote(readings)
    if match.category is None:
        return MarkReading(raw_text=text)
    return MarkReading(
        words=[w for w in (match.word, match.code) if w],
        raw_text=text,
        category=match.category,
        mark=match.mark,
        confidence=min(1.0, match.score),
    )
