"""A build artifact as a file: a fingerprint line, then the pickled objects.

Two stores use it: the built item classifier (``domains.knowledge.store``) and the chat's
intent model (``domains.chat.model_store``). Each says what its fingerprint covers; this module
writes the file atomically, reads the fingerprint without unpickling, and refuses a file whose
fingerprint is not the expected one before it unpickles anything.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


def environment_digest(libraries: Iterable[str]) -> Any:
    """A sha256 already fed the interpreter's version and the libraries' (the caller adds its
    inputs): objects pickled by other versions may not load, or not behave the same."""
    digest = hashlib.sha256()
    digest.update(f"python {sys.version_info.major}.{sys.version_info.minor}\n".encode())
    for name in libraries:
        try:
            found = version(name)
        except PackageNotFoundError:
            found = "absent"
        digest.update(f"{name}=={found}\n".encode())
    return digest


def write(path: Path, stamp: str, payload: object) -> None:
    """``payload`` under ``stamp``, atomically: a process starting meanwhile reads the old file
    or the new one, never half of one."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with partial.open("wb") as out:
        out.write(f"{stamp}\n".encode())
        pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def stamp_of(path: Path) -> str | None:
    """The fingerprint a built file was made for; None when there is no file."""
    try:
        with path.open("rb") as source:
            return source.readline().decode("ascii", "replace").strip()
    except FileNotFoundError:
        return None


def read(path: Path, expected: str, what: str, stale: str) -> tuple[object | None, str]:
    """The payload of ``path`` if its fingerprint is ``expected``, else None; and why, in words
    (``what`` names the artifact, ``stale`` says what a wrong fingerprint means)."""
    try:
        source = path.open("rb")
    except FileNotFoundError:
        return None, f"no built {what} at {path}"
    with source:
        if source.readline().decode("ascii", "replace").strip() != expected:
            return None, f"{path} was built from {stale}"
        # The file is ours, written by an eco2 build command into the package at build time;
        # nothing a user sends is ever unpickled here. The collector is paused meanwhile: the
        # hundreds of thousands of objects it makes would otherwise start many collections that
        # find nothing to free, a third of the load's time in a function's cold start.
        enabled = gc.isenabled()
        gc.disable()
        try:
            payload = pickle.load(source)  # nosec B301  (our own build artifact)
        finally:
            if enabled:
                gc.enable()
        return payload, f"loaded {path}"
