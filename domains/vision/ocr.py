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
import time
from collections.abc import Iterator
from typing import Any

from PIL import Image

from domains.vision.availability import check_tessdata
from domains.vision.exceptions import TessdataMissing
from domains.vision.locate import WORK_SIZE, TextLine, dark_border, for_ocr, text_lines
from domains.vision.marks import (
    MARK_CHARSET,
    MARK_CODES,
    MARK_WORDS,
    MarkMatch,
    MarkReading,
    match_mark,
    normalise,
)
from domains.vision.regions import (
    LOW_WORD_AREA,
    TIGHT_WORD_AREA,
    WIDE_WORD_AREA,
    badge_view,
    find_marks,
    light_word,
    mark_view,
    word_area,
    word_view,
)
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


# Latin codes (PP, PS, OTHER, HDPE …): the letters the English model may read them with.
_CODE_LETTERS = "".join(sorted({ch for code in MARK_CODES if code.isascii() for ch in code}))


def code_engine(settings: VisionSettings | None = None) -> Any:
    """This thread's English engine for a mark that is only a Latin code: the Korean model
    reads "PP" or "PS" as Hangul look-alikes. Restricted to the codes' letters, one line."""
    from tesserocr import PSM, PyTessBaseAPI

    settings = settings or VisionSettings()
    key = (settings.tessdata_path, "eng")
    api = _engines.by_key.get(key)
    if api is None:
        folder = check_tessdata(settings)
        api = PyTessBaseAPI(path=str(folder) + "/", lang="eng", psm=PSM.SINGLE_LINE)
        api.SetVariable("tessedit_char_whitelist", _CODE_LETTERS)
        _engines.by_key[key] = api
    return api


def _optional_code_engine(settings: VisionSettings) -> Any:
    """The English engine when ``eng.traineddata`` is there; None (codes read by the Korean
    model alone) when it is not: the Korean model is the one the reader needs."""
    from pathlib import Path

    if not (Path(settings.tessdata_path) / "eng.traineddata").is_file():
        return None
    return code_engine(settings)


def _code_only(text: str) -> MarkMatch:
    """A reading that is exactly one Latin code and nothing else (the English model, held to
    the codes' letters, makes "PE" of 페 too: a code among other letters is not taken)."""
    clean = normalise(text)
    if clean in MARK_CODES and clean.isascii():
        return MarkMatch(word=None, code=clean, category=MARK_CODES[clean], score=0.6)
    return MarkMatch(word=None, code=None, category=None, score=0.0)


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


def _read_view(api: Any, view: Image.Image, mode: int) -> str:
    """One picture read in page segmentation ``mode``; the engine is left in PSM 6."""
    from tesserocr import PSM

    api.SetPageSegMode(mode)
    try:
        api.SetImage(view)
        return str(api.GetUTF8Text()).strip()
    finally:
        api.SetPageSegMode(PSM.SINGLE_BLOCK)


def _readings(api: Any, image: Image.Image, codes: Any = None) -> Iterator[tuple[MarkMatch, str]]:
    """Readings of the image, cheapest and most promising first (the caller stops at an exact
    match).

    When the picture is a close-up of a mark (its text lines are large): the cut-out lines in
    the polarity the border suggests, a solid badge's inside inverted, the remaining crops, the
    other polarity and Tesseract's page layout; then crops of mark-like places. When the text
    found is small or missing (a mark on a package photo), the places that look like a mark
    (:func:`~domains.vision.regions.find_marks`) are read first, each crop at its own
    resolution, and the whole picture after them.
    """

    from tesserocr import PSM

    def read(
        lines: list[TextLine], variants: tuple[tuple[str, int], ...], laid_out: bool
    ) -> Iterator[tuple[MarkMatch, str]]:
        for kind, target in variants:
            text = _read_lines(api, lines, kind, target)
            yield match_mark(text), text
        if laid_out:
            text = _read_laid_out(api, lines)
            yield match_mark(text), text

    def small_marks() -> Iterator[tuple[MarkMatch, str]]:
        # Round by round over the likeliest places: the first reading of the second place
        # comes before the fourth reading of the first, which the first place's text rarely
        # needs when it is the mark.
        regions = find_marks(image, limit=2)
        # The cheapest readings of a small mark: its word's area as Tesseract sees it, as a
        # block (PSM 6) or as scattered words (PSM 11, which skips an arrow's stub beside it).
        looks = [(0, None, PSM.SINGLE_BLOCK), (0, WIDE_WORD_AREA, PSM.SPARSE_TEXT)]
        looks += [(1, LOW_WORD_AREA, PSM.SPARSE_TEXT), (1, None, PSM.SINGLE_BLOCK)]
        looks += [(0, TIGHT_WORD_AREA, PSM.SINGLE_BLOCK)]
        for index, area, mode in looks:
            if index < len(regions):
                text = _read_view(api, word_view(image, regions[index], area), mode)
                yield match_mark(text), text
            if index == 0 and area is None and regions and codes is not None:
                text = _read_view(codes, word_view(image, regions[0]), PSM.SINGLE_LINE)
                yield _code_only(text), text
        # The word's own area tells its polarity; a crop's border (a package's edge) may not.
        views = [
            (mark_view(image, region), light_word(image.crop(word_area(region))))
            for region in regions
        ]
        cut = [text_lines(crop, inverted) for crop, inverted in views]
        for lines in cut:
            yield from read(lines, _VARIANTS[:1], laid_out=False)
        for lines in cut:
            yield from read(lines, _VARIANTS[1:2], laid_out=False)
        for crop, inverted in views:
            small_badge = badge_view(crop)
            if small_badge is not None:
                yield from read(text_lines(small_badge, False), _VARIANTS[:1], laid_out=False)
            yield from read(text_lines(crop, not inverted), _VARIANTS[:1], laid_out=False)

    guess = dark_border(image)
    lines = text_lines(image, guess)
    close_up = bool(lines) and not _small(lines, image)
    if not close_up:
        # No mark filling the picture: look for a small one before reading the whole.
        yield from small_marks()
    yield from read(lines, _VARIANTS[:1], laid_out=False)
    if codes is not None and lines:
        codes.SetImage(for_ocr(lines[0].binary, lines[0].height, 32))
        text = str(codes.GetUTF8Text()).strip()
        yield _code_only(text), text
    yield from read(lines, _VARIANTS[1:2], laid_out=False)
    badge = badge_view(image)
    if badge is not None:
        yield from read(text_lines(badge, False), _VARIANTS[:2], laid_out=False)
    yield from read(lines, _VARIANTS[2:], laid_out=False)
    yield from read(text_lines(image, not guess), _VARIANTS[:2], laid_out=True)
    yield from read(lines, (), laid_out=True)
    if close_up:
        yield from small_marks()


def _small(lines: list[TextLine], image: Image.Image) -> bool:
    """Whether the text found is small for the picture (a mark on a package photo, or print
    that is not a mark): glyphs under a thirtieth of the working size."""
    return max(line.height for line in lines) < WORK_SIZE / 30


def _unambiguous(match: MarkMatch) -> bool:
    """An exact reading of a word that is not the start of another stream's word: 종이 may be
    종이팩 with its last letter lost, 페트 유색페트 with its first ones; reading on costs less
    than answering the wrong stream."""
    if match.category is None or match.score < _GOOD_ENOUGH:
        return False
    word = match.word or match.code or ""
    return not any(
        word in longer and category != match.category
        for longer, category in MARK_WORDS.items()
        if longer != word
    )


# Longer than a word and its code with a stray letter or two: the print around a mark (a
# package's text), where some window matches a mark word by chance.
_MAX_MARK_TEXT = 12


def _vote(readings: list[tuple[MarkMatch, str]]) -> tuple[MarkMatch, str]:
    """The category most readings support, weighted by how well each matched; its best reading.

    One reading alone may be a chance match of unrelated text; several independent crops
    agreeing on a category are not.
    """
    readings = [r for r in readings if len(normalise(r[1])) <= _MAX_MARK_TEXT]
    if not readings:
        return MarkMatch(word=None, code=None, category=None, score=0.0), ""
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
    clock = time.thread_time if settings.ocr_budget_clock == "cpu" else time.perf_counter
    deadline = clock() + settings.ocr_budget_ms / 1000
    for match, text in _readings(api, image, _optional_code_engine(settings)):
        readings.append((match, text))
        if _unambiguous(match):
            break  # an exact reading of a mark word: nothing else will beat it
        if clock() > deadline:
            break  # out of time: the readings made so far vote
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
