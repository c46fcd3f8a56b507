"""Find the text inside a recycling mark and cut it out clean, one line at a time.

Tesseract's line finder breaks on the arrow triangle: its thick slanted strokes look like
glyphs, and a word touching an arrow becomes one blob with it. So before OCR:

1. Grey, resized to a working size, ink made dark on light whatever the print's colours
   (the background is whatever fills the image border).
2. Ink by a local-mean threshold, robust to gradients and textured labels.
3. The frame: the large connected components (arrows or outline). Their stroke width is measured
   (2·area/perimeter) and a morphological opening with that width keeps only frame-thick ink,
   which also peels a touching glyph off the arrow it runs into.
4. Deskew: the rotation that makes the frame's base edge horizontal (a projection profile over
   ±16°) — marks on bottles are photographed tilted.
5. Text: the remaining components inside the frame's convex hull, grouped into lines; small
   arrow-tip fragments and barcodes are dropped by size and position.

Each line comes back twice — as a clean binary (only text pixels) and as contrast-stretched grey
— scaled to a glyph height Tesseract reads well; :mod:`domains.vision.ocr` tries both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from scipy.spatial import ConvexHull, Delaunay, QhullError

WORK_SIZE = 600  # longest side while analysing; small photos are upscaled to it
_EIGHT = np.ones((3, 3), dtype=bool)
_MIN_AREA = 15  # components smaller than this are noise specks


@dataclass(frozen=True)
class Component:
    y0: int
    y1: int
    x0: int
    x1: int
    area: int
    label: int


@dataclass(frozen=True)
class TextLine:
    """One line of text cut out of the mark, black on white, before scaling for OCR."""

    binary: np.ndarray  # uint8, 0 ink / 255 paper, only the line's text pixels
    grey: np.ndarray  # uint8, contrast-stretched grey around the same pixels
    height: int  # glyph height in working pixels


def to_work_grey(image: Image.Image, invert: bool | None = None) -> np.ndarray:
    """Grey float array, longest side :data:`WORK_SIZE`, ink darker than the background.

    ``invert`` None guesses the polarity from the border; True/False forces it (light text in a
    solid dark badge on a light label has a light border, yet its text is the light part).
    """
    grey = image.convert("L")
    scale = WORK_SIZE / max(grey.size)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    arr = np.asarray(grey.resize(size, Image.Resampling.BICUBIC), dtype=np.float32)
    if invert is None:
        border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
        invert = bool(np.median(border) < _otsu(arr))  # light print on a dark label
    if invert:
        arr = 255.0 - arr
    return arr


def _otsu(arr: np.ndarray) -> float:
    hist, _ = np.histogram(arr, bins=256, range=(0, 256))
    p = hist / max(1, hist.sum())
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    between = (mu[-1] * omega - mu) ** 2 / (omega * (1 - omega) + 1e-9)
    return float(np.argmax(between))


def dark_border(image: Image.Image) -> bool:
    """Whether the image's border is darker than its ink split: light print on a dark label."""
    grey = image.convert("L")
    grey.thumbnail((200, 200))
    arr = np.asarray(grey, dtype=np.float32)
    border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    return bool(np.median(border) < _otsu(arr))


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Pixels clearly darker than their neighbourhood and on the dark side of Otsu's split."""
    local = ndi.uniform_filter(grey, size=61)
    return (grey < local - 12) & (grey < _otsu(grey) + 20)


def _components(mask: np.ndarray) -> tuple[np.ndarray, list[Component]]:
    labels, _ = ndi.label(mask, structure=_EIGHT)
    areas = np.bincount(labels.ravel())
    comps = [
        Component(s[0].start, s[0].stop, s[1].start, s[1].stop, int(areas[i + 1]), i + 1)
        for i, s in enumerate(ndi.find_objects(labels))
        if s is not None and areas[i + 1] >= _MIN_AREA
    ]
    return labels, comps


def find_frame(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(frame-thick ink, the frame's components as drawn), or None when nothing is frame-sized.

    The frame is the set of components whose bounding box spans a fifth of the image, that do
    not touch the border, and are at least half the diagonal of the largest one — that drops
    barcodes and label edges.
    """
    labels, comps = _components(mask)
    height, width = mask.shape
    big = [
        c
        for c in comps
        if (c.y1 - c.y0 > 0.2 * height or c.x1 - c.x0 > 0.2 * width)
        # Ink touching the border is a label edge or shadow, not a mark printed on the item.
        and c.y0 > 0
        and c.x0 > 0
        and c.y1 < height
        and c.x1 < width
    ]
    if not big:
        return None
    diagonal = {c.label: np.hypot(c.y1 - c.y0, c.x1 - c.x0) for c in big}
    longest = max(diagonal.values())
    frame_drawn = np.isin(labels, [c.label for c in big if diagonal[c.label] >= 0.5 * longest])
    perimeter = frame_drawn & ~ndi.binary_erosion(frame_drawn)
    stroke = 2.0 * frame_drawn.sum() / max(1, perimeter.sum())
    radius = max(2.0, 0.375 * stroke)  # opening radius: thinner than the frame, thicker than text
    core = ndi.distance_transform_edt(mask) >= radius
    # Only the frame's own components are opened: a bold glyph elsewhere is as thick as an arrow.
    thick = (ndi.distance_transform_edt(~core) <= radius) & frame_drawn
    return thick, frame_drawn


def deskew_angle(frame: np.ndarray) -> float:
    """Degrees to rotate (counter-clockwise) so the frame's straight edges run horizontally."""
    small = Image.fromarray(frame.astype(np.uint8) * 255).resize(
        (200, 200), Image.Resampling.BILINEAR
    )

    def sharpness(angle: float) -> float:
        rotated = np.asarray(small.rotate(angle, resample=Image.Resampling.BILINEAR), np.float32)
        return float((rotated.sum(axis=1) ** 2).sum())

    best = max(np.arange(-16.0, 16.5, 2.0), key=sharpness)
    return float(max(np.arange(best - 1.5, best + 1.6, 0.5), key=sharpness))


def _inside_hull(points: np.ndarray, frame: np.ndarray) -> np.ndarray:
    ink = np.argwhere(frame)
    ink = ink[:: max(1, len(ink) // 3000)]
    try:
        hull = Delaunay(ink[ConvexHull(ink).vertices])
    except (QhullError, ValueError, IndexError):
        return np.ones(len(points), dtype=bool)
    return hull.find_simplex(points) >= 0


def _group_lines(comps: list[Component]) -> list[list[Component]]:
    """Greedy lines: start from the biggest component, absorb neighbours sharing its rows."""
    rest = sorted(comps, key=lambda c: c.area, reverse=True)
    lines = []
    while rest:
        group = [rest.pop(0)]
        grown = True
        while grown:
            grown = False
            y0, y1 = min(c.y0 for c in group), max(c.y1 for c in group)
            x0, x1 = min(c.x0 for c in group), max(c.x1 for c in group)
            for comp in list(rest):
                overlap = min(y1, comp.y1) - max(y0, comp.y0)
                gap = max(comp.x0 - x1, x0 - comp.x1, 0)
                if overlap >= 0.3 * (comp.y1 - comp.y0) and gap <= 1.2 * (y1 - y0):
                    group.append(comp)
                    rest.remove(comp)
                    grown = True
        lines.append(group)
    return lines


def _box(line: list[Component]) -> tuple[int, int, int, int, int]:
    return (
        min(c.y0 for c in line),
        max(c.y1 for c in line),
        min(c.x0 for c in line),
        max(c.x1 for c in line),
        sum(c.area for c in line),
    )


def _merge_stacked(lines: list[list[Component]]) -> list[list[Component]]:
    """Join a row of final consonants (받침) to the syllables above it: they share no rows."""
    merged = True
    while merged:
        merged = False
        for i, upper in enumerate(lines):
            uy0, uy1, ux0, ux1, _ = _box(upper)
            for j, lower in enumerate(lines):
                ly0, ly1, lx0, lx1, _ = _box(lower)
                gap = ly0 - uy1
                tall = max(uy1 - uy0, ly1 - ly0)
                if (
                    i != j
                    and ly0 > uy0 + 0.3 * (uy1 - uy0)
                    and gap <= 0.25 * tall
                    and ux0 - tall / 2 <= lx0
                    and (lx1 <= ux1 + tall / 2)
                ):
                    lines[i] = upper + lower
                    del lines[j]
                    merged = True
                    break
            if merged:
                break
    return lines


def _is_barcode(line: list[Component]) -> bool:
    bars = [c for c in line if c.y1 - c.y0 >= 3 * (c.x1 - c.x0)]
    return len(bars) >= 5 and len(bars) >= 0.6 * len(line)


def _keep_lines(lines: list[list[Component]]) -> list[list[Component]]:
    """Lines with real text: not much smaller than the largest line and stacked with it."""
    lines = [line for line in _merge_stacked(lines) if not _is_barcode(line)]
    if not lines:
        return []
    boxes = [_box(line) for line in lines]
    main = max(range(len(lines)), key=lambda i: boxes[i][4])
    my0, my1, mx0, mx1, marea = boxes[main]
    kept = []
    for line, (y0, y1, x0, x1, area) in zip(lines, boxes, strict=True):
        centre = (x0 + x1) / 2
        # A code line may be taller than a word squeezed into the triangle's narrow part.
        stacked = max(y0 - my1, my0 - y1) <= 1.6 * max(my1 - my0, y1 - y0) and (
            mx0 - (my1 - my0) <= centre <= mx1 + (my1 - my0)
        )
        if area >= 0.08 * marea and y1 - y0 >= 0.3 * (my1 - my0) and stacked:
            kept.append((y0, line))
    return [line for _, line in sorted(kept, key=lambda item: item[0])][:3]


def text_lines(image: Image.Image, invert: bool | None = None) -> list[TextLine]:
    """The text lines inside the mark, top to bottom; empty when the image shows no text.

    ``invert``: see :func:`to_work_grey`.
    """
    grey = to_work_grey(image, invert)
    mask = ink_mask(grey)
    frame = find_frame(mask)
    if frame is not None:
        angle = deskew_angle(frame[1])
        if abs(angle) >= 0.5:
            fill = float(np.median(grey))
            rotated = Image.fromarray(grey.astype(np.uint8)).rotate(
                angle, resample=Image.Resampling.BICUBIC, fillcolor=int(fill)
            )
            grey = np.asarray(rotated, dtype=np.float32)
            mask = ink_mask(grey)
            frame = find_frame(mask)
    text = mask if frame is None else mask & ~ndi.binary_dilation(frame[0], iterations=2)
    labels, comps = _components(text)
    if frame is not None and comps:
        centres = np.array([[(c.y0 + c.y1) / 2, (c.x0 + c.x1) / 2] for c in comps])
        comps = [
            c for c, inside in zip(comps, _inside_hull(centres, frame[0]), strict=True) if inside
        ]
    if not comps:
        return []
    background = float(np.median(grey[~mask])) if (~mask).any() else 255.0
    out = []
    for line in _keep_lines(_group_lines(comps)):
        pixels = np.isin(labels, [c.label for c in line])
        y0, y1 = min(c.y0 for c in line), max(c.y1 for c in line)
        x0, x1 = min(c.x0 for c in line), max(c.x1 for c in line)
        ink = float(np.median(grey[pixels]))
        stretched = np.clip((grey[y0:y1, x0:x1] - ink) / max(1.0, background - ink) * 255, 0, 255)
        near = ndi.binary_dilation(pixels, iterations=2)[y0:y1, x0:x1]
        out.append(
            TextLine(
                binary=np.where(pixels[y0:y1, x0:x1], 0, 255).astype(np.uint8),
                grey=np.where(near, stretched, 255).astype(np.uint8),
                height=y1 - y0,
            )
        )
    return out


def for_ocr(pixels: np.ndarray, height: int, target: int, pad: int = 16) -> Image.Image:
    """A line image scaled so its glyphs are ``target`` pixels tall, on a white margin."""
    image = Image.fromarray(pixels)
    scale = target / max(1, height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    image = image.resize(size, Image.Resampling.LANCZOS)
    canvas = Image.new("L", (image.width + 2 * pad, image.height + 2 * pad), 255)
    canvas.paste(image, (pad, pad))
    return canvas


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
