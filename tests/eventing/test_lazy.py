"""Lazy package exports (``eventing.lazy``): reading the settings imports none of the heavy
libraries behind them, and every exported name reads as what it names, never as a submodule."""

from __future__ import annotations

import subprocess
import sys

LAZY = (
    "eventing.bus",
    "eventing.gateway",
    "eventing.router",
    "domains.image",
    "domains.knowledge",
    "domains.vision",
)


def _run(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_settings_import_no_service_library() -> None:
    # What a function pod composes before it builds its function (eco2 function serve-http).
    out = _run(
        "import sys\n"
        "import eco2.settings, eco2.cli.function\n"
        "heavy = {'fastapi', 'redis', 'rank_bm25', 'yaml', 'sklearn', 'scipy', 'uvloop'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    assert out == "[]"


def test_every_export_is_what_it_names_after_its_submodules_are_imported() -> None:
    # A submodule import sets its name on the package; an export of the same name would then
    # read as the module.
    out = _run(
        "import importlib, pkgutil, types\n"
        f"for name in {LAZY!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(f'{name}.{info.name}')\n"
        "    for export in package.__all__:\n"
        "        value = getattr(package, export)\n"
        "        assert not isinstance(value, types.ModuleType), (name, export)\n"
        "print('ok')\n"
    )
    assert out == "ok"
