"""Where a recycling mark sits in a larger photo, and a solid badge's inside: the views the
OCR reads besides the whole image (``domains.vision.ocr``)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from domains.vision.locate import _EIGHT, WORK_SIZE, _otsu, ink_mask


def mark_regions(image: Image.Image, limit: int = 3) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom, in ``image`` pixels) that may hold a small mark.

    A mark photographed on a package is a small part of the picture, too small for
    :func:`find_frame`. Its arrows (or its solid badge) are one or a few ink blobs of a roughly
    square extent, a twentieth to a half of the picture's short side, neither a thin line nor a
    filled rectangle. Candidates in both polarities, largest first, each with a margin.
    """
    grey = image.convert("L")
    scale = WORK_SIZE / max(grey.size)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    arr = np.asarray(grey.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)
    short = min(arr.shape)
    found: list[tuple[float, tuple[int, int, int, int]]] = []
    for work in (arr, 255.0 - arr):
        mask = ink_mask(work)
        # Close small gaps so the three arrows of one mark join into one blob.
        joined = ndi.binary_closing(mask, structure=_EIGHT, iterations=3)
        labels, _ = ndi.label(joined, structure=_EIGHT)
        for index, box in enumerate(ndi.find_objects(labels)):
            if box is None:
                continue
            height, width = box[0].stop - box[0].start, box[1].stop - box[1].start
            side = max(height, width)
            if not 0.08 * short <= side <= 0.6 * short or not 0.7 <= width / max(1, height) <= 1.5:
                continue
            fill = float((labels[box] == index + 1).mean())
            if not 0.08 <= fill <= 0.75:
                continue
            margin = 0.15 * side
            y0, y1 = box[0].start - margin, box[0].stop + margin
            x0, x1 = box[1].start - margin, box[1].stop + margin
            found.append(
                (
                    side,
                    (
                        max(0, int(x0 / scale)),
                        max(0, int(y0 / scale)),
                        min(image.width, int(x1 / scale) + 1),
                        min(image.height, int(y1 / scale) + 1),
                    ),
                )
            )
    found.sort(key=lambda item: item[0], reverse=True)
    boxes: list[tuple[int, int, int, int]] = []
    for _, region in found:
        # Skip a box mostly inside one already kept (the same mark in the other polarity).
        if any(_overlap(region, kept) > 0.6 for kept in boxes):
            continue
        boxes.append(region)
        if len(boxes) == limit:
            break
    return boxes


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(1, smaller)


def badge_view(image: Image.Image) -> Image.Image | None:
    """A solid badge's inside turned into dark print on white, or None without a badge.

    Some marks are a filled triangle with the arrows and the word knocked out in the label's
    colour. Neither polarity of the whole picture shows that as a frame with text inside; with
    only the badge's inside kept, and inverted, it does.
    """
    grey = image.convert("L")
    scale = WORK_SIZE / max(grey.size)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    arr = np.asarray(grey.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)
    for work in (arr, 255.0 - arr):
        dark = work < _otsu(work)
        labels, _ = ndi.label(dark, structure=_EIGHT)
        if labels.max() == 0:
            continue
        areas = np.bincount(labels.ravel())
        areas[0] = 0
        biggest = int(np.argmax(areas))
        blob = labels == biggest
        rows, cols = np.nonzero(blob)
        y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        if y0 == 0 or x0 == 0 or y1 == blob.shape[0] or x1 == blob.shape[1]:
            continue  # the background itself, not a badge printed on it
        filled = ndi.binary_fill_holes(blob)
        share = filled.sum() / blob.size
        solid = blob.sum() / max(1, filled.sum())
        if share < 0.02 or solid < 0.5:
            continue
        inside = filled & ~ndi.binary_erosion(filled, iterations=2)  # keep the edge out
        view = np.full_like(work, 255.0)
        core = filled & ~inside
        low, high = float(np.percentile(work[core], 5)), float(np.percentile(work[core], 95))
        view[core] = 255.0 - np.clip((work[core] - low) / max(1.0, high - low) * 255.0, 0, 255)
        crop = view[y0:y1, x0:x1]
        pad = max(8, (y1 - y0) // 10)
        return Image.fromarray(np.pad(crop, pad, constant_values=255).astype(np.uint8))
    return None
