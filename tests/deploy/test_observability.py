"""Monitoring objects: every PromQL expression parses and reads metrics the code exports, the
dashboard covers scans and chat, and every process that serves /metrics is scraped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import ROOT
from tests.deploy.promql import KEDA_METRICS, exported_metrics, metric_names, unknown_metrics

OBSERVABILITY = ROOT / "deploy" / "base" / "observability"
DASHBOARD = json.loads((OBSERVABILITY / "eco2-dashboard.json").read_text())
RULES = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
MONITORS = [d for d in yaml.safe_load_all((OBSERVABILITY / "service-monitors.yaml").read_text())]


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def _dashboard_expressions() -> list[tuple[str, str]]:
    return [(p["title"], t["expr"]) for p in _panels(DASHBOARD) for t in p["targets"]]


def _alerts() -> dict[str, str]:
    return {r["alert"]: r["expr"] for g in RULES["spec"]["groups"] for r in g["rules"]}


EXPRESSIONS = _dashboard_expressions() + sorted(_alerts().items())


@pytest.mark.parametrize(("where", "expression"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_each_expression_reads_only_exported_metrics(where: str, expression: str) -> None:
    assert metric_names(expression), f"{where}: reads no metric"
    assert unknown_metrics(expression) == set(), where


def test_a_misspelt_metric_or_broken_syntax_is_rejected() -> None:
    assert unknown_metrics("sum(rate(eco2_stage_latncy_seconds_count[5m]))") == {
        "eco2_stage_latncy_seconds_count"
    }
    # A Counter is scraped with _total: its bare name is not a series.
    assert unknown_metrics("rate(eco2_llm_calls[5m])") == {"eco2_llm_calls"}
    with pytest.raises(ValueError):
        metric_names("sum(rate(eco2_sse_clients[5m])")


def test_the_dashboard_shows_throughput_latency_lag_sse_and_llm_errors() -> None:
    read = set().union(*(metric_names(e) for _, e in _dashboard_expressions()))
    assert {
        "eco2_stage_latency_seconds_count",  # throughput: scans and chat turns
        "eco2_stage_latency_seconds_bucket",  # stage latency
        "eco2_sse_clients",
        "eco2_llm_calls_total",
    } <= read
    assert read & KEDA_METRICS, "no lag panel"
    (errors,) = [e for _, e in _dashboard_expressions() if "eco2_llm_calls_total" in e]
    assert "provider" in errors and 'outcome!="ok"' in errors
    # Every panel asks the same data source variable, so the JSON imports into any Grafana.
    assert all(p["datasource"]["uid"] == "${datasource}" for p in _panels(DASHBOARD))
    titles = [p["title"] for p in DASHBOARD["panels"] if p["type"] == "row"]
    assert titles == ["Throughput", "Stage latency", "Lag", "SSE", "LLM"]


def test_alerts_cover_a_stuck_stage_and_a_growing_lag() -> None:
    alerts = _alerts()
    assert {"Eco2StageStuck", "Eco2LagGrowing"} <= set(alerts)
    assert "eco2_stage_latency_seconds_count" in metric_names(alerts["Eco2StageStuck"])
    assert metric_names(alerts["Eco2LagGrowing"]) <= KEDA_METRICS


def test_every_process_that_serves_metrics_is_scraped() -> None:
    # The API and the gateway serve /metrics on their HTTP port (eco2/api/app.py,
    # eventing/gateway/app.py); the router with --metrics-port (eco2/cli/router.py); the
    # analysis service on its HTTP port (domains/knowledge/analyser_service.py).
    scraped = {m["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] for m in MONITORS}
    assert scraped == {"eco2-api", "eco2-gateway", "eco2-router", "eco2-analyser"}
    assert all(e["path"] == "/metrics" for m in MONITORS for e in m["spec"]["endpoints"])


@pytest.mark.parametrize("mode", ["knative", "redis-streams", "rabbitmq"])
def test_every_function_mode_scrapes_its_functions(mode: str) -> None:
    # The functions serve /metrics (the HTTP app; `eco2 function run --metrics-port`): each
    # mode's component brings a PodMonitor on every function pod, on the port it serves.
    docs = yaml.safe_load_all((ROOT / "deploy/components" / mode / "monitoring.yaml").read_text())
    (monitor,) = [d for d in docs if d["kind"] == "PodMonitor"]
    keys = {e["key"] for e in monitor["spec"]["selector"]["matchExpressions"]}
    assert "eco2.kr/function" in keys
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["path"] == "/metrics"
    assert endpoint["port"] == ("user-port" if mode == "knative" else "metrics")


def test_the_exported_names_are_the_code_s() -> None:
    # The registry is read after the metric modules are imported: spot-check one of each kind.
    names = exported_metrics()
    assert {
        "eco2_sse_clients",
        "eco2_llm_calls_total",
        "eco2_stage_latency_seconds_bucket",
    } <= names


def test_the_dashboard_file_is_what_kustomize_packs() -> None:
    config = yaml.safe_load((OBSERVABILITY / "kustomization.yaml").read_text())
    (generator,) = config["configMapGenerator"]
    assert generator["files"] == ["eco2-dashboard.json"]
    assert generator["options"]["labels"]["grafana_dashboard"] == "1"
    assert Path(OBSERVABILITY / generator["files"][0]).is_file()
