"""Cross-checks of the KEDA manifests: graceful scale-down, lag-based scale-to-zero, references."""

from __future__ import annotations

import itertools
import re

import pytest

from domains.chat.events import CHAT_EVENTS
from domains.scan.events import SCAN_EVENTS
from eco2.settings import Settings
from eventing.runtime.settings import RuntimeSettings
from tests.deploy.manifests import ROOT, WAKES, Manifest, all_manifests, scheduled_functions

KEDA = [m for m in all_manifests() if m.path.is_relative_to(ROOT / "keda")]
ALL = all_manifests()
DEPLOYMENTS = {m.name: m for m in ALL if m.kind == "Deployment"}
SCALED = [m for m in KEDA if m.kind == "ScaledObject"]
WORKERS = [
    m
    for m in SCALED
    if DEPLOYMENTS[m.doc["spec"]["scaleTargetRef"]["name"]].path.parent.name
    in ("redis-streams", "rabbitmq")
]
AUTHS = {m.name: m for m in KEDA if m.kind == "TriggerAuthentication"}
EVENT_TYPES = {*SCAN_EVENTS, *CHAT_EVENTS}
TERRAFORM_MAIN = (ROOT / "terraform" / "main.tf").read_text()


def _worker_args(scaled: Manifest) -> dict[str, str]:
    deployment = DEPLOYMENTS[scaled.doc["spec"]["scaleTargetRef"]["name"]]
    (container,) = deployment.doc["spec"]["template"]["spec"]["containers"]
    args = container["args"]
    assert container["command"] == ["eco2"] and args[:2] == ["function", "run"]
    options = dict(a.removeprefix("--").split("=", 1) for a in args[3:])
    return {"source": args[2], **options}


def _terraform_creates(kind: str) -> set[str]:
    """Names of the ConfigMaps / Secrets terraform/main.tf creates."""
    blocks = re.findall(
        rf'resource "kubernetes_{kind}_v1" "\w+" \{{\s*metadata \{{\s*name\s*=\s*"([^"]+)"',
        TERRAFORM_MAIN,
    )
    return set(blocks)


@pytest.mark.parametrize("deployment", DEPLOYMENTS.values(), ids=str)
def test_termination_grace_outlasts_the_worker_shutdown_grace(deployment: Manifest):
    grace = deployment.doc["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > RuntimeSettings().shutdown_grace_s


@pytest.mark.parametrize("scaled", WORKERS, ids=str)
def test_worker_runs_an_existing_function_and_scales_to_zero(scaled: Manifest):
    args = _worker_args(scaled)
    assert (ROOT / args["source"]).parent.is_dir(), (
        f"{scaled}: {args['source']} has no function dir"
    )
    assert (ROOT / args["source"]).parent.parent == ROOT / "functions"
    spec = scaled.doc["spec"]
    assert spec["minReplicaCount"] == 0
    assert spec["maxReplicaCount"] >= 1
    behavior = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] > 0


@pytest.mark.parametrize(
    "scaled", [s for s in WORKERS if s.path.parent.name == "redis-streams"], ids=str
)
def test_redis_streams_workers_scale_on_lag_over_every_shard(scaled: Manifest):
    args = _worker_args(scaled)
    assert args["trigger"] == "redis"
    triggers = scaled.doc["spec"]["triggers"]
    assert {t["type"] for t in triggers} == {"redis-streams"}
    for trigger in triggers:
        metadata = trigger["metadata"]
        # Only lagCount can wake a scaled-to-zero consumer group.
        assert "lagCount" in metadata and int(metadata["lagCount"]) >= 1
        assert "pendingEntriesCount" not in metadata and "streamLength" not in metadata
        assert metadata["activationLagCount"] == "0"
        assert metadata["consumerGroup"] == args["group"]
    assert args["topic"] == f"eco2:fn:{args['group']}"
    streams = sorted(t["metadata"]["stream"] for t in triggers)
    shards = Settings(_env_file=None).shards  # type: ignore[call-arg]
    assert streams == sorted(f"{args['topic']}:{shard}" for shard in range(shards))


@pytest.mark.parametrize(
    "scaled", [s for s in WORKERS if s.path.parent.name == "rabbitmq"], ids=str
)
def test_rabbitmq_workers_scale_on_queue_length(scaled: Manifest):
    args = _worker_args(scaled)
    assert args["trigger"] == "amqp"
    (trigger,) = scaled.doc["spec"]["triggers"]
    metadata = trigger["metadata"]
    assert trigger["type"] == "rabbitmq"
    assert metadata["mode"] == "QueueLength" and int(metadata["value"]) >= 1
    # Over amqp KEDA sees only ready messages; http also counts the unacked ones in work.
    assert metadata["protocol"] == "http"
    # `eco2 function run --trigger amqp`: --group is the queue, --topic its binding keys.
    assert metadata["queueName"] == args["group"]
    stage = args["source"].split("/")[1]
    keys = args["topic"].split(",")
    assert all(key in EVENT_TYPES for key in keys), f"{scaled}: {keys} not all in EVENT_TYPES"
    assert [WAKES[key] for key in keys] == [stage]


def test_redis_streams_workers_chain_their_replies_to_the_next_stage():
    # A redis worker without --reply-topic drops its reply: the pipeline would stop there.
    topics = {}
    replies = {}
    for scaled in WORKERS:
        if scaled.path.parent.name == "redis-streams":
            args = _worker_args(scaled)
            stage = args["source"].split("/")[1]
            topics[stage] = args["topic"]
            replies[stage] = args.get("reply-topic")
    chain = ["vision", "rule", "answer", "reward"]
    for stage, following in itertools.pairwise(chain):
        assert replies[stage] == topics[following], stage
    assert replies["reward"] is None


def test_both_worker_modes_cover_the_same_functions():
    by_mode: dict[str, list[str]] = {"redis-streams": [], "rabbitmq": []}
    for scaled in WORKERS:
        by_mode[scaled.path.parent.name].append(_worker_args(scaled)["source"])
    functions = sorted(
        f"functions/{p.name}/main.py"
        for p in (ROOT / "functions").iterdir()
        if (p / "__init__.py").is_file() and p.name not in scheduled_functions()
    )
    assert sorted(by_mode["redis-streams"]) == sorted(by_mode["rabbitmq"]) == functions


@pytest.mark.parametrize("name", sorted(scheduled_functions()), ids=str)
def test_scheduled_functions_exist_and_never_overlap(name: str):
    cron = scheduled_functions()[name]
    assert (ROOT / "functions" / name / "main.py").is_file()
    spec = cron.doc["spec"]
    assert spec["concurrencyPolicy"] == "Forbid" and spec["timeZone"] == "Asia/Seoul"
    (container,) = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["eco2"]


@pytest.mark.parametrize("scaled", SCALED, ids=str)
def test_scaled_object_targets_and_authentications_exist(scaled: Manifest):
    assert scaled.doc["spec"]["scaleTargetRef"]["name"] in DEPLOYMENTS
    for trigger in scaled.doc["spec"]["triggers"]:
        if "authenticationRef" in trigger:
            assert trigger["authenticationRef"]["name"] in AUTHS


def test_trigger_authentications_read_secrets_terraform_creates():
    secrets = _terraform_creates("secret")
    for auth in AUTHS.values():
        for ref in auth.doc["spec"]["secretTargetRef"]:
            assert ref["name"] in secrets, f"{auth}: secret {ref['name']} is created nowhere"


def test_every_config_reference_is_created_by_terraform():
    config_maps, secrets = _terraform_creates("config_map"), _terraform_creates("secret")
    assert config_maps and secrets
    for manifest in ALL:
        for container in _containers(manifest):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps, str(manifest)
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets, str(manifest)
    rabbitmq = [m for m in ALL if m.kind == "RabbitmqSource"]
    for source in rabbitmq:
        assert source.doc["spec"]["rabbitmqClusterReference"]["connectionSecret"]["name"] in secrets


def _containers(manifest: Manifest) -> list[dict]:
    spec = manifest.doc.get("spec", {})
    return spec.get("template", {}).get("spec", {}).get("containers", [])


def test_router_stays_up_and_is_never_autoscaled():
    router = DEPLOYMENTS["eco2-router"]
    assert router.doc["spec"]["replicas"] >= 2
    (container,) = router.doc["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "router"
    # Its metrics listen on the pod's address, on the port its Service and probes name.
    (port,) = container["ports"]
    assert "--metrics-host=0.0.0.0" in container["args"]
    assert f"--metrics-port={port['containerPort']}" in container["args"]
    targets = {
        m.doc["spec"]["scaleTargetRef"]["name"]
        for m in ALL
        if m.kind in ("ScaledObject", "HorizontalPodAutoscaler")
    }
    assert "eco2-router" not in targets


def test_gateway_never_scales_below_two():
    (scaled,) = [m for m in SCALED if m.doc["spec"]["scaleTargetRef"]["name"] == "eco2-gateway"]
    assert scaled.doc["spec"]["minReplicaCount"] >= 2
    assert {t["type"] for t in scaled.doc["spec"]["triggers"]} == {"cpu"}
    (container,) = DEPLOYMENTS["eco2-gateway"].doc["spec"]["template"]["spec"]["containers"]
    assert "cpu" in container["resources"]["requests"], "the CPU trigger needs a CPU request"


@pytest.mark.parametrize("name", ["eco2-router", "eco2-gateway", "eco2-api", "eco2-analyser"])
def test_long_lived_deployments_have_a_disruption_budget(name: str):
    labels = DEPLOYMENTS[name].doc["spec"]["template"]["metadata"]["labels"]
    budgets = [m for m in ALL if m.kind == "PodDisruptionBudget"]
    assert any(b.doc["spec"]["selector"]["matchLabels"].items() <= labels.items() for b in budgets)


@pytest.mark.parametrize(
    "service", [m for m in ALL if (m.group, m.kind) == ("", "Service")], ids=str
)
def test_services_select_pods_and_ports_that_exist(service: Manifest):
    selector = service.doc["spec"]["selector"]
    matches = [
        d
        for d in DEPLOYMENTS.values()
        if selector.items() <= d.doc["spec"]["template"]["metadata"]["labels"].items()
    ]
    assert len(matches) == 1
    ports = {p["name"] for c in _containers(matches[0]) for p in c.get("ports", [])}
    assert {p["targetPort"] for p in service.doc["spec"]["ports"]} <= ports


@pytest.mark.parametrize("scaled", WORKERS, ids=str)
def test_worker_concurrency_is_its_stage_s(scaled: Manifest):
    # A pod runs the concurrency `eco2 serve` runs locally and the benchmark measured.
    from domains.chat.pipeline import SOURCE as CHAT_SOURCE
    from domains.chat.settings import ChatSettings
    from domains.scan.pipeline import PIPELINE

    args = _worker_args(scaled)
    if args["source"] == CHAT_SOURCE:
        assert int(args["concurrency"]) == ChatSettings().concurrency
        return
    stage = next(s for s in PIPELINE if s.source == args["source"])
    assert int(args["concurrency"]) == stage.concurrency


def test_the_analysis_service_stays_up_and_every_rule_and_chat_pod_is_pointed_at_it():
    from domains.knowledge.settings import KnowledgeSettings

    analyser = DEPLOYMENTS["eco2-analyser"]
    assert analyser.doc["spec"]["replicas"] >= 2
    (container,) = analyser.doc["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "analyser" and "--host=0.0.0.0" in container["args"]
    (port,) = container["ports"]
    assert f"--port={port['containerPort']}" in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    targets = {m.doc["spec"]["scaleTargetRef"]["name"] for m in SCALED}
    assert "eco2-analyser" not in targets
    (service,) = [m for m in ALL if m.kind == "Service" and m.name == "eco2-analyser"]
    url = f"http://eco2-analyser.eco2.svc.cluster.local:{service.doc['spec']['ports'][0]['port']}"
    service_env = {e["name"]: e["value"] for e in container.get("env", [])}
    typo = service_env.get("ECO2_KNOWLEDGE__KIWI_TYPO_DICT", "true")
    for function in ("rule", "chat"):
        pointed = [
            m
            for m in ALL
            if m.kind in ("Deployment", "Service")
            and m.doc["metadata"].get("labels", {}).get("eco2.kr/function") == function
        ]
        assert len(pointed) == 3, function  # knative/F, keda/redis-streams/F, keda/rabbitmq/F
        for manifest in pointed:
            (pod,) = manifest.doc["spec"]["template"]["spec"]["containers"]
            env = {e["name"]: e["value"] for e in pod.get("env", [])}
            assert env["ECO2_KNOWLEDGE__ANALYSER_URL"] == url, str(manifest)
            # Kiwi built as the service builds it, or the client refuses the service's tokens
            # and builds its own in the pod.
            assert env.get("ECO2_KNOWLEDGE__KIWI_TYPO_DICT", "true") == typo, str(manifest)
    assert KnowledgeSettings(analyser_url=url).analyser_url == url
