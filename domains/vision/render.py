"""Render recycling-mark images the project owns: the arrow triangle with a material word inside.

There is no public photo set of Korean marks we may ship, so tests and the demo draw their own:
a triangle of three chasing arrows (or an outline with arrowheads), the word and optional code
inside, then the damage a phone photo adds — rotation, blur, sensor noise, textured backgrounds,
a product label around the mark, JPEG artefacts. Everything is deterministic given a seed.
"""

from __future__ import annotations

import io
import math
import random
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pydantic import BaseModel, ConfigDict, Field

from domains.vision.settings import VisionSettings

# Gothic and Myeongjo faces a printed mark plausibly uses; handwriting faces are left out.
MARK_FONTS: tuple[str, ...] = (
    "NanumGothic.ttf",
    "NanumGothicBold.ttf",
    "NanumGothicExtraBold.ttf",
    "NanumBarunGothic.ttf",
    "NanumBarunGothicBold.ttf",
    "NanumSquareB.ttf",
    "NanumSquareR.ttf",
    "NanumSquareRoundB.ttf",
    "NanumMyeongjoBold.ttf",
    "NanumMyeongjo.ttf",
)

_CANVAS = 600  # drawing resolution; the result is resized to MarkSpec.size afterwards
RGB = tuple[int, int, int]


class MarkSpec(BaseModel):
    """Everything that decides how one mark image looks."""

    model_config = ConfigDict(frozen=True)

    word: str = Field(min_length=1, description="Material word inside the triangle.")
    code: str | None = Field(None, description="Optional second line, e.g. PP or 철.")
    font: str = MARK_FONTS[1]
    size: int = Field(320, ge=96, le=2000, description="Side of the square output, pixels.")
    fg: RGB = (20, 20, 20)
    bg: RGB = (245, 245, 240)
    style: Literal["arrows", "outline"] = "arrows"
    background: Literal["plain", "gradient", "texture"] = "plain"
    label: bool = Field(False, description="Draw the mark on a product-label panel.")
    rotation: float = Field(0.0, ge=-20, le=20, description="Degrees, counter-clockwise.")
    blur: float = Field(0.0, ge=0, le=3, description="Gaussian blur radius at output size.")
    noise: float = Field(0.0, ge=0, le=40, description="Gaussian noise sigma, grey levels.")
    jpeg_quality: int | None = Field(85, ge=10, le=95, description="None writes PNG.")
    touch_edge: bool = Field(False, description="Word as wide as the triangle allows.")
    seed: int = 0


@lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(Path(VisionSettings().fonts_dir) / name), size)


def available_fonts() -> list[str]:
    """The mark fonts installed on this machine (fonts-nanum)."""
    folder = Path(VisionSettings().fonts_dir)
    return [name for name in MARK_FONTS if (folder / name).is_file()]


def _background(spec: MarkSpec, rng: random.Random) -> Image.Image:
    img = Image.new("RGB", (_CANVAS, _CANVAS), spec.bg)
    if spec.background == "gradient":
        ramp = np.linspace(-28, 28, _CANVAS)[None, :, None]
        arr: np.ndarray[Any, np.dtype[np.floating[Any]]]
        arr = np.asarray(img, dtype=np.float32) + ramp * rng.choice((-1, 1))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    elif spec.background == "texture":
        # Low-frequency blotches, like a crumpled label or a printed pattern far behind the mark.
        nprng = np.random.default_rng(spec.seed)
        small = nprng.normal(0, 22, (12, 12, 1)).astype(np.float32)
        blotch = Image.fromarray(np.clip(small[:, :, 0] + 128, 0, 255).astype(np.uint8))
        blotch = blotch.resize((_CANVAS, _CANVAS), Image.Resampling.BICUBIC)
        arr = np.asarray(img, dtype=np.float32) + (np.asarray(blotch, np.float32) - 128)[..., None]
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if spec.label:
        draw = ImageDraw.Draw(img)
        tint = tuple(max(0, min(255, c + rng.randint(-40, 40))) for c in spec.bg)
        draw.rounded_rectangle((30, 40, _CANVAS - 30, _CANVAS - 40), 24, fill=tint)
        # A barcode strip in a corner: product context that is ink but not the mark.
        x = 60
        while x < 200:
            width = rng.choice((2, 3, 5))
            draw.rectangle((x, _CANVAS - 110, x + width, _CANVAS - 60), fill=spec.fg)
            x += width + rng.choice((2, 4, 6))
    return img


def _triangle(center: tuple[float, float], side: float) -> list[tuple[float, float]]:
    cx, cy = center
    height = side * math.sqrt(3) / 2
    return [
        (cx, cy - height * 2 / 3),
        (cx + side / 2, cy + height / 3),
        (cx - side / 2, cy + height / 3),
    ]


def _lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _draw_frame(draw: ImageDraw.ImageDraw, spec: MarkSpec, tri: list, stroke: int) -> None:
    """Three arrows chasing each other around the triangle, or an outline with arrowheads."""
    for i in range(3):
        a, b = tri[i], tri[(i + 1) % 3]
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        nx, ny = -uy, ux
        start, shaft_end, tip_t = (0.0, 1.0, 0.0) if spec.style == "outline" else (0.1, 0.72, 0.9)
        if spec.style == "outline":
            draw.line([a, b], fill=spec.fg, width=stroke)
            draw.ellipse(
                (a[0] - stroke / 2, a[1] - stroke / 2, a[0] + stroke / 2, a[1] + stroke / 2),
                fill=spec.fg,
            )
            base, tip_t = _lerp(a, b, 0.42), 0.62
        else:
            draw.line([_lerp(a, b, start), _lerp(a, b, shaft_end)], fill=spec.fg, width=stroke)
            base = _lerp(a, b, shaft_end - 0.01)
        tip = _lerp(a, b, tip_t)
        wing = stroke * 1.6
        draw.polygon(
            [
                tip,
                (base[0] + nx * wing, base[1] + ny * wing),
                (base[0] - nx * wing, base[1] - ny * wing),
            ],
            fill=spec.fg,
        )


def _fit_font(
    spec: MarkSpec, text: str, max_width: float, max_height: float
) -> ImageFont.FreeTypeFont:
    size = int(max_height)
    while size > 8:
        font = _font(spec.font, size)
        left, top, right, bottom = font.getbbox(text)
        if right - left <= max_width and bottom - top <= max_height:
            return font
        size -= 2
    return _font(spec.font, 8)


def _draw_text(
    draw: ImageDraw.ImageDraw, spec: MarkSpec, tri: list, stroke: int, rng: random.Random
) -> None:
    """The word (and code) centred in the lower part of the triangle, where marks put it."""
    top_y, base_y = tri[0][1], tri[1][1]
    height = base_y - top_y
    side = tri[1][0] - tri[2][0]
    word_y = top_y + height * (0.6 if spec.code else 0.7)

    def inner_width(y: float) -> float:
        # Width inside the strokes at height y (the triangle widens linearly towards the base).
        return side * (y - top_y) / height - stroke * 2.4

    line_h = height * (0.2 if spec.code else 0.24)
    top_row = word_y - line_h / 2
    if spec.touch_edge:
        # Wider than the gap between the strokes' inner edges (1.15 stroke in all for 60° sides):
        # the first and last glyphs run into the arrows and share pixels with them.
        width = side * (top_row - top_y) / height - stroke * 0.9
    else:
        width = inner_width(top_row) * rng.uniform(0.62, 0.82)
    font = _fit_font(spec, spec.word, width, line_h)
    cx = tri[0][0]
    draw.text((cx, word_y), spec.word, font=font, fill=spec.fg, anchor="mm")
    if spec.code:
        code_y = top_y + height * 0.83
        code_font = _fit_font(spec, spec.code, inner_width(code_y - line_h / 2) * 0.6, line_h * 0.7)
        draw.text((cx, code_y), spec.code, font=code_font, fill=spec.fg, anchor="mm")


def render_mark(spec: MarkSpec) -> bytes:
    """The encoded image (JPEG, or PNG when ``jpeg_quality`` is None) of one recycling mark."""
    rng = random.Random(spec.seed)
    img = _background(spec, rng)
    draw = ImageDraw.Draw(img)
    side = _CANVAS * rng.uniform(0.62, 0.74)
    center = (_CANVAS / 2 + rng.uniform(-20, 20), _CANVAS / 2 + rng.uniform(-10, 25))
    tri = _triangle(center, side)
    stroke = int(side * rng.uniform(0.045, 0.075))
    _draw_frame(draw, spec, tri, stroke)
    _draw_text(draw, spec, tri, stroke, rng)
    return _photograph(img, spec)


def _photograph(img: Image.Image, spec: MarkSpec) -> bytes:
    """Rotate, shrink, blur, add noise and encode: what a phone camera does to a printed mark."""
    if spec.rotation:
        img = img.rotate(spec.rotation, resample=Image.Resampling.BICUBIC, fillcolor=spec.bg)
    img = img.resize((spec.size, spec.size), Image.Resampling.LANCZOS)
    if spec.blur:
        img = img.filter(ImageFilter.GaussianBlur(spec.blur))
    if spec.noise:
        nprng = np.random.default_rng(spec.seed + 1)
        arr = np.asarray(img, dtype=np.float32) + nprng.normal(
            0, spec.noise, (spec.size, spec.size, 1)
        )
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    if spec.jpeg_quality is None:
        img.save(out, format="PNG")
    else:
        img.save(out, format="JPEG", quality=spec.jpeg_quality)
    return out.getvalue()


def random_spec(word: str, code: str | None, seed: int) -> MarkSpec:
    """A varied, reproducible style for ``word``: font, size, colours, damage from ``seed``."""
    rng = random.Random(seed)
    fonts = available_fonts() or list(MARK_FONTS)
    dark_on_light = rng.random() < 0.75
    ink = (rng.randint(0, 70), rng.randint(0, 70), rng.randint(0, 90))
    paper = (rng.randint(190, 255), rng.randint(190, 255), rng.randint(180, 255))
    fg, bg = (ink, paper) if dark_on_light else (paper, ink)
    return MarkSpec(
        word=word,
        code=code,
        font=rng.choice(fonts),
        size=rng.choice((200, 260, 320, 400, 480)),
        fg=fg,
        bg=bg,
        style=rng.choice(("arrows", "arrows", "outline")),
        background=rng.choice(("plain", "gradient", "texture")),
        label=rng.random() < 0.3,
        rotation=round(rng.uniform(-15, 15), 1),
        blur=round(rng.choice((0.0, 0.4, 0.8, 1.2)), 1),
        noise=round(rng.choice((0.0, 4.0, 8.0, 12.0)), 1),
        jpeg_quality=rng.choice((30, 45, 60, 75, 90, None)),
        touch_edge=rng.random() < 0.25,
        seed=seed,
    )


def render_photo_without_mark(seed: int = 0, size: int = 360) -> bytes:
    """A plain object-like photo (a bottle silhouette on a table) that carries no text at all."""
    rng = random.Random(seed)
    img = Image.new(
        "RGB", (size, size), (rng.randint(150, 220), rng.randint(150, 210), rng.randint(120, 190))
    )
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, int(size * 0.75), size, size), fill=(120, 90, 60))  # the table
    body = (rng.randint(60, 200), rng.randint(120, 220), rng.randint(160, 240))
    cx = size // 2 + rng.randint(-30, 30)
    draw.rounded_rectangle((cx - 45, int(size * 0.3), cx + 45, int(size * 0.85)), 20, fill=body)
    draw.rectangle((cx - 14, int(size * 0.18), cx + 14, int(size * 0.3)), fill=body)
    draw.rectangle((cx - 17, int(size * 0.13), cx + 17, int(size * 0.19)), fill=(30, 110, 40))
    img = img.filter(ImageFilter.GaussianBlur(1.0))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()
