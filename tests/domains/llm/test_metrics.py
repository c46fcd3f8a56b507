"""The LLM metrics survive a second import, with or without the registry's private lookup."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY, Counter

from domains.llm import metrics


def test_a_second_definition_gets_the_registered_metric() -> None:
    again = metrics._metric(Counter, "eco2_llm_tokens", "doc", ["provider", "direction"])
    assert again is metrics.TOKENS


def test_without_the_private_lookup_a_duplicate_is_unregistered_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = f"eco2_test_{uuid.uuid4().hex[:8]}"
    first = metrics._metric(Counter, name, "doc", ["provider"])
    # A registry without ``_names_to_collectors`` (a later prometheus_client): no lookup.
    monkeypatch.setattr(metrics, "REGISTRY", object())
    again = metrics._metric(Counter, name, "doc", ["provider"])
    assert again is not first
    again.labels(provider="sim").inc()  # counts, but is not exported
    assert REGISTRY.get_sample_value(f"{name}_total", {"provider": "sim"}) is None
    first.labels(provider="sim").inc(2)
    assert REGISTRY.get_sample_value(f"{name}_total", {"provider": "sim"}) == 2
