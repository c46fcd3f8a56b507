"""Checks over a whole rendered build (a list of objects), each returning the problems it finds.

Schema validation (``manifests.validate``) looks at one object at a time; these look across
objects: what one names, another must be (scale targets, TriggerAuthentications, Trigger
subscribers, Secrets and ConfigMaps, Services and the pods that policies select), and every pod
must be hardened. Each function returns a list of sentences, empty when the build is sound, so
the known-bad manifests of tests/deploy/bad can prove a check bites by the problem it reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]

# Made outside the manifests, by terraform (terraform/main.tf; test_keda checks it creates
# them): the configuration every pod reads and the credentials of the scalers and the source.
EXTERNAL_CONFIG_MAPS = frozenset({"eco2-config"})
EXTERNAL_SECRETS = frozenset({"eco2-secrets", "eco2-keda", "eco2-rabbitmq"})
# Pods the manifests select but do not create: Istio's ingress gateway in istio-system.
EXTERNAL_POD_LABELS = {"istio-system": [{"istio": "ingressgateway", "app": "istio-ingressgateway"}]}
# Labels Knative adds to the pods of a Knative Service (the NetworkPolicy selects on it).
KNATIVE_POD_LABEL = "serving.knative.dev/service"
# The name Knative gives the user container's port in every revision's pods, whatever the
# Service's own template calls it.
KNATIVE_USER_PORT = "user-port"


@dataclass(frozen=True)
class Pod:
    """A pod template and what owns it."""

    owner: str  # "Kind/name"
    namespace: str
    labels: dict[str, str]
    spec: dict[str, Any]
    knative: bool


def name_of(doc: Document) -> str:
    return str(doc.get("metadata", {}).get("name"))


def namespace_of(doc: Document) -> str:
    return str(doc.get("metadata", {}).get("namespace", ""))


def key_of(doc: Document) -> str:
    return f"{doc.get('kind')}/{name_of(doc)}"


def pods(docs: list[Document]) -> list[Pod]:
    """Every pod template of the build: Deployments, Jobs, CronJobs and Knative Services."""
    found = []
    for doc in docs:
        kind, group = doc.get("kind"), str(doc.get("apiVersion", "")).rpartition("/")[0]
        template: dict[str, Any] | None = None
        knative = False
        if kind in ("Deployment", "Job") and group in ("apps", "batch"):
            template = doc["spec"]["template"]
        elif kind == "CronJob":
            template = doc["spec"]["jobTemplate"]["spec"]["template"]
        elif kind == "Service" and group == "serving.knative.dev":
            template, knative = doc["spec"]["template"], True
        if template is None:
            continue
        labels = dict(template.get("metadata", {}).get("labels", {}))
        if knative:
            labels[KNATIVE_POD_LABEL] = name_of(doc)
        found.append(Pod(key_of(doc), namespace_of(doc), labels, template["spec"], knative))
    return found


def containers(pod: Pod) -> Iterator[dict[str, Any]]:
    yield from pod.spec.get("initContainers", [])
    yield from pod.spec.get("containers", [])


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against pod labels."""
    if not selector:
        return True
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, op, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        ok = {
            "Exists": present,
            "DoesNotExist": not present,
            "In": present and labels[key] in values,
            "NotIn": not present or labels[key] not in values,
        }[op]
        if not ok:
            return False
    return True


def _index(docs: list[Document]) -> dict[tuple[str, str, str], Document]:
    return {(str(d.get("kind")), namespace_of(d), name_of(d)): d for d in docs}


def _pods_selected(
    docs: list[Document], namespace: str, selector: dict[str, Any]
) -> list[dict[str, str]]:
    labels = [p.labels for p in pods(docs) if p.namespace == namespace]
    labels += EXTERNAL_POD_LABELS.get(namespace, [])
    return [pod for pod in labels if selects(selector, pod)]


def reference_problems(docs: list[Document]) -> list[str]:
    """Names that must resolve inside the build (or to the objects terraform makes)."""
    index = _index(docs)
    problems: list[str] = []

    def has(kind: str, namespace: str, name: str) -> bool:
        return (kind, namespace, name) in index

    def has_ref(ref: dict[str, Any], namespace: str) -> bool:
        """An object reference with its apiVersion: a Knative Service is no core Service."""
        found = index.get((ref["kind"], ref.get("namespace", namespace), ref["name"]))
        return found is not None and found.get("apiVersion") == ref.get("apiVersion")

    for doc in docs:
        kind, ns, where = doc.get("kind"), namespace_of(doc), key_of(doc)
        spec = doc.get("spec", {})
        if kind == "ScaledObject":
            target = spec["scaleTargetRef"]
            if not has(target.get("kind", "Deployment"), ns, target["name"]):
                problems.append(f"{where}: scale target {target['name']} does not exist")
            for trigger in spec.get("triggers", []):
                auth = trigger.get("authenticationRef")
                if auth and not has(auth.get("kind", "TriggerAuthentication"), ns, auth["name"]):
                    problems.append(f"{where}: TriggerAuthentication {auth['name']} is missing")
        elif kind == "HorizontalPodAutoscaler":
            target = spec["scaleTargetRef"]
            if not has(target["kind"], ns, target["name"]):
                problems.append(f"{where}: scale target {target['name']} does not exist")
        elif kind == "TriggerAuthentication":
            for ref in spec.get("secretTargetRef", []):
                if ref["name"] not in EXTERNAL_SECRETS and not has("Secret", ns, ref["name"]):
                    problems.append(f"{where}: Secret {ref['name']} is made nowhere")
        elif kind == "Trigger":
            if not has("Broker", ns, spec["broker"]):
                problems.append(f"{where}: Broker {spec['broker']} does not exist")
            ref = spec["subscriber"]["ref"]
            if not has_ref(ref, ns):
                problems.append(f"{where}: subscriber {ref['kind']}/{ref['name']} does not exist")
        elif kind == "RabbitmqSource":
            ref = spec["sink"]["ref"]
            if not has_ref(ref, ns):
                problems.append(f"{where}: sink {ref['kind']}/{ref['name']} does not exist")
            secret = spec["rabbitmqClusterReference"]["connectionSecret"]["name"]
            if secret not in EXTERNAL_SECRETS and not has("Secret", ns, secret):
                problems.append(f"{where}: Secret {secret} is made nowhere")
        elif kind == "Service" and doc["apiVersion"] == "v1":
            problems += _service_problems(docs, doc)
        elif kind in ("PodDisruptionBudget", "NetworkPolicy"):
            selector = spec.get("selector" if kind == "PodDisruptionBudget" else "podSelector")
            if selector and not _pods_selected(docs, ns, selector):
                problems.append(f"{where}: its selector matches no pod")
        elif kind in ("AuthorizationPolicy", "PeerAuthentication"):
            selector = spec.get("selector")
            if selector and not _pods_selected(docs, ns, selector):
                problems.append(f"{where}: its selector matches no pod")
        elif kind == "VirtualService":
            for route in spec.get("http", []):
                for destination in route.get("route", []):
                    host = destination["destination"]["host"]
                    name, _, rest = host.partition(".")
                    service_ns = rest.partition(".")[0] or ns
                    if not has("Service", service_ns, name):
                        problems.append(f"{where}: destination Service {host} does not exist")
        elif kind == "ServiceMonitor":
            problems += _monitor_problems(docs, doc)
        elif kind == "PodMonitor":
            problems += _pod_monitor_problems(docs, doc)
    for pod in pods(docs):
        problems += _config_problems(pod, index)
        account = pod.spec.get("serviceAccountName")
        if account and not has("ServiceAccount", pod.namespace, account):
            problems.append(f"{pod.owner}: ServiceAccount {account} does not exist")
    return problems


def _service_problems(docs: list[Document], service: Document) -> list[str]:
    where, ns = key_of(service), namespace_of(service)
    selector = {"matchLabels": service["spec"].get("selector", {})}
    matching = [p for p in pods(docs) if p.namespace == ns and selects(selector, p.labels)]
    if not matching:
        return [f"{where}: its selector matches no pod"]
    named = {port["name"] for p in matching for c in containers(p) for port in c.get("ports", [])}
    return [
        f"{where}: targetPort {port['targetPort']} is no container port of its pods"
        for port in service["spec"]["ports"]
        if isinstance(port.get("targetPort"), str) and port["targetPort"] not in named
    ]


def _monitor_problems(docs: list[Document], monitor: Document) -> list[str]:
    where, ns = key_of(monitor), namespace_of(monitor)
    selector = monitor["spec"]["selector"]
    services = [
        d
        for d in docs
        if (d.get("apiVersion"), d.get("kind")) == ("v1", "Service")
        and namespace_of(d) == ns
        and selects(selector, d.get("metadata", {}).get("labels", {}))
    ]
    if not services:
        return [f"{where}: selects no Service"]
    ports = {p.get("name") for s in services for p in s["spec"]["ports"]}
    return [
        f"{where}: port {e['port']} is not a port of the Services it selects"
        for e in monitor["spec"]["endpoints"]
        if "port" in e and e["port"] not in ports
    ]


def _pod_monitor_problems(docs: list[Document], monitor: Document) -> list[str]:
    where, ns = key_of(monitor), namespace_of(monitor)
    selected = [
        p
        for p in pods(docs)
        if p.namespace == ns and selects(monitor["spec"]["selector"], p.labels)
    ]
    if not selected:
        return [f"{where}: its selector matches no pod"]
    ports = {port["name"] for p in selected for c in containers(p) for port in c.get("ports", [])}
    if any(p.knative for p in selected):
        ports.add(KNATIVE_USER_PORT)
    return [
        f"{where}: port {e['port']} is no container port of the pods it selects"
        for e in monitor["spec"]["podMetricsEndpoints"]
        if "port" in e and e["port"] not in ports
    ]


def _config_problems(pod: Pod, index: dict[tuple[str, str, str], Document]) -> list[str]:
    """Secrets and ConfigMaps named by env, envFrom and volumes."""
    problems = []

    def check(kind: str, name: str) -> None:
        external = EXTERNAL_CONFIG_MAPS if kind == "ConfigMap" else EXTERNAL_SECRETS
        if name not in external and (kind, pod.namespace, name) not in index:
            problems.append(f"{pod.owner}: {kind} {name} is made nowhere")

    for container in containers(pod):
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                check("ConfigMap", source["configMapRef"]["name"])
            if "secretRef" in source:
                check("Secret", source["secretRef"]["name"])
        for variable in container.get("env", []):
            ref = variable.get("valueFrom", {})
            if "configMapKeyRef" in ref:
                check("ConfigMap", ref["configMapKeyRef"]["name"])
            if "secretKeyRef" in ref:
                check("Secret", ref["secretKeyRef"]["name"])
    for volume in pod.spec.get("volumes", []):
        if "configMap" in volume:
            check("ConfigMap", volume["configMap"]["name"])
        if "secret" in volume:
            check("Secret", volume["secret"]["secretName"])
    return problems
