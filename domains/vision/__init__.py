"""Offline vision for the scan pipeline: validate an upload, read its recycling mark, combine it
with the user's hint.

Nothing here recognises objects: without a pretrained image model the only offline evidence is
the printed recycling mark (read with Tesseract) and what the user typed. When neither says what
the item is, :func:`recognise` asks (``needs_input``) instead of guessing.

Heavy imports (Tesseract, scipy) load only with :mod:`domains.vision.ocr`.
"""

from domains.vision.exceptions import VisionError

__all__ = ["VisionError"]
