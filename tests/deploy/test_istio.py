"""The Istio manifests under istio/: valid offline, fail closed, and one header contract.

Istio's CRDs are not in ../shared/crds: the Istio kinds are checked against the strict
hand-written schemas of ``tests/deploy/istio_schemas.py`` instead (said again in
docs/mesh-auth.md); the built-in kinds ``kubectl kustomize istio`` renders go through
``kubernetes_validate`` like every other manifest.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from domains.auth import USER_HEADER
from eco2.api.auth import AUTH, EXT_AUTHZ
from eco2.settings import Settings
from tests.deploy.istio_schemas import SCHEMAS
from tests.deploy.manifests import ROOT, Manifest, kustomize_build, load_documents, validate

ISTIO = ROOT / "istio"
FILES = sorted(p for p in ISTIO.glob("*.yaml") if p.name != "kustomization.yaml")
PATCHES = {"api-behind-mesh.yaml"}  # a partial Deployment, checked in the rendered build
DOCS = [m for p in FILES if p.name not in PATCHES for m in load_documents(p.read_text(), p)]
TRUST_SETTING = "ECO2_AUTH__TRUST_MESH_HEADER"


def one(kind: str, name: str) -> dict[str, Any]:
    found = [m.doc for m in DOCS if m.kind == kind and m.name == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} documents"
    return found[0]


def provider() -> dict[str, Any]:
    operator = one("IstioOperator", "eco2-mesh")
    (entry,) = operator["spec"]["meshConfig"]["extensionProviders"]
    return entry


@pytest.mark.parametrize("manifest", DOCS, ids=str)
def test_each_istio_document_is_valid_for_its_kind(manifest: Manifest) -> None:
    schema = SCHEMAS.get((manifest.doc["apiVersion"], manifest.kind))
    assert schema is not None, f"no schema for {manifest}"
    jsonschema.validate(manifest.doc, schema)


def test_the_hand_schemas_refuse_a_typo() -> None:
    policy = one("AuthorizationPolicy", "eco2-ext-authz")
    broken = yaml.safe_load(yaml.safe_dump(policy))
    broken["spec"]["rules"][0]["to"][0]["operation"]["path"] = ["/api/v1/*"]  # paths
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMAS[("security.istio.io/v1", "AuthorizationPolicy")])
    broken = yaml.safe_load(yaml.safe_dump(one("IstioOperator", "eco2-mesh")))
    broken["spec"]["meshConfig"]["extensionProviders"][0]["envoyExtAuthzHttp"]["failOpen"] = "no"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMAS[("install.istio.io/v1alpha1", "IstioOperator")])


def test_the_ingress_gateway_sends_api_requests_to_ext_authz_except_auth_paths() -> None:
    spec = one("AuthorizationPolicy", "eco2-ext-authz")["spec"]
    assert spec["action"] == "CUSTOM"
    assert spec["selector"] == {"matchLabels": {"istio": "ingressgateway"}}
    assert spec["provider"]["name"] == provider()["name"]
    assert spec["rules"] == [
        {"to": [{"operation": {"paths": ["/api/v1/*"], "notPaths": [f"{AUTH}/*"]}}]}
    ]


def test_the_provider_fails_closed_and_passes_exactly_the_user_header() -> None:
    http = provider()["envoyExtAuthzHttp"]
    assert http["failOpen"] is False  # a YAML boolean, not the string "false"
    assert http["statusOnError"] == "503"
    assert http["headersToUpstreamOnAllow"] == [USER_HEADER] == ["x-user-id"]
    assert sorted(http["includeRequestHeadersInCheck"]) == ["authorization", "cookie"]
    assert http["pathPrefix"] == EXT_AUTHZ


def test_the_provider_points_at_the_api_service_that_serves_the_check() -> None:
    http = provider()["envoyExtAuthzHttp"]
    core = load_documents((ROOT / "keda/core/api.yaml").read_text(), ROOT / "keda/core/api.yaml")
    (service,) = [m.doc for m in core if m.kind == "Service" and m.name == "eco2-api"]
    meta = service["metadata"]
    assert http["service"] == f"{meta['name']}.{meta['namespace']}.svc.cluster.local"
    assert http["port"] in [port["port"] for port in service["spec"]["ports"]]


def test_a_client_x_user_id_is_refused_where_ext_authz_does_not_overwrite_it() -> None:
    spec = one("AuthorizationPolicy", "eco2-no-client-user-header")["spec"]
    assert spec["action"] == "DENY" and spec["selector"]["matchLabels"] == {
        "istio": "ingressgateway"
    }
    unchecked = [rule["to"][0]["operation"] for rule in spec["rules"]]
    assert unchecked == [{"paths": [f"{AUTH}/*"]}, {"notPaths": ["/api/v1/*"]}]
    for rule in spec["rules"]:
        assert rule["when"] == [{"key": f"request.headers[{USER_HEADER}]", "values": ["*"]}]


def test_only_the_gateway_reaches_the_api() -> None:
    allow = one("AuthorizationPolicy", "eco2-api-from-gateway")["spec"]
    assert allow["action"] == "ALLOW"
    assert allow["selector"]["matchLabels"] == {"app.kubernetes.io/name": "eco2-api"}
    sources = [r["from"][0]["source"] for r in allow["rules"] if "from" in r]
    assert sources == [
        {"principals": ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]}
    ]
    open_paths = [r["to"][0]["operation"] for r in allow["rules"] if "to" in r]
    assert open_paths == [{"methods": ["GET"], "paths": ["/healthz", "/readyz", "/metrics"]}]
    mtls = one("PeerAuthentication", "eco2-api-mtls")["spec"]
    assert mtls["mtls"]["mode"] == "STRICT"
    assert mtls["selector"] == allow["selector"]


def test_no_route_excluded_from_the_check_takes_the_caller_from_the_header() -> None:
    # The OpenAPI document names each route's auth: the mesh header is a security scheme of
    # its own (eco2/api/identity.py), which no route under the unchecked auth paths may take.
    from eco2.api import create_app

    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    schemes = document["components"]["securitySchemes"]
    mesh = {n for n, s in schemes.items() if s.get("in") == "header" and s["name"] == USER_HEADER}
    assert mesh, "the mesh header is no security scheme"
    checked = [p for p in document["paths"] if p.startswith("/api/v1/") and not p.startswith(AUTH)]
    excluded = [p for p in document["paths"] if p.startswith(f"{AUTH}/")]
    assert excluded and checked
    taking = {
        path
        for path in document["paths"]
        for operation in document["paths"][path].values()
        for requirement in operation.get("security", [])
        if mesh & set(requirement)
    }
    assert taking, "no route takes the mesh header at all"
    assert not taking & set(excluded), (
        f"unchecked routes trusting x-user-id: {taking & set(excluded)}"
    )


@pytest.fixture(scope="module")
def rendered() -> list[Manifest]:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not on PATH: kustomize build of istio/ unchecked")
    return kustomize_build(ISTIO)


def test_the_kustomization_renders_and_its_builtin_kinds_validate(rendered: list[Manifest]) -> None:
    istio_kinds = {kind for _, kind in SCHEMAS} - {"IstioOperator"}
    for manifest in rendered:
        if manifest.group.endswith("istio.io"):
            assert manifest.kind in istio_kinds
        elif manifest.group in ("", "apps", "policy", "autoscaling", "batch"):
            assert validate(manifest.doc, None) == "kubernetes", manifest
    names = {(m.kind, m.name) for m in rendered}
    assert ("AuthorizationPolicy", "eco2-ext-authz") in names
    assert ("Deployment", "eco2-api") in names


def test_the_api_behind_the_mesh_trusts_the_header_by_the_setting_it_reads(
    rendered: list[Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    (api,) = [m.doc for m in rendered if m.kind == "Deployment" and m.name == "eco2-api"]
    template = api["spec"]["template"]
    assert template["metadata"]["labels"]["sidecar.istio.io/inject"] == "true"
    (container,) = template["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container.get("env", [])}
    assert env == {TRUST_SETTING: "true"}
    assert container["envFrom"], "the patch kept the ConfigMap and Secret"
    # The name the manifest sets is the one the API reads.
    monkeypatch.setenv(TRUST_SETTING, env[TRUST_SETTING])
    assert Settings(_env_file=None).auth.trust_mesh_header is True  # type: ignore[call-arg]
    monkeypatch.delenv(TRUST_SETTING)
    assert Settings(_env_file=None).auth.trust_mesh_header is False  # type: ignore[call-arg]


SPELLINGS = re.compile(r"(?i)\bx[-_ ]?user[-_ ]?id\b")


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_header_is_spelled_x_user_id_everywhere() -> None:
    """Every header-like spelling in the code and the manifests is exactly ``x-user-id``
    (the seed's services disagreed on it; docstrings may say ``X-User-Id`` in prose)."""
    wrong: list[str] = []
    for package in ("eco2", "domains", "functions", "eventing"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for literal in _literals(path):
                if re.fullmatch(SPELLINGS, literal.strip()) and literal != USER_HEADER:
                    wrong.append(f"{path.relative_to(ROOT)}: {literal!r}")
    for folder in ("istio", "knative", "keda"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            for match in SPELLINGS.finditer(path.read_text()):
                if match.group(0) != USER_HEADER:
                    wrong.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert not wrong, "the user header spelled otherwise: " + ", ".join(wrong)
