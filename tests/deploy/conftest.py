"""Fixtures of the deploy tests: the CRD folder (skip with a reason when it is missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.manifests import crd_dir


@pytest.fixture(scope="session")
def crds() -> Path:
    """The shared CRD folder; the tests that need it skip, saying why, when it is absent."""
    folder = crd_dir()
    if folder is None:
        reason = "CRD folder ../shared/crds (from the project root) is missing: CRD kinds unchecked"
        print(reason)
        pytest.skip(reason)
    return folder
