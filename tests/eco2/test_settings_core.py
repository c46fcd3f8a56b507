"""A function process's settings (eco2/settings_core.py): the groups its factory reads, from the
same ``ECO2_*`` variables as the whole system's ``Settings``, without importing the others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Protocol

import pytest
from pydantic import BaseModel

from domains.db_settings import DatabaseSettings
from domains.llm.settings import LLMSettings
from eco2.settings import Settings
from eco2.settings_core import GROUPS, CoreSettings, group_model, known, reads, settings_for
from eventing.runtime.loader import load_factory

ROOT = Path(__file__).parents[2]


def test_groups_are_exactly_the_nested_groups_of_settings() -> None:
    nested = {
        name: field.annotation
        for name, field in Settings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    }
    assert {name: group_model(name) for name in GROUPS} == nested


def test_flat_fields_are_the_same_in_both() -> None:
    assert set(CoreSettings.model_fields) <= set(Settings.model_fields)
    assert "log_level" in CoreSettings.model_fields and "redis_url" in CoreSettings.model_fields


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("rule", {"knowledge"}),
        ("answer", {"llm"}),
        ("vision", {"redis_url", "llm", "vision"}),
        ("reward", set(DatabaseSettings.model_fields)),
    ],
)
def test_reads_is_what_the_factory_types_its_settings_with(
    function: str, expected: set[str]
) -> None:
    names = reads(load_factory(ROOT / "functions" / function / "main.py"))
    assert names == expected and known(expected)


class _Wants(Protocol):
    @property
    def llm(self) -> LLMSettings: ...

    api_web_dist: str


def _protocol(settings: _Wants) -> None: ...


def _untyped(settings) -> None:  # type: ignore[no-untyped-def]
    ...


def _other(settings: dict[str, str]) -> None: ...


def test_reads_a_protocol_and_says_none_when_it_cannot_tell() -> None:
    assert reads(_protocol) == {"llm", "api_web_dist"}
    assert not known({"llm", "api_web_dist"})  # an API field: serve-http then composes all
    assert reads(_untyped) is None and reads(_other) is None


def test_settings_for_reads_the_same_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECO2_LLM__MODEL", "gemini-2.5-flash")
    monkeypatch.setenv("ECO2_REDIS_URL", "redis://127.0.0.1:6379/7")
    monkeypatch.setenv("ECO2_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("ECO2_CHAT__NOT_A_FIELD", "ignored")
    built = settings_for({"llm", "redis_url"})
    whole = Settings(_env_file=None)  # type: ignore[call-arg]
    assert built.llm == whole.llm and built.llm.model == "gemini-2.5-flash"  # type: ignore[attr-defined]
    assert (built.redis_url, built.log_level) == (whole.redis_url, "DEBUG")
    assert not hasattr(built, "chat") and not hasattr(built, "vision")


def test_a_function_process_imports_only_its_own_groups() -> None:
    # What `eco2 function serve-http functions/rule/main.py` composes before building rule.
    script = (
        "import sys\n"
        "from eco2.cli.function import _function_settings\n"
        "settings = _function_settings('functions/rule/main.py', 'new')\n"
        "assert settings.runtime.shutdown_grace_s > 0\n"
        "unused = ('domains.auth.providers', 'domains.llm', 'domains.chat.settings',\n"
        "          'domains.image', 'eventing.tracing', 'eco2.settings', 'PIL')\n"
        "print(sorted(name for name in unused if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
