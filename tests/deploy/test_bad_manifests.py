"""Known-bad manifests (tests/deploy/bad): each check rejects the defect it exists to catch.

Each file says which check must reject it (``# check:``) and a phrase of the problem that check
must report (``# rejects:``). A check that let one through would pass every good build too, so
these are what make the checks of test_overlays.py worth anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.checks import reference_problems
from tests.deploy.hardening import hardening_problems, image_problems
from tests.deploy.manifests import ManifestError, validate
from tests.deploy.promql import unknown_metrics
from tests.deploy.test_overlays import min_grace_s

BAD = Path(__file__).resolve().parent / "bad"
FILES = sorted(BAD.glob("*.yaml"))


def _header(path: Path, key: str) -> str:
    match = re.search(rf"(?m)^# {key}: (.+)$", path.read_text())
    assert match, f"{path.name}: no '# {key}:' line"
    return match.group(1).strip()


def _schema_problems(docs: list[dict], crds: Path) -> list[str]:
    problems = []
    for doc in docs:
        try:
            validate(doc, crds)
        except ManifestError as exc:
            problems.append(str(exc))
    return problems


def _promql_problems(docs: list[dict]) -> list[str]:
    rules = [r for d in docs for g in d["spec"]["groups"] for r in g["rules"]]
    return [f"{r['alert']}: reads {name}" for r in rules for name in unknown_metrics(r["expr"])]


def test_there_is_a_bad_manifest_for_every_check() -> None:
    checks = {_header(p, "check") for p in FILES}
    assert checks == {"schema", "references", "hardening", "images-dev", "images-prod", "promql"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_check_rejects_it(path: Path, crds: Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    check, expected = _header(path, "check"), _header(path, "rejects")
    problems = {
        "schema": lambda: _schema_problems(docs, crds),
        "references": lambda: reference_problems(docs),
        "hardening": lambda: hardening_problems(docs, min_grace_s()),
        "images-dev": lambda: image_problems(docs, pinned=False),
        "images-prod": lambda: image_problems(docs, pinned=True),
        "promql": lambda: _promql_problems(docs),
    }[check]()
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    "path", [p for p in FILES if _header(p, "check") == "hardening"], ids=lambda p: p.stem
)
def test_each_hardening_defect_is_the_only_one(path: Path) -> None:
    # Made from a hardened pod with one thing taken away: only that one is reported.
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    problems = hardening_problems(docs, min_grace_s())
    assert len(problems) == 1, problems
