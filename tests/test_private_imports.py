"""No module of Eco² imports a library's private module (``from functions_framework._http``).

A private module can change in any release. Where Eco² must lean on a library's internals it
does so behind a check that falls back to the public path (``eventing.bus.connection``), and
imports only public modules to do it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("eco2", "eventing", "domains", "functions")


def _private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def test_no_private_module_of_a_library_is_imported() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    if name.split(".")[0] not in PACKAGES and _private(name):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert found == []
