"""`eco2 deploy status` against a local server speaking the Kubernetes API's wire format for the
GETs it makes (Knative Services, Deployments, ScaledObjects, KEDA's external metrics), reached
through a kubeconfig; and the cases without a cluster."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from eco2.cli import main

NS = "eco2"
LABEL = "eco2.kr/function"


def _knative_service(fn: str, ready: str, created: str, is_ready: bool) -> dict[str, Any]:
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": f"eco2-{fn}", "namespace": NS, "labels": {LABEL: fn}},
        "status": {
            "latestReadyRevisionName": ready,
            "latestCreatedRevisionName": created,
            "conditions": [{"type": "Ready", "status": "True" if is_ready else "False"}],
        },
    }


def _deployment(fn: str, desired: int, ready: int | None) -> dict[str, Any]:
    status = {} if ready is None else {"readyReplicas": ready, "replicas": desired}
    return {
        "metadata": {"name": f"eco2-{fn}-worker", "namespace": NS, "labels": {LABEL: fn}},
        "spec": {"replicas": desired, "selector": {}, "template": {}},
        "status": status,
    }


def _scaled_object(fn: str, metrics: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": f"eco2-{fn}-worker", "namespace": NS, "labels": {LABEL: fn}},
        "status": {"externalMetricNames": metrics} if metrics else {},
    }


class FakeKubernetes:
    """The few API paths the command reads; anything else is a 404 like a missing CRD."""

    def __init__(self, *, knative: bool = True) -> None:
        self.requests: list[str] = []
        self.routes: dict[str, dict[str, Any]] = {
            f"/apis/apps/v1/namespaces/{NS}/deployments": {
                "kind": "DeploymentList",
                "apiVersion": "apps/v1",
                "metadata": {},
                "items": [_deployment("rule", 3, 2), _deployment("vision", 0, None)],
            },
            f"/apis/keda.sh/v1alpha1/namespaces/{NS}/scaledobjects": {
                "kind": "ScaledObjectList",
                "apiVersion": "keda.sh/v1alpha1",
                "metadata": {},
                "items": [
                    _scaled_object("rule", ["s0-redis-streams-rule-0", "s1-redis-streams-rule-1"]),
                    _scaled_object("vision", []),
                ],
            },
        }
        if knative:
            self.routes[f"/apis/serving.knative.dev/v1/namespaces/{NS}/services"] = {
                "kind": "ServiceList",
                "apiVersion": "serving.knative.dev/v1",
                "metadata": {},
                "items": [
                    _knative_service("answer", "eco2-answer-00002", "eco2-answer-00002", True),
                    _knative_service("chat", "eco2-chat-00001", "eco2-chat-00002", False),
                ],
            }
        # KEDA serves one value per trigger metric; the lag is their sum (5 + 7).
        for metric, value in (("s0-redis-streams-rule-0", "5"), ("s1-redis-streams-rule-1", "7")):
            path = f"/apis/external.metrics.k8s.io/v1beta1/namespaces/{NS}/{metric}"
            self.routes[path] = {
                "kind": "ExternalMetricValueList",
                "apiVersion": "external.metrics.k8s.io/v1beta1",
                "metadata": {},
                "items": [
                    {
                        "metricName": metric,
                        "metricLabels": None,
                        "timestamp": "2026-12-06T07:00:00Z",
                        "value": value,
                    }
                ],
            }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                fake.requests.append(self.path)
                selector = parse_qs(url.query).get("labelSelector", [""])[0]
                body = fake.routes.get(url.path)
                expected = (
                    "scaledobject.keda.sh/name=eco2-rule-worker"
                    if "external.metrics" in url.path
                    else LABEL
                )
                if body is None:
                    self._send(404, {"kind": "Status", "status": "Failure", "code": 404})
                elif selector != expected:  # the real server would answer other objects
                    self._send(400, {"kind": "Status", "message": f"selector {selector!r}"})
                else:
                    self._send(200, body)

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _kubeconfig(path: Path, server: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "fake", "cluster": {"server": server}}],
                "users": [{"name": "fake", "user": {"token": "not-checked"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
                "current-context": "fake",
            }
        )
    )
    return path


def _serve(fake: FakeKubernetes) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cluster() -> Iterator[tuple[FakeKubernetes, str]]:
    fake = FakeKubernetes()
    for url in _serve(fake):
        yield fake, url


def _run(*args: str, kubeconfig: Path | None, home: Path) -> Any:
    env = {"KUBECONFIG": str(kubeconfig) if kubeconfig else "", "HOME": str(home)}
    env["KUBERNETES_SERVICE_HOST"] = ""  # not inside a pod, whatever runs the tests
    env["COLUMNS"] = "160"  # rich wraps the table to the terminal width
    return CliRunner().invoke(main, ["deploy", "status", *args], env=env)


def test_json_lists_revisions_replicas_and_lag(cluster, tmp_path: Path):
    fake, url = cluster
    result = _run("--json", kubeconfig=_kubeconfig(tmp_path / "config", url), home=tmp_path)
    assert result.exit_code == 0, result.output
    rows = {row["function"]: row for row in json.loads(result.stdout)}
    assert list(rows) == ["vision", "rule", "answer", "reward", "chat"]
    assert rows["rule"]["ready_replicas"] == 2 and rows["rule"]["desired_replicas"] == 3
    assert rows["rule"]["lag"] == 12
    assert rows["vision"]["ready_replicas"] == 0 and rows["vision"]["desired_replicas"] == 0
    assert rows["vision"]["lag"] is None
    assert "reports no metric yet" in rows["vision"]["notes"][0]
    assert rows["answer"]["ready_revision"] == "eco2-answer-00002"
    assert rows["answer"]["knative_ready"] is True and rows["answer"]["worker"] is None
    assert rows["chat"]["knative_ready"] is False
    assert rows["chat"]["notes"] == ["revision eco2-chat-00002 not ready"]
    assert rows["reward"]["notes"] == ["not deployed"]
    # One GET per kind, then one per trigger metric of the rule worker.
    assert len(fake.requests) == 5


def test_table_output(cluster, tmp_path: Path):
    _, url = cluster
    result = _run(kubeconfig=_kubeconfig(tmp_path / "config", url), home=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("ready revision (Knative)" in line for line in lines)
    (rule,) = [line for line in lines if " rule " in line]
    assert "2/3" in rule and "12" in rule
    (answer,) = [line for line in lines if " answer " in line]
    assert "eco2-answer-00002" in answer


def test_without_knative_the_revision_column_is_empty(tmp_path: Path):
    fake = FakeKubernetes(knative=False)
    for url in _serve(fake):
        result = _run("--json", kubeconfig=_kubeconfig(tmp_path / "c", url), home=tmp_path)
    assert result.exit_code == 0, result.output
    rows = {row["function"]: row for row in json.loads(result.stdout)}
    assert all(row["knative_service"] is None for row in rows.values())
    assert rows["answer"]["notes"] == ["not deployed"]


def test_no_cluster_configured(tmp_path: Path):
    result = _run(kubeconfig=None, home=tmp_path)  # no $KUBECONFIG, no ~/.kube/config
    assert result.exit_code == 3
    assert "no cluster configured" in result.stderr
    assert "aws eks update-kubeconfig" in result.stderr


def test_a_cluster_that_does_not_answer(tmp_path: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the socket is
    config = _kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}")
    result = _run(kubeconfig=config, home=tmp_path)
    assert result.exit_code == 4
    assert "the cluster did not answer" in result.stderr


def test_the_kubernetes_client_is_imported_only_when_asked():
    code = (
        "import sys, eco2.cli, eco2.cli.deploy, eco2.deploy_status; "
        "sys.exit('kubernetes' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
