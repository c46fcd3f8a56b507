"""Sample images for the demo, all rendered here: marks to read, photos that need a hint.

``write_samples`` also returns the hint meant for each file, so the demo scans every case the
offline pipeline knows: a mark read alone, a mark-less photo explained by the user, and a
mark-less photo without a word, which must end in a question (``needs_input``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from domains.vision.render import MarkSpec, render_mark, render_photo_without_mark


class Sample(BaseModel):
    """One demo image and what to send with it."""

    model_config = ConfigDict(frozen=True)

    path: Path
    hint: str | None
    expect: str  # the category key, or "needs_input"


_MARKS: tuple[tuple[str, MarkSpec, str], ...] = (
    ("mark-clear-pet.jpg", MarkSpec(word="무색페트", rotation=-6, noise=6, seed=11), "clear_pet"),
    (
        "mark-can.jpg",
        MarkSpec(word="캔류", code="알미늄", font="NanumSquareB.ttf", rotation=8, seed=12),
        "metal",
    ),
    (
        "mark-vinyl.png",
        MarkSpec(
            word="비닐류",
            code="PE",
            fg=(240, 240, 240),
            bg=(30, 70, 140),
            blur=0.6,
            jpeg_quality=None,
            seed=13,
        ),
        "vinyl",
    ),
)


def samples(folder: Path) -> list[Sample]:
    """The demo's cases, with the files they will be written to under ``folder``."""
    cases = [Sample(path=folder / name, hint=None, expect=expect) for name, _, expect in _MARKS]
    cases.append(Sample(path=folder / "photo-bottle.jpg", hint="다 마신 삼다수 병", expect="hint"))
    cases.append(Sample(path=folder / "photo-unknown.jpg", hint=None, expect="needs_input"))
    return cases


def write_samples(folder: Path) -> list[Path]:
    """Render every sample image into ``folder`` (created if missing); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec, _ in _MARKS:
        (folder / name).write_bytes(render_mark(spec))
    (folder / "photo-bottle.jpg").write_bytes(render_photo_without_mark(seed=21))
    (folder / "photo-unknown.jpg").write_bytes(render_photo_without_mark(seed=22))
    return [case.path for case in samples(folder)]
