from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from eco2.cli.settings import render_table
from eco2.settings import Settings

DOCS = Path(__file__).parents[2] / "docs" / "settings.md"


def test_defaults_point_at_loopback_servers_and_local_model() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.redis_url.startswith("redis://127.0.0.1:6379")
    assert settings.shards == 4 and settings.llm.model == "local"
    assert settings.llm.openai_api_key is None


def test_env_prefix_and_nested_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECO2_SHARDS", "8")
    monkeypatch.setenv("ECO2_LLM__MODEL", "gemini-2.5-flash")
    monkeypatch.setenv("ECO2_RUNTIME__MAX_ATTEMPTS", "3")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.shards, settings.llm.model, settings.runtime.max_attempts) == (
        8,
        "gemini-2.5-flash",
        3,
    )


def test_invalid_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECO2_SHARDS", "0")
    with pytest.raises(ValidationError, match="shards"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_docs_list_every_setting() -> None:
    assert render_table() in DOCS.read_text(encoding="utf-8"), "regenerate: eco2 settings"


def test_cli_help_lists_subcommands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "eco2.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "settings" in out and "events" in out


def test_handler_must_time_out_before_its_entry_is_reclaimed() -> None:
    from eventing.runtime.settings import RuntimeSettings

    with pytest.raises(ValidationError, match="shorter than claim_idle_ms"):
        RuntimeSettings(claim_idle_ms=1_000, handler_timeout_s=5)
