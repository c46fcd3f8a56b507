"""Names a package exports, imported only when first read (PEP 562).

A function pod imports every package's settings model to read its environment
(``eco2.settings``). When a package's ``__init__`` imports its whole public API, reading a
small settings module also imports what the package's services need (FastAPI for the gateway,
redis for the image store, the classifier's indexes for the knowledge base): time and memory of
a cold start spent on code the pod may never run (bench/RESULTS.md, "Cold start"). Such a
package lists its exports here instead and keeps the same imports under ``TYPE_CHECKING``, so
type checkers and ``from package import Name`` see what they saw before.

A name that is also one of the package's submodules (``domains.vision.recognise``) must stay an
eager import: the first import of that submodule sets it on the package, and the lazy name
would then read as the module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps each exported name to the
    submodule (relative to the package) that defines it."""

    def __getattr__(name: str) -> Any:
        submodule = names.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{submodule}"), name)
        # Kept on the package: the next read is a plain attribute lookup.
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(names) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
