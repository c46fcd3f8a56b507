"""The built classifier as a file, so a process loads it instead of building it at start.

Building the classifier reads the YAML (5,000+ lexicon items), compiles the lexicon's and the
spelling index's tables, and tokenizes every rule passage and gloss (3,700 texts) into the
retrieval indexes: most of a chat or rule pod's start after its imports, and what the first
described item of a chat paid when the gloss index was built on first use. Unpickling the same
objects costs a fraction of that (bench/RESULTS.md, "The built classifier"). The file is built
by ``eco2 build-knowledge`` (``make setup``, the Containerfile's build stage) and never
committed, like the intent model (``domains.chat.model_store``).

Its first line is a fingerprint of what the built objects depend on: every file of this package
(data and code: the objects pickle its classes), the versions of Python and of the libraries
that tokenize and validate, and how this process's Kiwi is built (its typo dictionary: the
indexes hold its tokens). A file whose fingerprint is not the current one is refused before it
is unpickled, and the classifier is built at start instead, with a log line saying why.
"""

from __future__ import annotations

import logging
from pathlib import Path

from domains.knowledge import built_file
from domains.knowledge.analyser import typo_dict, user_nouns
from domains.knowledge.classifier import Classifier
from domains.knowledge.learned import LearnedReader, knowledge_texts, read_examples
from domains.knowledge.loader import DATA_DIR, read_knowledge

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
ARTIFACT = PACKAGE / "classifier.pickle"
# scikit-learn and scipy train the learned reader: another version may fit other weights.
_LIBRARIES = (
    "kiwipiepy",
    "kiwipiepy_model",
    "pydantic",
    "pydantic-core",
    "rank-bm25",
    "numpy",
    "scikit-learn",
    "scipy",
)


def inputs() -> list[Path]:
    """The package's files the built classifier depends on (not the built files themselves)."""
    return sorted(
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pickle", ".tmp")
    )


def fingerprint() -> str:
    """sha256 over the interpreter's and libraries' versions, this process's Kiwi settings, and
    the package's files' names and bytes."""
    digest = built_file.environment_digest(_LIBRARIES)
    digest.update(f"typo_dict={typo_dict()} user_nouns={user_nouns()}\n".encode())
    for path in inputs():
        digest.update(f"{path.relative_to(PACKAGE)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build() -> Classifier:
    """The classifier over the packaged data, its rule and gloss indexes built."""
    classifier = Classifier(read_knowledge(DATA_DIR))
    classifier.reader = LearnedReader.train(knowledge_texts(classifier.kb) + read_examples())
    classifier.index  # noqa: B018  (built now, so the file holds it)
    classifier.glosses  # noqa: B018
    return classifier


def save(classifier: Classifier, path: Path = ARTIFACT) -> str:
    """Write ``classifier`` with the current fingerprint."""
    stamp = fingerprint()
    built_file.write(path, stamp, classifier)
    return stamp


def stamp_of(path: Path = ARTIFACT) -> str | None:
    """The fingerprint a built file was made for; None when there is no file."""
    return built_file.stamp_of(path)


def load(path: Path = ARTIFACT) -> tuple[Classifier | None, str]:
    """The classifier in ``path`` if it was built from what this process would build it from,
    else None; and why, in words."""
    stale = "other data, code, libraries or Kiwi settings"
    classifier, why = built_file.read(path, fingerprint(), "classifier", stale)
    if classifier is not None and not isinstance(classifier, Classifier):
        return None, f"{path} does not hold a classifier"
    return classifier, why


def load_or_build(path: Path = ARTIFACT) -> Classifier:
    """The built classifier when it is current; otherwise one built now, logged."""
    classifier, why = load(path)
    if classifier is not None:
        log.info("knowledge: %s", why)
        return classifier
    log.info("knowledge: %s; building the classifier (`eco2 build-knowledge` saves it)", why)
    return build()
