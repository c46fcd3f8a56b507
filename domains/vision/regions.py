"""Where a recycling mark sits in a larger photo, and a solid badge's inside: the views the
OCR reads besides the whole image (``domains.vision.ocr``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from scipy import ndimage as ndi
from scipy.spatial import ConvexHull, QhullError

from domains.vision.locate import _EIGHT, WORK_SIZE, _otsu

# Longest side the mark finder looks at: a mark a tenth of a 1,300 px photo stays ~60 px wide,
# its arrows' strokes a few pixels, while the image is a fraction of the original's pixels.
FIND_SIZE = 800
_GROW = 1.25


@dataclass(frozen=True)
class MarkRegion:
    """A place in a photo that looks like a recycling mark."""

    box: tuple[int, int, int, int]  # left, top, right, bottom in the image's pixels
    score: float  # triangle fit, a bonus when something sits inside it (the word), size
    side: float  # the box's longest side over the image's short side
    light: bool  # the arrows are lighter than what is around them (light print on dark)
    arrows: tuple[int, int, int, int]  # the arrows' own box, without the margin
    # The arrows' triangle, (x, y) corners in the image's pixels; empty when not measured.
    triangle: tuple[tuple[float, float], ...] = ()


def _largest_triangle(points: np.ndarray) -> tuple[float, float, np.ndarray | None]:
    """(hull area, area of the largest triangle on the hull's vertices, that triangle)."""
    try:
        hull = ConvexHull(points)
    except (QhullError, ValueError):
        return 0.0, 0.0, None
    vertices = points[hull.vertices]
    if len(vertices) > 30:  # every triple is scored at once: keep the count of triples small
        vertices = vertices[np.linspace(0, len(vertices) - 1, 30).astype(int)]
    triples = np.array(list(itertools.combinations(range(len(vertices)), 3)))
    a, b, c = (vertices[triples[:, k]] for k in range(3))
    areas = 0.5 * np.abs(
        (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    )
    best = int(np.argmax(areas))
    return float(hull.volume), float(areas[best]), np.stack([a[best], b[best], c[best]])


def _in_triangle(points: np.ndarray, triangle: np.ndarray) -> np.ndarray:
    """Which points lie inside ``triangle`` (three (row, col) vertices)."""
    signs = []
    for k in range(3):
        p, q = triangle[k], triangle[(k + 1) % 3]
        signs.append((q[0] - p[0]) * (points[:, 1] - p[1]) - (q[1] - p[1]) * (points[:, 0] - p[0]))
    s = np.stack(signs)
    return np.all(s >= 0, axis=0) | np.all(s <= 0, axis=0)


_Comp = tuple[int, int, int, int, int, int]  # label, y0, y1, x0, x1, longest side


def _near(a: _Comp, b: _Comp) -> bool:
    """Similar in size and close: arrows of one mark (a chasing mark's three arrows have gaps)."""
    if max(a[5], b[5]) > 2.0 * min(a[5], b[5]):
        return False
    gap = 0.3 * max(a[5], b[5])
    return a[1] - gap < b[2] and b[1] - gap < a[2] and a[3] - gap < b[4] and b[3] - gap < a[4]


def _fit(outlines: list[np.ndarray]) -> tuple[float, np.ndarray | None]:
    """How much of the ink's convex hull its largest inscribed triangle covers, and that
    triangle: 1 for a triangle, under 0.5 for a rectangle, a circle or a barcode."""
    hull_area, triangle_area, triangle = _largest_triangle(np.concatenate(outlines))
    return (triangle_area / hull_area if hull_area > 0 else 0.0), triangle


def _groups(comps: list[_Comp], outlines: dict[int, np.ndarray]) -> list[tuple[list[int], float]]:
    """Groups of components that may be one mark's arrows, each with its triangle fit.

    Each component starts a group with its near neighbours; a neighbour whose removal makes the
    group clearly more triangular (a barcode bar, a label's edge, a glyph beside the mark)
    is dropped, one at a time. Chaining neighbours of neighbours would join a mark to the
    barcode and the label printed next to it.
    """
    seen: set[tuple[int, ...]] = set()
    out = []
    for i, seed in enumerate(comps):
        near = sorted(
            (j for j, other in enumerate(comps) if j != i and _near(seed, other)),
            key=lambda j: -comps[j][5],
        )
        members = [i, *near[:5]]
        fit, _ = _fit([outlines[comps[j][0]] for j in members])
        while len(members) > 1:
            trials = [
                (_fit([outlines[comps[j][0]] for j in members if j != drop])[0], drop)
                for drop in members[1:]
            ]
            best, drop = max(trials)
            if best < fit + 0.03:
                break
            members.remove(drop)
            fit = best
        key = tuple(sorted(members))
        if key not in seen:
            seen.add(key)
            out.append((list(key), fit))
    return out


def find_marks(image: Image.Image, limit: int = 3) -> list[MarkRegion]:
    """Places that look like a recycling mark, the likeliest first.

    The arrows of a mark (one continuous outline, three chasing arrows, or a solid badge) form
    a triangle: the largest triangle on their convex hull covers most of the hull, where a
    glyph, a circle, a barcode or a rectangle covers half of it or less. Ink inside that
    triangle but not part of the arrows (the word; for a badge, the knocked-out word's holes)
    adds to the score. Both polarities are looked at; boxes come with a margin.
    """
    grey = image.convert("L")
    scale = FIND_SIZE / max(grey.size)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    arr = np.asarray(grey.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)
    short = min(arr.shape)
    found: list[MarkRegion] = []
    for work in (arr, 255.0 - arr):
        mask = work < ndi.uniform_filter(work, size=61) - 12
        labels, _ = ndi.label(mask, structure=_EIGHT)
        areas = np.bincount(labels.ravel())
        comps: list[_Comp] = []
        outlines: dict[int, np.ndarray] = {}
        for index, box in enumerate(ndi.find_objects(labels)):
            if box is None:
                continue
            height, width = box[0].stop - box[0].start, box[1].stop - box[1].start
            side = max(height, width)
            area = areas[index + 1]
            # An arrow is at least a twenty-fifth of the short side; smaller ink is print.
            # A solid straight bar (barcode, rule) is no arrow.
            if not 0.04 * short <= side <= 0.6 * short or area < 0.02 * side * side:
                continue
            if area >= 0.7 * height * width and side >= 2.5 * min(height, width):
                continue
            blob = labels[box] == index + 1
            edge = np.argwhere(blob & ~ndi.binary_erosion(blob)).astype(np.float64)
            edge = edge[:: max(1, len(edge) // 120)] + np.array([box[0].start, box[1].start])
            outlines[index + 1] = edge
            comps.append((index + 1, box[0].start, box[0].stop, box[1].start, box[1].stop, side))
        scored = []
        for members, fit in _groups(comps, outlines):
            group = [comps[i] for i in members]
            y0, y1 = min(c[1] for c in group), max(c[2] for c in group)
            x0, x1 = min(c[3] for c in group), max(c[4] for c in group)
            height, width = y1 - y0, x1 - x0
            if 0.05 * short <= max(height, width) <= 0.7 * short and 0.6 <= width / height <= 1.7:
                scored.append((fit, group, (y0, y1, x0, x1)))
        scored.sort(key=lambda item: item[0], reverse=True)
        for fit, group, (y0, y1, x0, x1) in scored[: 2 * limit]:
            side = max(y1 - y0, x1 - x0)
            bonus, triangle = _inside_bonus(labels, mask, group, (y0, y1, x0, x1))
            corners: tuple[tuple[float, float], ...] = ()
            if triangle is not None:
                corners = tuple(
                    (float((x0 + col) / scale), float((y0 + row) / scale)) for row, col in triangle
                )
            found.append(
                MarkRegion(
                    box=_with_margin((x0, y0, x1, y1), 0.15 * side, scale, image.size),
                    arrows=_with_margin((x0, y0, x1, y1), 0, scale, image.size),
                    # A mark small enough to be a glyph's piece is likelier a glyph: the word
                    # in a mark must be legible, so the mark is not tiny.
                    score=round(fit + bonus + 1.5 * min(side / short, 0.2), 3),
                    side=side / short,
                    light=work is not arr,
                    triangle=corners,
                )
            )
    found.sort(key=lambda region: region.score, reverse=True)
    kept: list[MarkRegion] = []
    for region in found:
        # The same mark in the other polarity (its inside, or a label patch around it).
        if any(_overlap(region.box, other.box) > 0.6 for other in kept):
            continue
        kept.append(region)
        if len(kept) == limit:
            break
    return kept


def _with_margin(
    box: tuple[int, int, int, int], margin: float, scale: float, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (
        max(0, int((x0 - margin) / scale)),
        max(0, int((y0 - margin) / scale)),
        min(size[0], int((x1 + margin) / scale) + 1),
        min(size[1], int((y1 + margin) / scale) + 1),
    )


def _inside_bonus(
    labels: np.ndarray, mask: np.ndarray, group: list[_Comp], box: tuple[int, int, int, int]
) -> tuple[float, np.ndarray | None]:
    """0.2 when the middle of the group's triangle holds a word: other ink amid arrows, or for
    a solid badge, holes (the knocked-out word) in its own ink; and the triangle ((row, col)
    corners inside ``box``)."""
    y0, y1, x0, x1 = box
    blob = np.isin(labels[y0:y1, x0:x1], [c[0] for c in group])
    edge = np.argwhere(blob & ~ndi.binary_erosion(blob)).astype(np.float64)
    _, triangle = _fit([edge[:: max(1, len(edge) // 500)]])
    if triangle is None:
        return 0.0, None
    centre = triangle.mean(axis=0)
    inner = centre + 0.5 * (triangle - centre)  # the word sits in the middle half
    rows, cols = np.indices(blob.shape)
    middle = _in_triangle(np.stack([rows.ravel(), cols.ravel()], axis=1), inner)
    if not middle.any():
        return 0.0, triangle
    arrows = float(blob.ravel()[middle].mean())
    other = float((mask[y0:y1, x0:x1] & ~blob).ravel()[middle].mean())
    word_inside = 0.03 <= other <= 0.6 and arrows <= 0.3
    badge = arrows >= 0.4 and 0.05 <= 1 - arrows <= 0.6
    return (0.2 if word_inside or badge else 0.0), triangle


# Where the word sits in a mark's box (left, right, top, bottom as shares of the box): the
# middle of the triangle's lower part, between the side arrows and above the base arrow.
_WORD_AREA = (0.2, 0.8, 0.4, 0.95)
# Other looks, for a word set higher, lower or wider than most (a second line, a long word).
WIDE_WORD_AREA = (0.15, 0.85, 0.35, 0.97)
LOW_WORD_AREA = (0.2, 0.8, 0.5, 1.0)
TIGHT_WORD_AREA = (0.25, 0.75, 0.45, 0.9)


def light_word(area: Image.Image) -> bool:
    """Whether the print in a word's area is light: the background is most of the area, so
    the area's median falls on the background's side of its ink split. The arrows' polarity
    does not tell: the paper inside an outlined triangle is itself a triangle with holes."""
    arr = np.asarray(area.convert("L"), dtype=np.float32)
    return bool(np.median(arr) < _otsu(arr))


def word_area(
    region: MarkRegion, area: tuple[float, float, float, float] | None = None
) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) of ``area`` (:data:`_WORD_AREA` by default) in the
    region's arrows."""
    x0, y0, x1, y1 = region.arrows
    width, tall = x1 - x0, y1 - y0
    left, right, top, bottom = area or _WORD_AREA
    return (
        int(x0 + left * width),
        int(y0 + top * tall),
        max(int(x0 + left * width) + 1, int(x0 + right * width)),
        max(int(y0 + top * tall) + 1, int(y0 + bottom * tall)),
    )


def word_view(
    image: Image.Image, region: MarkRegion, area: tuple[float, float, float, float] | None = None
) -> Image.Image:
    """The middle of the region's triangle, where the word is (``area``, shares of the arrows'
    box; :data:`_WORD_AREA` by default), as dark print on light grey, stretched and 90 px tall:
    enough for Tesseract on its own, without cutting the arrows away first
    (:func:`~domains.vision.locate.text_lines`), which a small mark's few pixels often defeat."""
    crop = image.convert("L").crop(word_area(region, area))
    if light_word(crop):
        crop = ImageOps.invert(crop)
    crop = ImageOps.autocontrast(crop, cutoff=2)
    scale = 90 / crop.height
    return crop.resize((max(1, round(crop.width * scale)), 90), Image.Resampling.BICUBIC)


def mark_view(image: Image.Image, region: MarkRegion) -> Image.Image:
    """The region's crop with everything outside the arrows' triangle (enlarged by a quarter,
    so rounded corners and arrow heads stay) painted in the colour around the mark.

    A crop of a package photo brings the label's edge, a barcode or the package's border with
    it; at the crop's border they look like a dark background (the wrong polarity) or a frame.
    """
    crop = image.crop(region.box)
    if not region.triangle:
        return crop
    corners = np.array(region.triangle) - (region.box[0], region.box[1])
    centre = corners.mean(axis=0)
    outline = centre + _GROW * (corners - centre)
    keep = Image.new("L", crop.size, 0)
    ImageDraw.Draw(keep).polygon([(float(x), float(y)) for x, y in outline], fill=255)
    pixels = np.asarray(crop)
    inside = np.asarray(keep) > 0
    if inside.all() or not inside.any():
        return crop
    # The colour just outside the triangle: the label or package the mark is printed on.
    ring = np.asarray(keep.filter(ImageFilter.MaxFilter(9))) > 0
    around = pixels[ring & ~inside]
    fill = np.median(around if len(around) else pixels[~inside], axis=0).astype(np.uint8)
    painted = np.where(inside[..., None], pixels, fill[None, None, :])
    return Image.fromarray(painted.astype(np.uint8))


def mark_regions(image: Image.Image, limit: int = 3) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom, in ``image`` pixels) that may hold a small mark, the
    likeliest first (:func:`find_marks`)."""
    return [region.box for region in find_marks(image, limit)]


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
