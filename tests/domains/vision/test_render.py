"""The mark renderer is deterministic and draws what it is asked to."""

from __future__ import annotations

import io

from PIL import Image

from domains.vision.render import (
    MarkSpec,
    available_fonts,
    random_spec,
    render_mark,
    render_photo_without_mark,
)


def test_same_seed_same_bytes_other_seed_other_image() -> None:
    spec = random_spec("무색페트", None, seed=3)
    assert render_mark(spec) == render_mark(random_spec("무색페트", None, seed=3))
    assert render_mark(spec) != render_mark(random_spec("무색페트", None, seed=4))


def test_size_and_encoding_follow_the_spec() -> None:
    png = Image.open(io.BytesIO(render_mark(MarkSpec(word="유리", size=222, jpeg_quality=None))))
    jpeg = Image.open(io.BytesIO(render_mark(MarkSpec(word="유리", size=300, jpeg_quality=40))))
    assert (png.format, png.size) == ("PNG", (222, 222))
    assert (jpeg.format, jpeg.size) == ("JPEG", (300, 300))


def test_mark_has_ink_in_the_colour_asked() -> None:
    spec = MarkSpec(word="캔류", fg=(200, 20, 20), bg=(250, 250, 250), jpeg_quality=None)
    pixels = Image.open(io.BytesIO(render_mark(spec))).convert("RGB").get_flattened_data()
    reddish = sum(1 for r, g, b in pixels if r > 150 and g < 80 and b < 80)
    assert reddish > 0.02 * len(pixels)


def test_fonts_are_installed() -> None:
    assert len(available_fonts()) >= 5


def test_photo_without_mark_is_deterministic_jpeg() -> None:
    data = render_photo_without_mark(seed=5)
    assert data == render_photo_without_mark(seed=5)
    assert Image.open(io.BytesIO(data)).format == "JPEG"
