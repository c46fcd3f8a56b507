"""``eco2 serve`` works from any directory: its workers get absolute function sources."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import domains
from domains.db import MIGRATIONS_DIR
from eco2.serve import plan
from eco2.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("transport", ["redis", "amqp"])
def test_workers_load_their_functions_by_absolute_path(transport: str) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    workers = [
        part
        for part in plan(settings, host="127.0.0.1", port=8000, transport=transport)
        if part.role == "worker"
    ]
    names = ["vision-1", "rule-1", "answer-1", "reward-1", "chat-1"]
    assert [part.name for part in workers] == names
    for part in workers:
        source = Path(part.args[2])
        assert part.args[:2] == ("function", "run")
        assert source.is_absolute() and source.is_file(), source
        assert source.parts[-3:] == ("functions", part.name.removesuffix("-1"), "main.py")


def test_a_plain_install_ships_the_migrations_beside_the_packages() -> None:
    # domains/db.py looks for them beside the `domains` package: site-packages when installed.
    assert MIGRATIONS_DIR.parent == Path(domains.__file__).resolve().parent.parent
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert any((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = project["tool"]["setuptools"]["packages"]["find"]
    assert found.get("namespaces", True)  # migrations/ has no __init__.py
    assert "migrations*" in found["include"]
    assert "*.mako" in project["tool"]["setuptools"]["package-data"]["*"]


def test_the_analysis_service_starts_with_the_router_and_rule_and_chat_are_pointed_at_it() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    parts = {
        p.name: p
        for p in plan(settings, host="127.0.0.1", port=8000, transport="redis", workers_per_stage=2)
    }
    port = settings.knowledge.analyser_port
    assert parts["analyser"].args == ("analyser", "--port", str(port))
    assert parts["analyser"].role == "service"  # started before the workers, not awaited
    pointed = {"chat-1", "rule-1", "rule-2"}
    for name in pointed:
        url = dict(parts[name].env)["ECO2_KNOWLEDGE__ANALYSER_URL"]
        assert url == f"http://127.0.0.1:{port}"
    assert all(not p.env for name, p in parts.items() if name not in pointed)


def test_a_configured_analysis_service_is_used_not_started() -> None:
    settings = Settings(_env_file=None, knowledge={"analyser_url": "http://an:8010"})  # type: ignore[call-arg]
    parts = {p.name: p for p in plan(settings, host="127.0.0.1", port=8000, transport="amqp")}
    assert "analyser" not in parts
    assert dict(parts["chat-1"].env)["ECO2_KNOWLEDGE__ANALYSER_URL"] == "http://an:8010"
    assert dict(parts["rule-1"].env)["ECO2_KNOWLEDGE__ANALYSER_URL"] == "http://an:8010"
