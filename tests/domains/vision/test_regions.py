"""Finding a small mark in a package photo and reading its word's area first."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from domains.vision.marks import MarkMatch
from domains.vision.ocr import _code_only, _unambiguous, _vote, read_mark
from domains.vision.regions import find_marks, light_word, word_view
from domains.vision.render import MarkSpec, render_mark
from domains.vision.settings import VisionSettings

MARK_AT = (700, 520)  # where the mark is pasted in the package photo
MARK_SIDE = 170


def package_photo(spec: MarkSpec) -> Image.Image:
    """A 1,100 x 800 package with a product name, print, a barcode, circles and, small in a
    corner, the rendered mark: the layout the finder must see through."""
    photo = Image.new("RGB", (1100, 800), (200, 60, 50))
    draw = ImageDraw.Draw(photo)
    draw.rounded_rectangle((60, 40, 1040, 760), 30, fill=(210, 190, 120))
    for row in range(5):
        draw.rectangle((120, 90 + 28 * row, 520, 104 + 28 * row), fill=(60, 50, 40))
    draw.text((120, 300), "ORANGE", fill=(40, 30, 30), font_size=90)
    for bar in range(30):
        x = 150 + 9 * bar
        draw.rectangle((x, 560, x + (3 if bar % 3 else 6), 680), fill=(10, 10, 10))
    draw.ellipse((820, 120, 960, 260), fill=(240, 240, 235))
    mark = Image.open(io.BytesIO(render_mark(spec))).convert("RGB").resize((MARK_SIDE, MARK_SIDE))
    photo.paste(mark, MARK_AT)
    return photo


def contains_mark(box: tuple[int, int, int, int]) -> bool:
    x0, y0 = MARK_AT
    centre = (x0 + MARK_SIDE / 2, y0 + MARK_SIDE / 2)
    return box[0] <= centre[0] <= box[2] and box[1] <= centre[1] <= box[3]


def test_the_small_mark_is_the_likeliest_place() -> None:
    photo = package_photo(MarkSpec(word="캔류", size=400, seed=4))
    regions = find_marks(photo)
    assert regions and contains_mark(regions[0].box)
    # Its box is about the mark's size, not the package's.
    left, top, right, bottom = regions[0].box
    assert MARK_SIDE / 2 <= max(right - left, bottom - top) <= 2 * MARK_SIDE


def test_light_print_on_a_dark_mark_is_read_dark_on_light() -> None:
    spec = MarkSpec(word="유리", size=400, fg=(240, 240, 240), bg=(20, 40, 90), seed=5)
    photo = package_photo(spec)
    regions = [r for r in find_marks(photo) if contains_mark(r.box)]
    assert regions
    view = word_view(photo, regions[0])
    assert not light_word(view)  # the word's area now has a light background


def test_a_small_mark_in_a_package_photo_is_read() -> None:
    photo = package_photo(MarkSpec(word="비닐류", size=400, seed=6))
    data = io.BytesIO()
    photo.save(data, format="JPEG", quality=85)
    # The budget lifted: this is about what is read, not how fast a loaded machine reads it.
    reading = read_mark(data.getvalue(), settings=VisionSettings(ocr_budget_ms=10_000))
    assert reading.category == "vinyl"


def test_a_word_that_starts_another_streams_word_does_not_stop_the_search() -> None:
    def exact(word: str, category: str) -> MarkMatch:
        return MarkMatch(word=word, code=None, category=category, score=1.0)

    assert not _unambiguous(exact("종이", "paper"))  # 종이팩 with its 팩 lost
    assert not _unambiguous(exact("페트", "clear_pet"))  # 유색페트 with 유색 lost
    assert _unambiguous(exact("종이팩", "paper_pack"))
    assert _unambiguous(exact("비닐", "vinyl"))  # 비닐류 is the same stream
    assert not _unambiguous(MarkMatch(word="유리", code=None, category="glass", score=0.8))


def test_long_text_does_not_vote() -> None:
    glass = MarkMatch(word="유리", code=None, category="glass", score=0.8)
    print_around = (glass, "병로발리유트라색무스이비종페반알미")  # a package's print, whitelisted
    paper = MarkMatch(word="종이", code=None, category="paper", score=1.0)
    assert _vote([print_around, (paper, "종이")])[0].category == "paper"
    assert _vote([print_around])[0].category is None


def test_the_english_reading_counts_only_as_one_whole_code() -> None:
    assert (_code_only("PP\n").code, _code_only("PP").category) == ("PP", "plastic")
    assert _code_only(" OTHER ").score == 0.6  # a code alone: below any word
    assert _code_only("PEPS").category is None  # not one code
    assert _code_only("PE 트").category is None  # 페 read as PE beside a Hangul letter


def test_a_code_only_mark_is_read() -> None:
    data = io.BytesIO()
    Image.open(io.BytesIO(render_mark(MarkSpec(word="PS", size=400, seed=8)))).save(
        data, format="PNG"
    )
    reading = read_mark(data.getvalue(), settings=VisionSettings(ocr_budget_ms=10_000))
    assert reading.category == "plastic"
