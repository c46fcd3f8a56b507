"""Cross-checks of the Knative manifests against the code: event types, functions, timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from domains.chat.events import CHAT_EVENTS
from domains.scan.events import SCAN_EVENTS
from eventing.runtime.loader import load_factory
from eventing.runtime.settings import RuntimeSettings
from tests.deploy.manifests import ROOT, WAKES, Manifest, all_manifests, scheduled_functions

KNATIVE = [m for m in all_manifests() if m.path.is_relative_to(ROOT / "knative")]
SERVICES = {m.name: m for m in KNATIVE if (m.group, m.kind) == ("serving.knative.dev", "Service")}
TRIGGERS = [m for m in KNATIVE if m.kind == "Trigger"]
BROKERS = {m.name for m in KNATIVE if m.kind == "Broker"}
EVENT_TYPES = {*SCAN_EVENTS, *CHAT_EVENTS}
# Event-driven functions; the clock-driven ones (a CronJob ticks them) have no Knative trigger.
FUNCTIONS = sorted(
    p.name
    for p in (ROOT / "functions").iterdir()
    if (p / "__init__.py").is_file() and p.name not in scheduled_functions()
)


def _container(service: Manifest) -> dict:
    (container,) = service.doc["spec"]["template"]["spec"]["containers"]
    return container


def _source(service: Manifest) -> Path:
    container = _container(service)
    assert container["command"] == ["eco2"]
    assert container["args"][:2] == ["function", "serve-http"]
    return ROOT / container["args"][2]


def _filter_type(trigger: Manifest) -> str:
    return trigger.doc["spec"]["filter"]["attributes"]["type"]


@pytest.mark.parametrize("trigger", TRIGGERS, ids=str)
def test_trigger_filters_on_a_type_the_project_defines(trigger: Manifest):
    assert _filter_type(trigger) in EVENT_TYPES, (
        f"{trigger}: {_filter_type(trigger)} is not in domains.scan.events.SCAN_EVENTS"
    )


@pytest.mark.parametrize("trigger", TRIGGERS, ids=str)
def test_trigger_delivers_to_the_function_of_its_stage(trigger: Manifest):
    spec = trigger.doc["spec"]
    assert spec["broker"] in BROKERS
    ref = spec["subscriber"]["ref"]
    assert (ref["apiVersion"], ref["kind"]) == ("serving.knative.dev/v1", "Service")
    assert ref["name"] in SERVICES
    assert _source(SERVICES[ref["name"]]).parent.name == WAKES[_filter_type(trigger)]


def test_every_function_has_a_service_and_a_trigger():
    served = sorted(_source(s).parent.name for s in SERVICES.values())
    assert served == FUNCTIONS
    assert sorted(WAKES[_filter_type(t)] for t in TRIGGERS) == FUNCTIONS


@pytest.mark.parametrize("service", SERVICES.values(), ids=str)
def test_service_serves_an_existing_function_dir_on_its_port(service: Manifest):
    # `eco2 function serve-http` is functions-framework's app plus Knative replies.
    container = _container(service)
    source = _source(service)
    assert source.parent.is_dir(), f"{service}: {source.parent} does not exist"
    assert source.parent.parent == ROOT / "functions"
    assert source.name == "main.py"
    targets = [a.removeprefix("--target=") for a in container["args"] if a.startswith("--target=")]
    assert targets == ["new"], f"{service}: the factory to build is new, got {targets}"
    assert callable(load_factory(source, targets[0]))  # the module really has that factory
    (port,) = container["ports"]
    assert f"--port={port['containerPort']}" in container["args"]
    assert container["readinessProbe"]["httpGet"]["port"] == port["containerPort"]


@pytest.mark.parametrize("service", SERVICES.values(), ids=str)
def test_service_scales_to_zero_within_its_limits(service: Manifest):
    template = service.doc["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert annotations["autoscaling.knative.dev/min-scale"] == "0"
    assert int(annotations["autoscaling.knative.dev/max-scale"]) >= 1
    concurrency = template["spec"]["containerConcurrency"]
    assert 0 < int(annotations["autoscaling.knative.dev/target"]) <= concurrency


@pytest.mark.parametrize("service", SERVICES.values(), ids=str)
def test_service_outlasts_the_handler_timeout(service: Manifest):
    handler_timeout = RuntimeSettings().handler_timeout_s
    assert service.doc["spec"]["template"]["spec"]["timeoutSeconds"] > handler_timeout


@pytest.mark.parametrize("service", SERVICES.values(), ids=str)
def test_service_is_probed_and_configured(service: Manifest):
    container = _container(service)
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    refs = {next(iter(e.values()))["name"] for e in container["envFrom"]}
    assert refs == {"eco2-config", "eco2-secrets"}


def test_rabbitmq_source_feeds_the_broker():
    (source,) = [m for m in KNATIVE if m.kind == "RabbitmqSource"]
    ref = source.doc["spec"]["sink"]["ref"]
    assert (ref["kind"], ref["name"]) == ("Broker", "eco2")
    assert ref["name"] in BROKERS
