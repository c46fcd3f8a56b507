"""The vision stage's answer: what the mark says, what the user said, or a question back.

Offline there is no image model, so the evidence is the recycling mark (OCR) and the user's hint.
This module only combines them; the hint's own classification is the rule stage's job. When
neither says anything, the result asks the user (``needs_input``) instead of guessing.

Where OCR cannot run (a plain install without the ``ocr`` extra, or no Tesseract model:
:func:`domains.vision.ocr_available`), the hint is the only evidence: a hinted scan is
recognised from it, one without a hint asks. This module imports no OCR library itself.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domains.vision.availability import ocr_available
from domains.vision.marks import MarkReading
from domains.vision.settings import VisionSettings
from domains.vision.validation import validate_image

log = logging.getLogger("domains.vision")
_told: set[str] = set()  # the reasons OCR is off that were logged already

QUESTION = (
    "사진만으로는 품목을 알아보기 어려워요. 어떤 물건인지 알려주시겠어요? "
    "(예: 투명 생수병, 라면 봉지)"
)
# A mark read below this confidence is reported but does not identify the item by itself.
MIN_MARK_CONFIDENCE = 0.72


class Recognition(BaseModel):
    """The vision stage's result; ``source`` and ``text`` feed the rule stage."""

    model_config = ConfigDict(frozen=True)

    item: str | None = Field(None, description="Short item description: the hint, else the mark.")
    text: str = Field("", description="Hint and mark words together, the rule stage's input.")
    marks: list[str] = Field(default_factory=list, description="Mark word and code read.")
    source: Literal["ocr", "hint", "ocr+hint", "none"] = "none"
    category_hint: str | None = Field(None, description="Category the mark implies, if any.")
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    needs_input: bool = False
    question: str | None = None


def combine(reading: MarkReading, hint: str | None) -> Recognition:
    """Merge an OCR reading and a hint (pure: no OCR here, easy to test)."""
    hint = (hint or "").strip() or None
    mark_ok = reading.category is not None and reading.confidence >= MIN_MARK_CONFIDENCE
    if not mark_ok and hint is None:
        return Recognition(needs_input=True, question=QUESTION)
    marks = reading.words if mark_ok else []
    mark_text = f"분리배출 표시: {reading.mark}" if mark_ok and reading.mark else ""
    source: Literal["ocr", "hint", "ocr+hint"] = (
        "ocr+hint" if mark_ok and hint else "ocr" if mark_ok else "hint"
    )
    return Recognition(
        item=hint or reading.mark,
        text=" ".join(part for part in (hint, mark_text) if part),
        marks=marks,
        source=source,
        category_hint=reading.category if mark_ok else None,
        # A hint is the user's own word: trusted as much as an exact mark reading.
        confidence=max(reading.confidence if mark_ok else 0.0, 0.9 if hint else 0.0),
    )


def recognise(
    image_bytes: bytes, hint: str | None = None, *, settings: VisionSettings | None = None
) -> Recognition:
    """Validate and read ``image_bytes``, then combine with ``hint``.

    Raises :class:`~domains.vision.validation.InvalidImage` for a bad upload (the caller answers
    4xx and creates no job). Without OCR the image is validated, not read: the hint decides.
    """
    settings = settings or VisionSettings()
    available, reason = ocr_available(settings)
    if not available:
        if reason not in _told:
            _told.add(reason)
            log.warning("OCR is off (%s): vision goes by the user's hint alone", reason)
        validate_image(
            image_bytes, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
        )
        return combine(MarkReading(), hint)
    from domains.vision.ocr import read_mark  # tesserocr, numpy, scipy: only when OCR runs

    return combine(read_mark(image_bytes, settings=settings), hint)
