"""Offline validation of Kubernetes manifests: the shared helpers of the deploy tests.

Built-in kinds are checked with ``kubernetes_validate`` (its bundled OpenAPI schemas, strict:
unknown fields fail). Knative and KEDA kinds are checked against the ``openAPIV3Schema`` of the
upstream CRDs in ``../shared/crds``, made strict the way the API server's structural pruning
is: a field the schema does not declare is an error, not silently dropped. The kinds the shared
folder lacks are checked the same way against CRDs vendored in tests/deploy/schemas (Argo CD,
Prometheus Operator), and Istio's against the hand-written schemas of istio_schemas.py. A kind
none of them covers is an error too: ``kubernetes_validate`` only warns for those, which would
let a typo'd ``apiVersion`` through.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tests.deploy.istio_schemas import SCHEMAS as ISTIO_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
# CRDs vendored unchanged from upstream for the kinds ../shared/crds lacks (Argo CD Application,
# Prometheus Operator ServiceMonitor, PodMonitor, PrometheusRule): tests/deploy/schemas/README.md.
VENDORED_CRDS = Path(__file__).resolve().parent / "schemas"
MANIFEST_DIRS = ("knative", "keda")
KUBERNETES_VERSION = "1.32"
Document = dict[str, Any]
# The pipeline as deployed: which CloudEvent type wakes which function (each stage's reply is
# the next stage's event).
WAKES = {
    "kr.eco2.scan.requested": "vision",
    "kr.eco2.scan.vision.completed": "rule",
    "kr.eco2.scan.rule.completed": "answer",
    "kr.eco2.scan.answer.completed": "reward",
    "kr.eco2.chat.requested": "chat",
}


class ManifestError(Exception):
    """A manifest is not valid for its kind (or its kind is unknown)."""


@dataclass(frozen=True)
class Manifest:
    """One YAML document and where it came from."""

    path: Path
    index: int
    doc: Document

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind"))

    @property
    def name(self) -> str:
        return str(self.doc.get("metadata", {}).get("name"))

    @property
    def group(self) -> str:
        """The API group ("" for core), so Knative's Service is not confused with v1 Service."""
        api_version = str(self.doc.get("apiVersion", ""))
        return api_version.rpartition("/")[0]

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}#{self.index} {self.kind}/{self.name}"


def crd_dir() -> Path | None:
    """The shared CRD folder (``../shared/crds`` from the project root), if it is there."""
    for candidate in (ROOT.parent / "shared" / "crds", ROOT / "../shared/crds"):
        if candidate.resolve().is_dir() and any(candidate.resolve().glob("*.yaml")):
            return candidate.resolve()
    return None


def manifest_files() -> list[Path]:
    """Every YAML file under knative/ and keda/ except kustomize's own files."""
    files = [p for d in MANIFEST_DIRS for p in sorted((ROOT / d).rglob("*.yaml"))]
    return [p for p in files if p.name != "kustomization.yaml"]


def load_documents(text: str, path: Path) -> list[Manifest]:
    """The non-empty documents of a multi-document YAML text."""
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    return [Manifest(path, i, d) for i, d in enumerate(docs)]


def all_manifests() -> list[Manifest]:
    """Every document of every manifest file."""
    return [m for p in manifest_files() for m in load_documents(p.read_text(), p)]


def _strict(schema: Any) -> Any:
    """A copy of a CRD schema in which undeclared fields are errors (structural pruning)."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items() if k != "properties"}
    if "properties" in schema:
        out["properties"] = {k: _strict(v) for k, v in schema["properties"].items()}
        keeps_unknown = schema.get("x-kubernetes-preserve-unknown-fields", False)
        if not keeps_unknown and "additionalProperties" not in schema:
            out["additionalProperties"] = False
    return out


def _with_object_meta(schema: dict[str, Any]) -> dict[str, Any]:
    """The root schema plus the fields the API server accepts on every object.

    Some CRDs (Knative's Trigger and Broker) declare only spec and status at the root.
    """
    schema = copy.deepcopy(schema)
    properties = schema.setdefault("properties", {})
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    properties.setdefault("metadata", {"type": "object"})
    return schema


@cache
def crd_schemas(folder: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(group, version, kind) → strict schema, from every CRD in ``folder``."""
    schemas: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in sorted(folder.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                schema = version.get("schema", {}).get("openAPIV3Schema")
                if schema is not None:
                    key = (spec["group"], version["name"], spec["names"]["kind"])
                    schemas[key] = _strict(_with_object_meta(schema))
    return schemas


def _check(schema: dict[str, Any], doc: Document) -> None:
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        lines = [f"{'.'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]
        raise ManifestError(f"{doc.get('apiVersion')} {doc.get('kind')}: " + "; ".join(lines))


def validate(doc: Document, crds: Path | None) -> str:
    """Validate one document; returns what checked it, raises ``ManifestError`` if invalid.

    In order: the shared upstream CRDs (``crds``), the CRDs vendored in tests/deploy/schemas,
    the hand-written Istio schemas, then ``kubernetes_validate`` for built-in kinds; a kind none
    of them knows is an error.
    """
    api_version = str(doc.get("apiVersion", ""))
    kind = str(doc.get("kind", ""))
    group, _, version = api_version.rpartition("/")
    if crds is not None and (group, version, kind) in crd_schemas(crds):
        _check(crd_schemas(crds)[(group, version, kind)], doc)
        return "crd"
    if (group, version, kind) in crd_schemas(VENDORED_CRDS):
        _check(crd_schemas(VENDORED_CRDS)[(group, version, kind)], doc)
        return "vendored crd"
    if (api_version, kind) in ISTIO_SCHEMAS:
        _check(ISTIO_SCHEMAS[(api_version, kind)], doc)
        return "istio schema"
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError as exc:
        raise ManifestError(f"no schema knows {api_version} {kind}") from exc
    except kubernetes_validate.ValidationError as exc:
        raise ManifestError(f"{api_version} {kind}: {exc.message}") from exc
    return "kubernetes"


def kustomization_dirs() -> list[Path]:
    """Every folder under knative/ and keda/ that has a kustomization.yaml."""
    return sorted(p.parent for d in MANIFEST_DIRS for p in (ROOT / d).rglob("kustomization.yaml"))


def kustomize_resources(folder: Path) -> Iterator[Path]:
    """The files a kustomization includes, following folder resources recursively."""
    config = yaml.safe_load((folder / "kustomization.yaml").read_text())
    for entry in config.get("resources", []):
        target = (folder / entry).resolve()
        if target.is_dir():
            yield from kustomize_resources(target)
        else:
            yield target


def kustomize_build(folder: Path, timeout: float = 30.0) -> list[Manifest]:
    """Render a kustomization with ``kubectl kustomize`` (offline); requires kubectl on PATH."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise FileNotFoundError("kubectl is not on PATH")
    result = subprocess.run(
        [kubectl, "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise ManifestError(f"kubectl kustomize {folder}: {result.stderr.strip()}")
    return load_documents(result.stdout, folder / "kustomization.yaml")


def scheduled_functions() -> dict[str, Manifest]:
    """Function dir name → the CronJob that ticks it (annotation ``eco2.kr/function``): those
    functions are woken by the clock, not by an event, so they have no worker or trigger."""
    found = {}
    for manifest in all_manifests():
        if manifest.kind == "CronJob":
            source = manifest.doc["metadata"].get("annotations", {}).get("eco2.kr/function")
            if source:
                found[Path(source).parent.name] = manifest
    return found
