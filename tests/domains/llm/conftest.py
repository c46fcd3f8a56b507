"""Fixtures of the LLM tests: one fake provider server per session, settings that point the real
SDKs at it with tiny timeouts and backoffs, and a router that records the waits it is asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from prometheus_client import REGISTRY

from domains.llm import ResilientLLM
from domains.llm.settings import LLMSettings
from eco2.settings import Settings

from .fakes.server import FakeProviders

PNG = b"\x89PNG\r\n\x1a\n" + b"eco2-test-image" * 4


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeProviders]:
    server = FakeProviders()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fakes(fake_server: FakeProviders) -> Iterator[FakeProviders]:
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture
def llm_settings(fakes: FakeProviders) -> Settings:
    """Both cloud providers configured against the fakes; local is not the default here."""
    llm = LLMSettings(
        model="gpt-4.1-mini",
        openai_api_key="test-openai-key",
        openai_base_url=fakes.openai_base_url,
        gemini_api_key="test-gemini-key",
        gemini_base_url=fakes.gemini_base_url,
        timeout_s=1.0,
        max_retries=1,
        breaker_failures=3,
        breaker_reset_s=0.3,
        backoff_initial_s=0.01,
        backoff_max_s=5.0,
    )
    return Settings(_env_file=None, llm=llm)  # type: ignore[call-arg]


class Sleeps(list[float]):
    """Records each wait the router asks for and returns at once (the test stays fast)."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def llm(llm_settings: Settings, sleeps: Sleeps) -> AsyncIterator[ResilientLLM]:
    client = ResilientLLM(lambda: llm_settings.llm, sleep=sleeps)
    yield client
    await client.aclose()


def metric(name: str, **labels: str) -> float:
    """Current value of a sample on the default registry (0 when never set)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
