"""What `make setup` installs: uv.lock's versions, with the uv that pyproject.toml pins.

``scripts/install-python.sh`` (run by the Makefile and the Containerfile alike) installs uv
``UV_VERSION`` and runs ``uv sync --locked`` (which itself refuses a
lock that pyproject.toml has outgrown); these check that the pins agree and that the lock holds
every extra the Makefile installs, and that the environment running the tests is the lock's.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lock() -> dict:
    return tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))


def test_the_makefile_installs_the_uv_pyproject_requires() -> None:
    script = (ROOT / "scripts" / "install-python.sh").read_text(encoding="utf-8")
    pinned = re.search(r"^UV_VERSION=(\S+)$", script, re.MULTILINE)
    assert pinned is not None
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["tool"]["uv"]["required-version"] == f"=={pinned.group(1)}"
    assert "sync --locked" in script
    assert "scripts/install-python.sh" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_lock_holds_every_extra_from_pypi() -> None:
    lock = _lock()
    (eco2,) = [p for p in lock["package"] if p["name"] == "eco2"]
    assert eco2["source"] == {"editable": "."}
    assert set(eco2["optional-dependencies"]) == {"bench", "dev", "ocr"}
    registries = {p["source"].get("registry") for p in lock["package"] if p["name"] != "eco2"}
    assert registries == {"https://pypi.org/simple"}


def test_this_environment_has_the_locked_versions() -> None:
    locked: dict[str, set[str]] = {}
    for package in _lock()["package"]:
        locked.setdefault(package["name"], set()).add(package["version"])
    for name in ("redis", "hiredis", "fastapi", "starlette", "pydantic", "sqlalchemy", "pytest"):
        assert metadata.version(name) in locked[name], name
