"""terraform/ on AWS, checked offline: every file parses (python-hcl2), every module pins its
providers and types and describes its variables, the Secrets terraform fills carry the keys the
manifests read and the settings the code declares, and each AWS module passes
``terraform validate`` where the binary and the AWS provider are at hand (otherwise skipped,
saying why)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from eco2.cli.settings import _rows
from eco2.settings import Settings
from tests.deploy.manifests import ROOT

TERRAFORM = ROOT / "terraform"
MODULES = sorted(p for p in (TERRAFORM / "modules").iterdir() if p.is_dir())
AWS_MODULES = [m for m in MODULES if m.name != "manifests"]
TF_FILES = sorted([*TERRAFORM.rglob("*.tf"), *TERRAFORM.rglob("*.tfvars")])
TIMEOUT_S = 120
# A directory laid out as a provider mirror (registry.terraform.io/hashicorp/aws/...): taken
# from ECO2_TF_PLUGIN_DIR, else the machine's usual place for one.
PLUGIN_DIRS = [os.environ.get("ECO2_TF_PLUGIN_DIR", ""), "/opt/tf-plugins"]


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of string literals and block labels."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@cache
def _parsed(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return hcl2.load(handle)


def _blocks(directory: Path, kind: str) -> dict[str, dict[str, Any]]:
    """Blocks of one kind (variable, output, module, ...) of a module, by (unquoted) label."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for block in _parsed(path).get(kind, []):
            for label, body in block.items():
                found[_unquote(label)] = body
    return found


def _resources(directory: Path, kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for block in _parsed(path).get("resource", []):
            for resource_type, bodies in block.items():
                if _unquote(resource_type) == kind:
                    found.update({_unquote(name): body for name, body in bodies.items()})
    return found


def _locals(directory: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(directory.glob("*.tf")):
        for block in _parsed(path).get("locals", []):
            merged.update(block)
    return merged


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_every_terraform_file_parses(path: Path):
    assert isinstance(_parsed(path), dict)


@pytest.mark.parametrize("module", [TERRAFORM, *MODULES], ids=lambda p: p.name)
def test_every_variable_is_typed_and_described(module: Path):
    variables = _blocks(module, "variable")
    assert variables, f"{module} declares no variable"
    for name, body in variables.items():
        assert "type" in body, f"{module.name}: variable {name} has no type"
        assert _unquote(body.get("description", "")), f"{module.name}: {name} has no description"


@pytest.mark.parametrize("module", [TERRAFORM, *MODULES], ids=lambda p: p.name)
def test_every_module_validates_some_input(module: Path):
    validated = [n for n, body in _blocks(module, "variable").items() if "validation" in body]
    assert validated, f"{module.name}: no variable has a validation block"


@pytest.mark.parametrize("module", [TERRAFORM, *AWS_MODULES], ids=lambda p: p.name)
def test_providers_are_pinned_with_an_upper_bound(module: Path):
    (settings,) = _parsed(module / "versions.tf")["terraform"]
    providers = settings["required_providers"][0]
    assert "aws" in providers
    for name, spec in providers.items():
        if name.startswith("__"):  # python-hcl2 marks blocks with __is_block__
            continue
        version = _unquote(spec["version"])
        assert re.search(r">=\s*[0-9]", version) and "<" in version, f"{name}: {version}"
        assert _unquote(spec["source"]).startswith("hashicorp/"), name


def test_every_module_call_is_a_local_module():
    for name, body in _blocks(TERRAFORM, "module").items():
        source = _unquote(body["source"])
        assert source.startswith("./modules/") and (TERRAFORM / source).is_dir(), name


def _secret_keys() -> dict[str, set[str]]:
    """Each Kubernetes Secret of main.tf with the keys of the local map its data is."""
    local_maps = _locals(TERRAFORM)
    secrets: dict[str, set[str]] = {}
    for body in _resources(TERRAFORM, "kubernetes_secret_v1").values():
        name = _unquote(body["metadata"][0]["name"])
        source = re.fullmatch(r"\$\{local\.(\w+)\}", body["data"])
        assert source, f"the data of {name} should be one local map"
        value = local_maps[source.group(1)]
        # A map literal parses to a dict; a merge(...) of maps stays an expression string.
        keys = value if isinstance(value, dict) else re.findall(r"([A-Za-z][\w-]*)\s*=", value)
        secrets[name] = set(keys)
    return secrets


def _documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for folder in ("keda", "knative", "deploy"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            docs += [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    return docs


def _secret_key_refs(node: Any) -> list[tuple[str, str]]:
    """Every (Secret name, key) a manifest reads: KEDA secretTargetRef, env secretKeyRef."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for ref in node.get("secretTargetRef", []) or []:
            found.append((ref["name"], ref["key"]))
        if "secretKeyRef" in node:
            found.append((node["secretKeyRef"]["name"], node["secretKeyRef"]["key"]))
        for value in node.values():
            found += _secret_key_refs(value)
    elif isinstance(node, list):
        for value in node:
            found += _secret_key_refs(value)
    return found


def test_the_secrets_carry_every_key_the_manifests_read():
    secrets = _secret_keys()
    assert {"eco2-secrets", "eco2-keda", "eco2-rabbitmq"} <= set(secrets)
    refs = [ref for doc in _documents() for ref in _secret_key_refs(doc)]
    assert refs, "no manifest reads a Secret key: the check would prove nothing"
    for name, key in refs:
        assert name in secrets, f"Secret {name} is created nowhere"
        assert key in secrets[name], f"Secret {name} has no key {key}"


def test_the_eco2_settings_terraform_sets_exist():
    """Each ECO2_* key of eco2-secrets and eco2-config is a setting of the code (a typo would be
    ignored silently by pydantic-settings)."""
    known = {variable.strip("`") for variable, *_ in _rows(Settings, "ECO2_")}
    secret_env = _secret_keys()["eco2-secrets"]
    (config_map,) = _resources(TERRAFORM, "kubernetes_config_map_v1").values()
    config_keys = set(re.findall(r"\b(ECO2_[A-Z0-9_]+)\s*=", config_map["data"]))
    assert {"ECO2_IMAGE__BACKEND", "ECO2_IMAGE__BUCKET"} <= config_keys
    assert {"ECO2_REDIS_URL", "ECO2_DATABASE_URL", "ECO2_AUTH__SECRET_KEY"} <= secret_env
    for key in {k for k in secret_env | config_keys if k.startswith("ECO2_")}:
        assert key in known, f"{key} is not a setting (eco2 settings)"


def test_secrets_manager_keeps_a_copy_of_every_kubernetes_secret():
    secrets = _blocks(TERRAFORM, "module")["secrets"]
    names = set(secrets["names"])
    assert {_unquote(n) for n in names} == set(_secret_keys())


def test_postgis_is_created_by_the_migrations_not_by_terraform():
    """RDS ships PostGIS but does not enable it: the migrations must, as the master user."""
    migrations = "".join(p.read_text() for p in (ROOT / "migrations/versions").glob("*.py"))
    assert "CREATE EXTENSION IF NOT EXISTS postgis" in migrations
    (instance,) = _resources(TERRAFORM / "modules/postgres", "aws_db_instance").values()
    assert instance["engine"] == '"postgres"'
    default = _blocks(TERRAFORM / "modules/postgres", "variable")["engine_version"]["default"]
    assert _unquote(default).split(".")[0] == "15"


def test_redis_is_7_with_tls_and_failover():
    (group,) = _resources(TERRAFORM / "modules/redis", "aws_elasticache_replication_group").values()
    assert group["transit_encryption_enabled"] is True and group["at_rest_encryption_enabled"]
    assert group["automatic_failover_enabled"] is True
    default = _blocks(TERRAFORM / "modules/redis", "variable")["engine_version"]["default"]
    assert _unquote(default).startswith("7.")
    assert _unquote(_locals(TERRAFORM)["redis_url"]).startswith("rediss://")


CHECKOV_SKIP = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z]+_\d+)(?::(.*))?")


def test_every_checkov_skip_says_why():
    skips = [
        (path, match)
        for path in TERRAFORM.rglob("*.tf")
        for match in CHECKOV_SKIP.finditer(path.read_text())
    ]
    assert skips, "no skip found: the pattern would not see one"
    for path, match in skips:
        reason = (match.group(2) or "").strip()
        assert len(reason) >= 20, f"{path.name}: {match.group(1)} is skipped without a reason"


# ---- with the terraform binary ---------------------------------------------------------------


@pytest.fixture(scope="module")
def terraform() -> str:
    path = shutil.which("terraform")
    if path is None:
        reason = "terraform is not on PATH: validate unchecked"
        print(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def plugin_dir() -> Path:
    for candidate in PLUGIN_DIRS:
        if candidate and (Path(candidate) / "registry.terraform.io/hashicorp/aws").is_dir():
            return Path(candidate)
    reason = (
        "no local mirror of the hashicorp/aws provider (ECO2_TF_PLUGIN_DIR or /opt/tf-plugins) "
        "and no registry offline: the AWS modules' terraform validate skipped"
    )
    print(reason)
    pytest.skip(reason)


def _validate(terraform: str, module: Path, plugin_dir: Path, scratch: Path) -> str | None:
    """None when ``module`` validates, else terraform's complaint (a skip reason for init)."""
    work = scratch / module.name
    shutil.copytree(module, work)  # nothing (.terraform, a lock file) lands in the repository
    env = {**os.environ, "TF_DATA_DIR": str(scratch / f"{module.name}.d"), "NO_COLOR": "1"}
    env["TF_IN_AUTOMATION"] = "1"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [terraform, *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )

    init = run("init", "-backend=false", "-input=false", f"-plugin-dir={plugin_dir}")
    if init.returncode != 0:
        raise InitFailed(init.stderr.strip()[-400:])
    result = run("validate", "-no-color")
    return None if result.returncode == 0 else result.stdout + result.stderr


class InitFailed(Exception):
    """terraform init could not install the provider from the mirror."""


def test_aws_modules_validate(terraform: str, plugin_dir: Path, tmp_path: Path):
    # Each validate loads the AWS provider's schema (seconds): the modules run side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            m.name: pool.submit(_validate, terraform, m, plugin_dir, tmp_path) for m in AWS_MODULES
        }
    try:
        problems = {name: f.result() for name, f in futures.items()}
    except InitFailed as exc:
        reason = f"terraform init with {plugin_dir} failed: validate skipped"
        print(f"{reason}\n{exc}")
        pytest.skip(reason)
    assert not {name: why for name, why in problems.items() if why}
