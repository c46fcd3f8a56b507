"""Fixtures shared by every test: settings pointing at the loopback servers, unique names.

Tests share one Redis, RabbitMQ and PostgreSQL with each other (and with other checkouts on the
machine), so every test names its keys, streams, queues and schemas with ``unique`` and never
flushes a whole database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from eco2.settings import Settings


@pytest.fixture
def unique() -> str:
    """A short name no other test run uses."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings() -> Iterator[Settings]:
    """Settings for the loopback servers, independent of the developer's environment."""
    yield Settings(_env_file=None)  # type: ignore[call-arg]
