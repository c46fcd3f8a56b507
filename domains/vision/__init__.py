"""Offline vision for the scan pipeline: validate an upload, read its recycling mark, combine it
with the user's hint.

Nothing here recognises objects: without a pretrained image model the only offline evidence is
the printed recycling mark (read with Tesseract) and what the user typed. When neither says what
the item is, :func:`recognise` asks (``needs_input``) instead of guessing.

Heavy imports (Tesseract, numpy, scipy: the ``ocr`` extra) load only with
:mod:`domains.vision.ocr`. Without them, or without Tesseract's Korean model, :func:`recognise`
goes by the hint alone; :func:`ocr_available` says whether OCR runs, and why not.
"""

from domains.vision.availability import ocr_available
from domains.vision.exceptions import VisionError
from domains.vision.recognise import Recognition, recognise

__all__ = ["Recognition", "VisionError", "ocr_available", "recognise"]
