"""The public development signing key never listens beyond loopback: api, gateway and serve
stop before binding; with a key of its own, or on loopback, the check lets them start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from domains.auth.settings import AuthSettings
from eco2.cli import main
from eco2.cli.exposure import loopback, require_private_key
from eco2.settings import get_settings


@pytest.fixture
def default_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ECO2_AUTH__SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["api", "gateway", "serve"])
@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.7", "eco2.example"])
def test_public_key_refused_off_loopback(default_key: None, command: str, host: str) -> None:
    result = CliRunner().invoke(main, [command, "--host", host, "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "public development key" in result.output
    assert "ECO2_AUTH__SECRET_KEY" in result.output


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_is_allowed_with_the_public_key(host: str) -> None:
    assert loopback(host)
    require_private_key(host, AuthSettings())  # does not raise


def test_own_key_may_listen_anywhere() -> None:
    auth = AuthSettings(secret_key=SecretStr("a" * 64))
    assert not auth.public_key()
    require_private_key("0.0.0.0", auth)
    assert AuthSettings().public_key()
