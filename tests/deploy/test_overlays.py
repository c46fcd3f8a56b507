"""deploy/: the Kustomize base and the dev and prod overlays, rendered and checked as a whole.

Each build is rendered by ``kubectl kustomize`` (offline), every object is validated strictly
(the shared CRDs, the CRDs vendored in tests/deploy/schemas, the Istio hand schemas, then
kubernetes-validate; a kind none knows fails), and the cross-object checks of checks.py and
hardening.py must find nothing. The known-bad manifests of tests/deploy/bad prove each check
rejects what it should (test_bad_manifests.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
import yaml

from domains.llm.settings import LLMSettings
from eventing.runtime.settings import RuntimeSettings
from tests.deploy.checks import Document, name_of, pods, reference_problems
from tests.deploy.hardening import hardening_problems, image_problems
from tests.deploy.manifests import ROOT, WAKES, ManifestError, kustomize_build, validate

# The rabbitmq function mode is in no overlay: it is rendered onto the base by itself.
RABBITMQ = "deploy/base+deploy/components/rabbitmq"
BUILDS = ("deploy/base", "deploy/overlays/dev", "deploy/overlays/prod", RABBITMQ)
OVERLAYS = ("deploy/overlays/dev", "deploy/overlays/prod")
# The pause a stopping pod spends in preStop before its process is told to stop.
PRESTOP_S = 5


def min_grace_s() -> float:
    """A stopping pod outlasts an LLM call in flight (after its preStop pause) and the
    worker's own shutdown grace."""
    return max(LLMSettings().timeout_s + PRESTOP_S, RuntimeSettings().shutdown_grace_s)


@cache
def rendered(entry: str) -> list[Document]:
    if shutil.which("kubectl") is None:
        reason = "kubectl is not on PATH: kustomize rendering unchecked"
        print(reason)
        pytest.skip(reason)
    if "+" not in entry:
        return [m.doc for m in kustomize_build(ROOT / entry)]
    # A base plus a component, as an overlay would combine them (kustomize wants the paths
    # relative to the kustomization's own folder).
    base, component = entry.split("+")
    folder = Path(tempfile.mkdtemp(prefix="eco2-kustomize-"))
    try:
        (folder / "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    "resources": [os.path.relpath(ROOT / base, folder)],
                    "components": [os.path.relpath(ROOT / component, folder)],
                }
            )
        )
        return [m.doc for m in kustomize_build(folder)]
    finally:
        shutil.rmtree(folder)


def _objects(entry: str) -> set[tuple[str, str]]:
    return {(str(d["kind"]), name_of(d)) for d in rendered(entry)}


@pytest.mark.parametrize("entry", BUILDS)
def test_every_object_validates_strictly(entry: str, crds: Path) -> None:
    errors = []
    for doc in rendered(entry):
        try:
            validate(doc, crds)
        except ManifestError as exc:
            errors.append(f"{doc['kind']}/{name_of(doc)}: {exc}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("entry", BUILDS)
def test_every_reference_resolves(entry: str) -> None:
    assert reference_problems(rendered(entry)) == []


@pytest.mark.parametrize("entry", BUILDS)
def test_every_pod_is_hardened(entry: str) -> None:
    assert hardening_problems(rendered(entry), min_grace_s()) == []


def test_prod_pins_the_image_by_digest_and_dev_uses_a_tag() -> None:
    assert image_problems(rendered("deploy/overlays/prod"), pinned=True) == []
    assert image_problems(rendered("deploy/overlays/dev"), pinned=False) == []


@pytest.mark.parametrize("entry", OVERLAYS)
def test_each_overlay_runs_every_function_once(entry: str) -> None:
    # One function mode per overlay: two would take every event twice.
    functions = [p.labels.get("eco2.kr/function") for p in pods(rendered(entry))]
    event_driven = sorted(f for f in functions if f and f in WAKES.values())
    assert event_driven == sorted(WAKES.values())


def test_the_base_holds_what_every_environment_runs() -> None:
    objects = _objects("deploy/base")
    for name in ("eco2-api", "eco2-gateway", "eco2-router", "eco2-analyser"):
        assert ("Deployment", name) in objects
        assert ("PodDisruptionBudget", name) in objects
    assert ("CronJob", "eco2-reminders") in objects
    assert ("Job", "eco2-db-migrate") in objects
    assert ("NetworkPolicy", "default-deny") in objects
    assert ("AuthorizationPolicy", "eco2-ext-authz") in objects
    assert ("PrometheusRule", "eco2-pipeline") in objects
    assert ("ConfigMap", "eco2-grafana-dashboard") in objects


def test_dev_runs_pull_workers_and_prod_knative_services() -> None:
    dev, prod = rendered("deploy/overlays/dev"), rendered("deploy/overlays/prod")
    assert {d["kind"] for d in dev if d.get("apiVersion") == "keda.sh/v1alpha1"} >= {"ScaledObject"}
    assert not [d for d in dev if d["apiVersion"].startswith("serving.knative.dev")]
    assert len([d for d in prod if d["apiVersion"] == "serving.knative.dev/v1"]) == len(WAKES)
    assert len([d for d in prod if d["kind"] == "Trigger"]) == len(WAKES)


def _replicas(entry: str, kind: str, name: str, field: str) -> int:
    (doc,) = [d for d in rendered(entry) if d["kind"] == kind and name_of(d) == name]
    return int(doc["spec"][field])


def test_prod_runs_more_pods_than_dev() -> None:
    for kind, name, field in (
        ("HorizontalPodAutoscaler", "eco2-api", "minReplicas"),
        ("ScaledObject", "eco2-gateway", "minReplicaCount"),
        ("Deployment", "eco2-router", "replicas"),
    ):
        dev = _replicas("deploy/overlays/dev", kind, name, field)
        prod = _replicas("deploy/overlays/prod", kind, name, field)
        assert dev < prod or (kind == "Deployment" and dev <= prod), (kind, name, dev, prod)


def test_only_the_gateway_and_api_are_reachable_from_the_ingress() -> None:
    policies = [d for d in rendered("deploy/base") if d["kind"] == "NetworkPolicy"]
    from_ingress = set()
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            sources = [
                peer.get("namespaceSelector", {}).get("matchLabels", {})
                for peer in rule.get("from", [])
            ]
            if {"kubernetes.io/metadata.name": "istio-system"} in sources:
                from_ingress.add(
                    policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                )
    assert from_ingress == {"eco2-api", "eco2-gateway"}
    # The analysis service: the pods of the functions that tokenize (and Prometheus) only.
    (analyser,) = [p for p in policies if p["metadata"]["name"] == "eco2-analyser-from-functions"]
    (rule,) = analyser["spec"]["ingress"]
    pods_from = [peer["podSelector"] for peer in rule["from"] if "podSelector" in peer]
    assert pods_from == [
        {
            "matchExpressions": [
                {"key": "eco2.kr/function", "operator": "In", "values": ["rule", "chat"]}
            ]
        }
    ]
    namespaces = [peer["namespaceSelector"] for peer in rule["from"] if "namespaceSelector" in peer]
    assert namespaces == [{"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}]
    (deny,) = [p for p in policies if p["metadata"]["name"] == "default-deny"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_the_api_can_write_where_the_image_store_writes() -> None:
    # The filesystem image store's root (relative to the image's WORKDIR /app) is writable in
    # the image, and an emptyDir in the pod, whose root filesystem is read-only.
    from domains.image.settings import ImageSettings

    containerfile = (ROOT / "Containerfile").read_text()
    root = f"/app/{ImageSettings().root}"
    assert "WORKDIR /app" in containerfile and f"mkdir -p {root}" in containerfile
    assert "HOME=/tmp" in containerfile  # caches under ~ land in the /tmp emptyDir
    for entry in BUILDS:
        (api,) = [p for p in pods(rendered(entry)) if p.owner == "Deployment/eco2-api"]
        (container,) = [c for c in api.spec["containers"] if c["name"] == "api"]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in api.spec["volumes"]}
        assert "emptyDir" in volumes[mounts[root]], entry


@pytest.mark.parametrize("entry", [e for e in BUILDS if e != "deploy/base"])
def test_the_api_publishes_where_the_functions_listen(entry: str) -> None:
    # Knative functions are fed by the RabbitMQ source, amqp workers by their queues: the API
    # must publish to RabbitMQ for both, to Redis Streams for the redis workers.
    from domains.scan.settings import PipelineSettings

    docs = rendered(entry)
    functions = [p for p in pods(docs) if p.labels.get("eco2.kr/function") in WAKES.values()]
    triggers = set()
    for pod in functions:
        if pod.knative:
            triggers.add("amqp")
            continue
        (container,) = pod.spec["containers"]
        triggers |= {a.removeprefix("--trigger=") for a in container["args"] if "--trigger=" in a}
    (api,) = [p for p in pods(docs) if p.owner == "Deployment/eco2-api"]
    env = {e["name"]: e.get("value") for c in api.spec["containers"] for e in c.get("env", [])}
    transport = env["ECO2_PIPELINE__TRANSPORT"]
    assert triggers == {transport}
    assert PipelineSettings(transport=transport).transport == transport
    exchange = PipelineSettings().exchange
    for source in [d for d in docs if d["kind"] == "RabbitmqSource"]:
        assert source["spec"]["rabbitmqResourcesConfig"]["exchangeName"] == exchange
