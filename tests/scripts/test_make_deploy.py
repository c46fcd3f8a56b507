"""`make deploy FUNCTION=<fn>`: the command each mode runs (make -n), the manifest it names
exists, an unknown function or mode stops with a clear message, and a missing CLI is named."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FUNCTIONS = ("vision", "rule", "answer", "reward", "chat")
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not on PATH")


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAKE), "--no-print-directory", *args],
        cwd=ROOT,
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _commands(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The commands make -n would run, without the CLI check each mode starts with."""
    return [line for line in result.stdout.splitlines() if not line.startswith("command -v")]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_keda_mode_applies_the_worker_with_kubectl(function: str):
    result = make("-n", "deploy", f"FUNCTION={function}")
    assert result.returncode == 0, result.stderr
    (command,) = _commands(result)
    words = command.split()
    assert words[:4] == ["kubectl", "apply", "--namespace", "eco2"]
    flag, path = words[4:]
    # -k for a kustomization directory, -f for a function kept as one file.
    if flag == "-k":
        assert (ROOT / path / "kustomization.yaml").is_file()
    else:
        assert flag == "-f"
        assert f"name: eco2-{function}-worker\n" in (ROOT / path).read_text()


def test_knative_mode_applies_the_service_with_kn():
    result = make("-n", "deploy", "FUNCTION=rule", "MODE=knative", "IMAGE=registry.example/e:1")
    assert result.returncode == 0, result.stderr
    (command,) = _commands(result)
    assert command.split() == [
        "kn",
        "service",
        "apply",
        "eco2-rule",
        "--namespace",
        "eco2",
        "--filename",
        "knative/rule/service.yaml",
        "--image",
        "registry.example/e:1",
    ]
    assert "name: eco2-rule\n" in (ROOT / "knative/rule/service.yaml").read_text()


def test_namespace_is_passed_through():
    result = make("-n", "deploy", "FUNCTION=answer", "NAMESPACE=eco2-staging")
    assert "--namespace eco2-staging" in result.stdout


@pytest.mark.parametrize("args", [("FUNCTION=bogus",), ()], ids=["bogus", "missing"])
def test_an_unknown_function_fails_clearly(args: tuple[str, ...]):
    result = make("-n", "deploy", *args)
    assert result.returncode != 0
    assert "is not a function: use one of vision rule answer reward chat" in result.stderr
    assert "kubectl" not in result.stdout and "kn " not in result.stdout


def test_an_unknown_mode_fails_clearly():
    result = make("-n", "deploy", "FUNCTION=rule", "MODE=helm")
    assert result.returncode != 0
    assert "MODE='helm' is unknown: keda (the default) or knative" in result.stderr


@pytest.mark.parametrize(("mode", "tool"), [("knative", "kn"), ("keda", "kubectl")])
def test_a_missing_cli_is_named(mode: str, tool: str, tmp_path: Path):
    # A PATH holding only bash: neither kn nor kubectl can be found.
    (tmp_path / "bash").symlink_to(shutil.which("bash") or "/bin/bash")
    env = {**os.environ, "PATH": str(tmp_path)}
    result = make("deploy", "FUNCTION=rule", f"MODE={mode}", env=env)
    assert result.returncode != 0
    assert f"make deploy: {tool}" in result.stderr and "is not on PATH" in result.stderr
