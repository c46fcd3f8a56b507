"""What the cluster says about each function: its ready Knative revision, its KEDA worker's
replicas and the queue lag KEDA scales it on.

Everything is read through the Kubernetes API with the ``kubernetes`` client, imported only here
and only when asked, so no other process pays for it. Objects are found by the label
``eco2.kr/function`` that every function's Knative Service, worker Deployment and ScaledObject
carries. The lag is the external metric KEDA serves for each of the ScaledObject's triggers (the
number the HPA scales on: undelivered entries of a Redis Streams group, or a RabbitMQ queue's
messages), summed over the triggers (one per shard). It is read through the API server, so it
works wherever kubectl does; Redis itself, in private subnets, need not be reachable.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

FUNCTIONS = ("vision", "rule", "answer", "reward", "chat")
LABEL = "eco2.kr/function"
TIMEOUT_S = 10.0


class NoCluster(Exception):
    """No kubeconfig and not inside a pod: there is no cluster to ask."""


class ClusterError(Exception):
    """The cluster was configured but did not answer as expected."""


class FunctionStatus(BaseModel):
    """One function as deployed; None where that path is not deployed or could not be read."""

    function: str
    knative_service: str | None = None
    ready_revision: str | None = None
    knative_ready: bool | None = None
    worker: str | None = None
    ready_replicas: int | None = None
    desired_replicas: int | None = None
    lag: int | None = None
    notes: list[str] = Field(default_factory=list)


def load_api_client(kubeconfig: str | None = None, context: str | None = None) -> Any:
    """An ``ApiClient`` for the pod's service account inside a cluster, else for a kubeconfig
    (``kubeconfig``, ``$KUBECONFIG`` or ``~/.kube/config``); ``NoCluster`` when neither exists."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()
    if kubeconfig is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
        try:
            config.load_incluster_config(client_configuration=configuration)
            return client.ApiClient(configuration)
        except ConfigException as exc:
            raise NoCluster(f"inside a pod, but {exc}") from exc
    path = kubeconfig or _default_kubeconfig()
    if path is None:
        raise NoCluster(
            "no kubeconfig ($KUBECONFIG or ~/.kube/config) and not inside a cluster: "
            "run `aws eks update-kubeconfig --name <cluster> --region <region>` first"
        )
    try:
        config.load_kube_config(
            config_file=path, context=context, client_configuration=configuration
        )
    except ConfigException as exc:
        raise NoCluster(f"kubeconfig {path}: {exc}") from exc
    return client.ApiClient(configuration)


def _default_kubeconfig() -> str | None:
    """The first existing file of ``$KUBECONFIG`` (a path list), else ``~/.kube/config``."""
    listed = os.environ.get("KUBECONFIG", "")
    candidates = [p for p in listed.split(os.pathsep) if p] or [str(Path.home() / ".kube/config")]
    return next((p for p in candidates if Path(p).expanduser().is_file()), None)


def collect(api_client: Any, namespace: str) -> list[FunctionStatus]:
    """The status of every function in ``namespace``: the five known ones, then any other
    object carrying the function label."""
    from kubernetes import client

    custom = client.CustomObjectsApi(api_client)
    apps = client.AppsV1Api(api_client)
    services = _list_custom(custom, "serving.knative.dev", "v1", namespace, "services")
    scaled = _list_custom(custom, "keda.sh", "v1alpha1", namespace, "scaledobjects")
    try:
        deployments = apps.list_namespaced_deployment(
            namespace, label_selector=LABEL, _request_timeout=TIMEOUT_S
        ).items
    except client.ApiException as exc:
        raise ClusterError(f"listing Deployments in {namespace}: {_reason(exc)}") from exc

    statuses = {name: FunctionStatus(function=name) for name in FUNCTIONS}

    def status_of(labels: dict[str, str] | None) -> FunctionStatus:
        name = (labels or {})[LABEL]
        return statuses.setdefault(name, FunctionStatus(function=name))

    for service in services:
        _knative(status_of(service["metadata"].get("labels")), service)
    for deployment in deployments:
        labels = deployment.metadata.labels if deployment.metadata else None
        _worker(status_of(labels), deployment)
    for scaled_object in scaled:
        _lag(custom, namespace, status_of(scaled_object["metadata"].get("labels")), scaled_object)
    for status in statuses.values():
        if status.knative_service is None and status.worker is None:
            status.notes.append("not deployed")
    return list(statuses.values())


def _list_custom(
    custom: Any, group: str, version: str, namespace: str, plural: str
) -> list[dict[str, Any]]:
    """Objects of a CRD carrying the function label; none when the CRD is not installed."""
    from kubernetes import client

    try:
        listed = custom.list_namespaced_custom_object(
            group, version, namespace, plural, label_selector=LABEL, _request_timeout=TIMEOUT_S
        )
    except client.ApiException as exc:
        if exc.status == 404:  # Knative or KEDA is not installed: that path is simply absent
            return []
        raise ClusterError(f"listing {plural}.{group}: {_reason(exc)}") from exc
    items: list[dict[str, Any]] = listed.get("items", [])
    return items


def _knative(status: FunctionStatus, service: dict[str, Any]) -> None:
    state = service.get("status", {})
    status.knative_service = service["metadata"]["name"]
    status.ready_revision = state.get("latestReadyRevisionName")
    status.knative_ready = _condition(state.get("conditions", []), "Ready")
    created = state.get("latestCreatedRevisionName")
    if created and created != status.ready_revision:
        status.notes.append(f"revision {created} not ready")


def _condition(conditions: Iterable[dict[str, Any]], kind: str) -> bool | None:
    for condition in conditions:
        if condition.get("type") == kind:
            return bool(condition.get("status") == "True")
    return None


def _worker(status: FunctionStatus, deployment: Any) -> None:
    status.worker = deployment.metadata.name
    status.desired_replicas = deployment.spec.replicas or 0
    status.ready_replicas = (deployment.status.ready_replicas if deployment.status else 0) or 0


def _lag(custom: Any, namespace: str, status: FunctionStatus, scaled: dict[str, Any]) -> None:
    """Sum of the external metric of each trigger, as KEDA's metrics server reports it now."""
    from kubernetes import client
    from kubernetes.utils import parse_quantity

    name = scaled["metadata"]["name"]
    metrics = scaled.get("status", {}).get("externalMetricNames", [])
    if not metrics:
        status.notes.append(f"ScaledObject {name} reports no metric yet")
        return
    total = 0
    for metric in metrics:
        try:
            values = custom.list_namespaced_custom_object(
                "external.metrics.k8s.io",
                "v1beta1",
                namespace,
                metric,
                label_selector=f"scaledobject.keda.sh/name={name}",
                _request_timeout=TIMEOUT_S,
            )
        except client.ApiException as exc:
            status.notes.append(f"lag unreadable ({metric}: {_reason(exc)})")
            return
        total += sum(int(parse_quantity(item["value"])) for item in values.get("items", []))
    status.lag = total


def _reason(exc: Any) -> str:
    return f"HTTP {exc.status} {exc.reason}".strip()
