"""Text location: the frame is removed, the words are cut out, tilt is undone."""

from __future__ import annotations

import io

from PIL import Image

from domains.vision.locate import find_frame, ink_mask, text_lines, to_work_grey
from domains.vision.render import MarkSpec, render_mark, render_photo_without_mark


def open_image(spec: MarkSpec) -> Image.Image:
    return Image.open(io.BytesIO(render_mark(spec)))


def test_word_and_code_come_out_as_two_lines() -> None:
    lines = text_lines(open_image(MarkSpec(word="플라스틱", code="PP", seed=1)))
    assert len(lines) == 2
    word, code = lines
    # The word is wider than its code, and both are narrower than the triangle.
    assert word.binary.shape[1] > code.binary.shape[1]
    assert word.binary.shape[1] < 300


def test_tilted_mark_is_deskewed() -> None:
    straight = text_lines(open_image(MarkSpec(word="종이팩", seed=2)))[0]
    tilted = text_lines(open_image(MarkSpec(word="종이팩", rotation=12, seed=2)))[0]
    # Without deskewing, a 12° tilt makes the word's box far taller than the upright word's.
    assert abs(tilted.height - straight.height) <= 0.2 * straight.height


def test_light_print_on_dark_label_is_inverted() -> None:
    grey = to_work_grey(open_image(MarkSpec(word="유리", fg=(240, 240, 240), bg=(20, 40, 90))))
    assert grey[0, 0] > 200  # background made light, so ink is the dark side
    assert find_frame(ink_mask(grey)) is not None


def test_photo_without_text_has_no_lines() -> None:
    assert text_lines(Image.open(io.BytesIO(render_photo_without_mark(seed=3)))) == []
