"""Offline vision: where Tesseract's Korean model is, what an upload may be (``ECO2_VISION__*``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class VisionSettings(BaseModel):
    """Offline vision: where Tesseract's Korean model is and what an upload may be."""

    tessdata_path: str = Field(
        "/usr/share/tesseract-ocr/5/tessdata/",
        description="Directory holding kor.traineddata (Debian package tesseract-ocr-kor).",
    )
    languages: str = Field("kor", description="Tesseract languages; kor reads PP/PE/PS too.")
    max_image_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest accepted upload.")
    max_image_pixels: int = Field(
        50_000_000, ge=1, description="Larger images are refused as decompression bombs."
    )
    # 128 MiB of photos is ~3x that in a cloud request (base64, the JSON body): it stays
    # inside the vision pod's 1Gi limit (keda/*/vision.yaml) with the process itself.
    inflight_image_mb: int = Field(
        128,
        ge=1,
        description="Image MiB a vision worker holds at once (domains/image/budget.py); "
        "scans past it wait for their turn.",
    )
    ocr_budget_ms: int = Field(
        800,
        ge=50,
        description="Time one image's OCR may take: readings stop after it and the ones made "
        "vote (a hard image ends unread rather than holding a worker thread).",
    )
    ocr_budget_clock: Literal["wall", "cpu"] = Field(
        "wall",
        description="What the OCR budget counts: wall time (a worker's latency), or the "
        "reading thread's CPU time (evaluations on a shared machine, where waiting for a core "
        "would otherwise cut readings short).",
    )
    fonts_dir: str = Field(
        "/usr/share/fonts/truetype/nanum", description="Korean fonts for rendered sample marks."
    )
