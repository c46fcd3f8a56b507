"""Whether OCR can run here, and why not: the light part of :mod:`domains.vision.ocr`.

OCR needs the ``ocr`` extra's libraries (tesserocr, numpy, scipy: ``pip install 'eco2[ocr]'``)
and Tesseract's language models (the Debian package ``tesseract-ocr-kor``). A plain install has
neither, and vision then goes by the user's hint alone (:func:`domains.vision.recognise.recognise`)
instead of failing. :func:`ocr_available` says which, so a process can say once at its start
that OCR is off. It imports the libraries to find out (the first call costs what the first OCR
would), and nothing heavy is imported by merely importing this module.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from domains.vision.exceptions import TessdataMissing
from domains.vision.settings import VisionSettings

# What domains.vision.ocr and domains.vision.locate import, by the package that installs it.
OCR_MODULES: tuple[tuple[str, str], ...] = (
    ("numpy", "numpy"),
    ("scipy.ndimage", "scipy"),
    ("scipy.spatial", "scipy"),
    ("tesserocr", "tesserocr"),
)


@lru_cache(maxsize=1)
def missing_libraries() -> tuple[str, ...]:
    """The OCR libraries that cannot be imported here (empty when all can)."""
    missing: list[str] = []
    for module, package in OCR_MODULES:
        if package in missing:
            continue
        try:
            importlib.import_module(module)
        except ImportError:  # not installed, or a None in sys.modules, or a broken build
            missing.append(package)
    return tuple(missing)


def check_tessdata(settings: VisionSettings) -> Path:
    """The tessdata directory, after checking every language model is there."""
    folder = Path(settings.tessdata_path)
    for lang in settings.languages.split("+"):
        if not (folder / f"{lang}.traineddata").is_file():
            package = "tesseract-ocr-kor" if lang == "kor" else f"tesseract-ocr-{lang}"
            raise TessdataMissing(
                f"{lang}.traineddata not found in {folder}; install the Debian package "
                f"{package} or set ECO2_VISION__TESSDATA_PATH to the directory holding it"
            )
    return folder


@lru_cache(maxsize=8)
def _tessdata_problem(tessdata_path: str, languages: str) -> str | None:
    try:
        check_tessdata(VisionSettings(tessdata_path=tessdata_path, languages=languages))
    except TessdataMissing as exc:
        return exc.message
    return None


def ocr_available(settings: VisionSettings | None = None) -> tuple[bool, str]:
    """``(True, what reads marks)`` when OCR can run, else ``(False, why not)``.

    Both answers are kept for the process's life: installing a library or a language model
    takes effect at the next start.
    """
    missing = missing_libraries()
    if missing:
        names = " and ".join(missing) if len(missing) <= 2 else ", ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        return False, f"{names} {verb} not installed (the ocr extra: pip install 'eco2[ocr]')"
    settings = settings or VisionSettings()
    problem = _tessdata_problem(settings.tessdata_path, settings.languages)
    if problem is not None:
        return False, problem
    return True, f"Tesseract ({settings.languages}) from {settings.tessdata_path}"
