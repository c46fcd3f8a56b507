"""Every pod hardened: what a rendered build's pod templates must say, as a list of problems.

Non-root, a read-only root filesystem with an emptyDir wherever the process writes, no
privilege escalation, every capability dropped, the runtime's seccomp profile, CPU and memory
requests and limits, probes on whatever serves a port, no service-account token, and a grace
period longer than the work a stopping pod may have in hand. Knative Services carry all of it
on the container (their pod-level securityContext is behind a Knative feature flag).
"""

from __future__ import annotations

from typing import Any

from tests.deploy.checks import Document, Pod, containers, pods

# Where the processes write (the Containerfile sets HOME=/tmp; the filesystem image store's
# root is /app/var/images): each pod that writes there must mount an emptyDir at that path.
WRITABLE = "/tmp"
# The namespace injects an Istio sidecar into every pod (terraform labels it): a Job's pod must
# refuse it, or the proxy outlives the job's process and the Job never completes.
NO_SIDECAR = ("sidecar.istio.io/inject", "false")


def _effective(pod: Pod, container: dict[str, Any], field: str) -> Any:
    own = container.get("securityContext", {})
    return own[field] if field in own else pod.spec.get("securityContext", {}).get(field)


def pod_problems(pod: Pod, min_grace_s: float) -> list[str]:
    """What is missing from one pod template's hardening."""
    problems: list[str] = []
    where = pod.owner
    kind = where.partition("/")[0]
    if pod.spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: automountServiceAccountToken is not false")
    if not pod.knative:
        grace = pod.spec.get("terminationGracePeriodSeconds", 30)
        if kind == "Deployment" and grace <= min_grace_s:
            problems.append(f"{where}: terminationGracePeriodSeconds {grace} <= {min_grace_s}")
    if kind in ("Job", "CronJob") and pod.labels.get(NO_SIDECAR[0]) != NO_SIDECAR[1]:
        problems.append(f"{where}: does not opt out of the Istio sidecar")
    volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
    for container in containers(pod):
        name = f"{where} container {container['name']}"
        context = container.get("securityContext", {})
        if _effective(pod, container, "runAsNonRoot") is not True:
            problems.append(f"{name}: runAsNonRoot is not true")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: readOnlyRootFilesystem is not true")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{name}: capabilities do not drop ALL")
        if context.get("capabilities", {}).get("add"):
            problems.append(f"{name}: capabilities are added")
        seccomp = _effective(pod, container, "seccompProfile") or {}
        if seccomp.get("type") != "RuntimeDefault":
            problems.append(f"{name}: seccompProfile is not RuntimeDefault")
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in resources.get(bound, {}):
                    problems.append(f"{name}: no {resource} {bound}")
        if container.get("ports"):
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in container:
                    problems.append(f"{name}: serves a port but has no {probe}")
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        if WRITABLE not in mounts or "emptyDir" not in volumes.get(mounts[WRITABLE], {}):
            problems.append(f"{name}: no emptyDir at {WRITABLE}")
        for path, volume in mounts.items():
            if volume not in volumes:
                problems.append(f"{name}: mount {path} names no volume")
    return problems


def hardening_problems(docs: list[Document], min_grace_s: float) -> list[str]:
    """Every pod template's problems."""
    return [problem for pod in pods(docs) for problem in pod_problems(pod, min_grace_s)]


def image_problems(docs: list[Document], pinned: bool) -> list[str]:
    """prod (``pinned``) runs images by digest; elsewhere a tag, never ``latest`` or none."""
    problems = []
    for pod in pods(docs):
        for container in containers(pod):
            image = str(container.get("image", ""))
            by_digest = "@sha256:" in image
            tag = image.rpartition(":")[2] if not by_digest and ":" in image else ""
            if pinned and not by_digest:
                problems.append(f"{pod.owner}: {image} is not pinned by digest")
            if not pinned and (by_digest or tag in ("", "latest")):
                problems.append(f"{pod.owner}: {image} should be a named tag")
    return problems
