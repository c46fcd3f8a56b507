"""deploy/argocd: the app-of-apps root and one Application per overlay, validated against the
Application CRD vendored from argo-cd (tests/deploy/schemas) and pointing at what exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.manifests import ROOT, kustomize_build, validate
from tests.deploy.test_overlays import OVERLAYS, rendered

ARGOCD = "deploy/argocd"
APPS = "deploy/argocd/apps"


@pytest.mark.parametrize("entry", [ARGOCD, APPS])
def test_applications_validate_against_the_vendored_crd(entry: str, crds: Path) -> None:
    docs = rendered(entry)
    assert docs and {d["kind"] for d in docs} == {"Application"}
    assert all(validate(doc, crds) == "vendored crd" for doc in docs)


def test_the_root_syncs_the_folder_of_applications() -> None:
    (root,) = rendered(ARGOCD)
    source = root["spec"]["source"]
    assert source["path"] == APPS and (ROOT / APPS / "kustomization.yaml").is_file()
    assert root["spec"]["syncPolicy"]["automated"]["prune"] is True


def test_one_application_per_overlay() -> None:
    apps = rendered(APPS)
    (root,) = rendered(ARGOCD)
    assert sorted(a["spec"]["source"]["path"] for a in apps) == sorted(OVERLAYS)
    for app in apps:
        spec = app["spec"]
        assert spec["source"]["repoURL"] == root["spec"]["source"]["repoURL"]
        assert spec["destination"]["namespace"] == "eco2"
        assert (ROOT / spec["source"]["path"] / "kustomization.yaml").is_file()
        # The overlay it deploys renders (the same build test_overlays validates).
        assert kustomize_build(ROOT / spec["source"]["path"])
    clusters = {a["spec"]["destination"]["name"] for a in apps}
    assert len(clusters) == len(apps), "two environments in one cluster would share eco2"
