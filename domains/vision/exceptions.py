"""The vision package's errors: one base carrying a machine code and the HTTP status it maps to."""

from __future__ import annotations


class VisionError(Exception):
    """Base of every error raised by ``domains.vision``.

    ``code`` is stable and machine-readable (clients branch on it); ``status`` is the HTTP status
    the edge answers with, so the mapping lives beside the error instead of in every handler.
    """

    code: str = "vision_error"
    status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TessdataMissing(VisionError):
    """Tesseract's Korean model is not installed where settings say."""

    code = "ocr_unavailable"
    status = 503
