"""The trained intent model as a file, so a chat process loads it instead of training at start.

Training (``classifier.train``: Kiwi over every labelled message, three vectorisers and a
logistic regression) cost a chat pod tens of seconds of its cold start on a loaded machine and
most of its memory peak; loading the fitted objects costs a fraction of that. The file is built
by ``eco2 train-intents`` (``make setup``, the Containerfile's build stage) and never committed.

Its first line is a fingerprint of everything the fitted numbers depend on: the training
messages, the code that turns a message into features (with the knowledge base that its item
feature asks), and the versions of Python and of the libraries that fit and tokenise. A file
whose fingerprint is not the current one is refused before it is unpickled, and the model is
trained at start instead, with a log line saying why.

The file holds the fitted numbers without the scikit-learn objects (``fast_proba.FastProba``),
pickled with the standard library: loading it imports neither scikit-learn, SciPy nor joblib
(about 5 s and 60 MB of a chat pod's cold start on a loaded machine, bench/RESULTS.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from domains.chat.classifier import DATA, TRAINING_FILES, IntentModel, packaged_records, train
from domains.chat.fast_proba import FastProba
from domains.knowledge import built_file

log = logging.getLogger(__name__)

ARTIFACT = DATA / "intent_model.pickle"
_DOMAINS = Path(__file__).resolve().parent.parent
# The code that shapes a message's features: the splitter (training pairs, morphemes), the
# keyword map, the vectorisers' settings; and the knowledge base, read by the item feature.
# The inference code too: the file pickles its objects.
_FEATURE_SOURCES = (
    "chat/classifier.py",
    "chat/followups.py",  # which training pieces are read with the question before them
    "chat/intents.py",
    "chat/splitter.py",
    "chat/fast_proba.py",
)
_KNOWLEDGE = _DOMAINS / "knowledge"
_LIBRARIES = ("scikit-learn", "numpy", "scipy", "joblib", "kiwipiepy", "kiwipiepy_model")


def inputs() -> list[Path]:
    """The files the fitted model depends on, in a fixed order."""
    files = [DATA / name for name in TRAINING_FILES]
    files += [_DOMAINS / name for name in _FEATURE_SOURCES]
    # The knowledge package's sources and data; not its built classifier file, which is
    # rebuilt from them (its bytes may differ between builds of the same inputs).
    files += sorted(
        p
        for p in _KNOWLEDGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pickle", ".tmp")
    )
    return files


def fingerprint(files: Iterable[Path] | None = None) -> str:
    """sha256 over the libraries' versions and the files' names and bytes."""
    digest = built_file.environment_digest(_LIBRARIES)
    for path in inputs() if files is None else files:
        digest.update(f"{path.name}\n".encode())
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    return digest.hexdigest()


def save(model: IntentModel, path: Path = ARTIFACT, stamp: str | None = None) -> str:
    """Write ``model``'s fitted numbers with its fingerprint (the current one unless
    ``stamp``)."""
    stamp = stamp or fingerprint()
    built_file.write(path, stamp, model.fitted)
    return stamp


def stamp_of(path: Path = ARTIFACT) -> str | None:
    """The fingerprint a built file was made for; None when there is no file."""
    return built_file.stamp_of(path)


def load(path: Path = ARTIFACT, expected: str | None = None) -> tuple[FastProba | None, str]:
    """The model in ``path`` if its fingerprint is ``expected`` (default: the current one),
    else None; and why, in words."""
    stale = "other data, code or libraries (stale fingerprint)"
    model, why = built_file.read(path, expected or fingerprint(), "model", stale)
    if model is not None and not isinstance(model, FastProba):
        return None, f"{path} does not hold an intent model"
    return model, why


def load_or_train(path: Path = ARTIFACT) -> FastProba:
    """The built model when it is current; otherwise the model trained now (its fitted
    numbers, as the file would hold them), logged."""
    model, why = load(path)
    if model is not None:
        log.info("intent model: %s", why)
        return model
    log.warning("intent model: %s; training it at start (`eco2 train-intents` builds it)", why)
    return train(packaged_records()).fitted
