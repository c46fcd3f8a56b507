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
from scipy.spatial import ConvexHull, QhullError

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
    # Only the frame's own components are opened (a bold glyph elsewhere is as thick as an
    # arrow), so the distance transforms run on the frame's box alone, not the whole picture.
    rows, cols = np.nonzero(frame_drawn)
    pad = int(radius) + 2
    box = (
        slice(max(0, rows.min() - pad), rows.max() + 1 + pad),
        slice(max(0, cols.min() - pad), cols.max() + 1 + pad),
    )
    core = ndi.distance_transform_edt(frame_drawn[box]) >= radius
    thick = np.zeros_like(frame_drawn)
    thick[box] = (ndi.distance_transform_edt(~core) <= radius) & frame_drawn[box]
    return thick, frame_drawn


def deskew_angle(frame: np.ndarray) -> float:
    """Degrees to rotate (counter-clockwise) so the frame's straight edges run horizontally."""
    # The frame's pixels on a 200 x 200 grid; each angle's row profile is a histogram of the
    # rotated points' rows (cheaper than rotating an image per angle).
    points = np.argwhere(frame).astype(np.float64)
    scale = np.array([200.0 / frame.shape[0], 200.0 / frame.shape[1]])
    y, x = ((points + 0.5) * scale - 100.0).T

    def sharpness(angle: float) -> float:
        theta = np.deg2rad(angle)
        # Row after a counter-clockwise turn (Image.rotate's sense) about the centre.
        rows = np.floor(100.0 - x * np.sin(theta) + y * np.cos(theta))
        cols = 100.0 + x * np.cos(theta) + y * np.sin(theta)
        # Ink turned out of the square is lost, as it is when an image is rotated.
        kept = (rows >= 0) & (rows < 200) & (cols >= 0) & (cols < 200)
        return float((np.bincount(rows[kept].astype(np.int64), minlength=200) ** 2).sum())

    best = max(np.arange(-16.0, 16.5, 2.0), key=sharpness)
    return float(max(np.arange(best - 1.5, best + 1.6, 0.5), key=sharpness))


def _inside_hull(points: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Which points lie inside the convex hull of the frame's ink.

    Tested against the hull's facet equations (each ``normal·p + offset <= 0`` inside): SciPy's
    ``Delaunay.find_simplex`` costs more per call than a Tesseract read (bench/RESULTS.md).
    """
    ink = np.argwhere(frame)
    ink = ink[:: max(1, len(ink) // 3000)]
    try:
        equations = ConvexHull(ink).equations
    except (QhullError, ValueError, IndexError):
        return np.ones(len(points), dtype=bool)
    return np.all(points @ equations[:, :2].T + equations[:, 2] <= 1e-6, axis=1)


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
