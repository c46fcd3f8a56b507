"""terraform/: formatted, the manifest module renders offline to valid objects, and validate
runs when the providers can be initialised (they cannot without internet: then it skips)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.manifests import ROOT, kustomize_resources, load_documents, validate

TERRAFORM = ROOT / "terraform"
TIMEOUT_S = 60
# function_mode → the kustomizations that apply the same objects with kubectl.
MODES = {
    "redis-streams": ("keda/core", "keda/redis-streams"),
    "rabbitmq": ("keda/core", "keda/rabbitmq"),
    "knative": ("keda/core", "knative"),
}


@pytest.fixture(scope="module")
def terraform() -> str:
    path = shutil.which("terraform")
    if path is None:
        reason = "terraform is not on PATH: fmt/validate/render unchecked"
        print(reason)
        pytest.skip(reason)
    return path


def _run(terraform: str, *args: str, cwd: Path, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [terraform, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_terraform_is_formatted(terraform: str, tmp_path: Path):
    result = _run(
        terraform, "fmt", "-check", "-recursive", str(TERRAFORM), cwd=ROOT, data_dir=tmp_path
    )
    assert result.returncode == 0, f"terraform fmt would change: {result.stdout}{result.stderr}"


def test_root_module_validates_when_providers_are_available(terraform: str, tmp_path: Path):
    # Work on a copy so nothing (.terraform, lock file) is written into the repository.
    work = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, work)
    init = _run(
        terraform, "init", "-backend=false", "-input=false", cwd=work, data_dir=tmp_path / "d"
    )
    if init.returncode != 0:
        reason = "terraform init cannot install aws, kubernetes, random offline: validate skipped"
        print(f"{reason}\n{init.stderr.strip()[-400:]}")
        pytest.skip(reason)
    result = _run(terraform, "validate", cwd=work, data_dir=tmp_path / "d")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def render(terraform: str, tmp_path_factory: pytest.TempPathFactory):
    """Evaluate terraform/modules/manifests (no provider, so offline) for a function mode."""
    work = tmp_path_factory.mktemp("manifests")
    shutil.copytree(TERRAFORM / "modules" / "manifests", work, dirs_exist_ok=True)
    init = _run(terraform, "init", "-backend=false", "-input=false", cwd=work, data_dir=work / ".d")
    assert init.returncode == 0, init.stderr
    validated = _run(terraform, "validate", cwd=work, data_dir=work / ".d")
    assert validated.returncode == 0, validated.stdout + validated.stderr

    def _render(mode: str, image: str, namespace: str) -> dict[str, dict]:
        variables = {
            "manifests_root": str(ROOT),
            "function_mode": mode,
            "image": image,
            "namespace": namespace,
        }
        args = [f"-var={k}={v}" for k, v in variables.items()]
        result = subprocess.run(
            [terraform, "console", *args],
            cwd=work,
            env={**os.environ, "TF_DATA_DIR": str(work / ".d"), "NO_COLOR": "1"},
            input="jsonencode(local.manifests)\n",
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(json.loads(result.stdout))

    return _render


@pytest.mark.parametrize("mode", MODES)
def test_rendered_objects_match_kubectl_and_validate(mode: str, render, crds: Path):
    objects = render(mode, "registry.example/eco2:1.2.3", "eco2-staging")
    files = [p for d in MODES[mode] for p in kustomize_resources(ROOT / d)]
    expected = [m for p in files for m in load_documents(p.read_text(), p)]
    assert sorted(objects) == sorted(f"{m.doc['apiVersion']}/{m.kind}/{m.name}" for m in expected)
    for key, doc in objects.items():
        assert doc["metadata"]["namespace"] == "eco2-staging"
        validate(doc, crds)
        text = json.dumps(doc)
        assert "ghcr.io/eco2/eco2:latest" not in text, key
    images = {
        c["image"]
        for doc in objects.values()
        for c in doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    }
    assert images == {"registry.example/eco2:1.2.3"}


def test_rendering_rejects_an_unknown_mode(terraform: str, render):
    with pytest.raises(AssertionError, match="function_mode must be"):
        render("celery", "x", "eco2")
