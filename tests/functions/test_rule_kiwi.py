"""The rule stage's tokenizer as its settings say (ECO2_KNOWLEDGE__KIWI_TYPO_DICT,
ECO2_KNOWLEDGE__ANALYSER_URL): Kiwi built with or without the typo dictionary as asked, the
analysis service used when a URL is set, and a process never ends up with two choices. Kiwi is
one per process, so each case runs in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
# An informal ending the typo dictionary reads as one (-나여 for -나요).
INFORMAL = "건전지 어떻게 버리나여"


def _run(script: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


STARTED_RULE = (
    "from eco2.settings_core import settings_for\n"
    "from eventing.runtime.loader import load_function\n"
    "fn = load_function('functions/rule/main.py', settings_for({'knowledge'}))\n"
    "fn.start()\n"
    "from domains.knowledge.text import kiwi\n"
    f"print([t.form for t in kiwi().tokenize({INFORMAL!r})][-1])\n"
)


def test_rule_builds_kiwi_as_its_settings_say() -> None:
    assert _run(STARTED_RULE) == "나여"  # the default: the typo dictionary's ending
    assert _run(STARTED_RULE, ECO2_KNOWLEDGE__KIWI_TYPO_DICT="false") == "여"  # 나 + 여


def test_a_second_choice_is_refused_once_kiwi_is_built() -> None:
    out = _run(
        "from domains.knowledge.text import configure_kiwi, kiwi\n"
        "from domains.knowledge.exceptions import KnowledgeError\n"
        "kiwi()\n"
        "configure_kiwi(typo_dict=True)  # the same choice: nothing changes\n"
        "try:\n"
        "    configure_kiwi(typo_dict=False)\n"
        "except KnowledgeError as exc:\n"
        "    print(exc)\n"
    )
    assert out == "Kiwi is built already with its typo dictionary on"


def test_eco2_classify_builds_kiwi_as_its_settings_say() -> None:
    out = _run(
        "import json\n"
        "from click.testing import CliRunner\n"
        "from eco2.cli.classify import classify\n"
        f"line = json.dumps({{'text': {INFORMAL!r}}}) + '\\n'\n"
        "done = CliRunner().invoke(classify, ['--batch'], input=line)\n"
        "assert done.exit_code == 0, done.output\n"
        "from domains.knowledge.text import kiwi\n"
        f"print([t.form for t in kiwi().tokenize({INFORMAL!r})][-1])\n",
        ECO2_KNOWLEDGE__KIWI_TYPO_DICT="false",
    )
    assert out == "여"


def _env(path: str) -> list[dict[str, str]]:
    documents = list(yaml.safe_load_all((ROOT / path).read_text(encoding="utf-8")))
    return [
        item
        for document in documents
        if document and "template" in document.get("spec", {})  # Deployments, Knative Services
        for container in document["spec"]["template"]["spec"]["containers"]
        for item in container.get("env", [])
    ]


def test_every_rule_manifest_tokenizes_as_the_analysis_service_does() -> None:
    # The typo dictionary was off in the rule pods only to save their memory; with Kiwi in the
    # service they use its Kiwi, and a differing choice would make them build their own.
    (typo,) = [e for e in _env("keda/core/analyser.yaml") if "TYPO" in e["name"]]
    for path in (
        "knative/rule/service.yaml",
        "keda/redis-streams/rule.yaml",
        "keda/rabbitmq/rule.yaml",
    ):
        env = _env(path)
        assert typo in env, path
        assert any(e["name"] == "ECO2_KNOWLEDGE__ANALYSER_URL" for e in env), path
