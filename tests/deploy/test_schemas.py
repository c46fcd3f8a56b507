"""Every manifest under knative/ and keda/ is valid for its kind, offline, and the gate bites."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from tests.deploy.manifests import (
    ROOT,
    Manifest,
    ManifestError,
    all_manifests,
    crd_dir,
    kustomization_dirs,
    kustomize_build,
    kustomize_resources,
    load_documents,
    manifest_files,
    validate,
)

CRD_GROUPS = {"serving.knative.dev", "eventing.knative.dev", "sources.knative.dev", "keda.sh"}
# The kustomizations a person applies; every manifest file must be reachable from one of them.
ENTRY_POINTS = ("knative", "keda", "keda/rabbitmq")
MANIFESTS = all_manifests()


def _validate(manifest: Manifest, request: pytest.FixtureRequest) -> str:
    crds = request.getfixturevalue("crds") if manifest.group in CRD_GROUPS else None
    return validate(manifest.doc, crds)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=str)
def test_manifest_is_valid_for_its_kind(manifest: Manifest, request: pytest.FixtureRequest):
    checked_by = _validate(manifest, request)
    assert checked_by == ("crd" if manifest.group in CRD_GROUPS else "kubernetes")


def test_there_are_manifests_of_every_expected_kind():
    kinds = {(m.group, m.kind) for m in MANIFESTS}
    expected = {
        ("serving.knative.dev", "Service"),
        ("eventing.knative.dev", "Broker"),
        ("eventing.knative.dev", "Trigger"),
        ("sources.knative.dev", "RabbitmqSource"),
        ("keda.sh", "ScaledObject"),
        ("keda.sh", "TriggerAuthentication"),
        ("apps", "Deployment"),
        ("", "Service"),
        ("policy", "PodDisruptionBudget"),
        ("autoscaling", "HorizontalPodAutoscaler"),
    }
    assert expected <= kinds


def test_every_manifest_names_its_namespace():
    assert {m.doc["metadata"].get("namespace") for m in MANIFESTS} == {"eco2"}


def test_no_two_objects_share_kind_and_name():
    keys = [(m.group, m.kind, m.name) for m in MANIFESTS]
    assert len(keys) == len(set(keys))


# The gate itself: each of these must be rejected, or the tests above prove nothing.


def _first(kind: str, group: str) -> dict:
    return copy.deepcopy(next(m.doc for m in MANIFESTS if m.kind == kind and m.group == group))


def test_gate_fails_on_a_kind_nobody_knows():
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(ManifestError, match="no schema knows"):
        validate(doc, crd_dir())


def test_gate_fails_on_a_crd_kind_when_the_crds_are_absent():
    with pytest.raises(ManifestError, match="no schema knows"):
        validate(_first("ScaledObject", "keda.sh"), None)


def test_gate_fails_on_an_unknown_field_of_a_builtin_kind():
    doc = _first("Deployment", "apps")
    doc["spec"]["template"]["spec"]["terminationGracePeriod"] = 40
    with pytest.raises(ManifestError):
        validate(doc, None)


def test_gate_fails_on_a_wrong_type_in_a_builtin_kind():
    doc = _first("Deployment", "apps")
    doc["spec"]["replicas"] = "two"
    with pytest.raises(ManifestError):
        validate(doc, None)


def test_gate_fails_on_an_unknown_field_of_a_crd_kind(crds: Path):
    doc = _first("Service", "serving.knative.dev")
    doc["spec"]["template"]["spec"]["containerConcurency"] = 4
    with pytest.raises(ManifestError, match="containerConcurency"):
        validate(doc, crds)


def test_gate_fails_on_a_missing_required_field_of_a_crd_kind(crds: Path):
    doc = _first("ScaledObject", "keda.sh")
    del doc["spec"]["scaleTargetRef"]
    with pytest.raises(ManifestError, match="scaleTargetRef"):
        validate(doc, crds)


def test_gate_fails_on_an_enum_violation_of_a_crd_kind(crds: Path):
    doc = _first("ScaledObject", "keda.sh")
    doc["spec"]["triggers"][0]["authenticationRef"] = {"name": "keda-redis", "kind": "Secret"}
    with pytest.raises(ManifestError):
        validate(doc, crds)


# Kustomize: every file is applied by some entry point, and the entry points render.


def test_every_kustomization_lists_only_existing_resources():
    for folder in kustomization_dirs():
        for resource in kustomize_resources(folder):
            assert resource.is_file(), f"{folder}: {resource} does not exist"


def test_every_manifest_file_is_reachable_from_an_entry_point():
    reachable = {p for entry in ENTRY_POINTS for p in kustomize_resources(ROOT / entry)}
    assert {p.resolve() for p in manifest_files()} == reachable


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_kustomize_renders_valid_objects(entry: str, request: pytest.FixtureRequest):
    if shutil.which("kubectl") is None:
        reason = "kubectl is not on PATH: kustomize rendering unchecked"
        print(reason)
        pytest.skip(reason)
    rendered = kustomize_build(ROOT / entry)
    sources = [
        m for p in kustomize_resources(ROOT / entry) for m in load_documents(p.read_text(), p)
    ]
    assert sorted((m.kind, m.name) for m in rendered) == sorted((m.kind, m.name) for m in sources)
    for manifest in rendered:
        _validate(manifest, request)


def test_gate_tells_a_knative_service_from_a_core_service(crds: Path):
    # The API group picks the schema: the same body as a core v1 Service must be rejected.
    doc = _first("Service", "serving.knative.dev")
    assert validate(doc, crds) == "crd"
    with pytest.raises(ManifestError):
        validate({**doc, "apiVersion": "v1"}, crds)
