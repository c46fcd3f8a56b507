"""Prometheus metrics of the LLM port, on the default registry.

Importing this module twice (a reload, or a test that imports it under another name) must not
raise "Duplicated timeseries", so each metric is looked up in the registry before it is created.
prometheus_client has no public lookup by name: the lookup reads the registry's private
``_names_to_collectors`` only if it is still a mapping of metrics, and otherwise a duplicate
gets an unregistered metric (counted, not exported) instead of an import error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

M = TypeVar("M", bound=MetricWrapperBase)


def _registered(kind: type[M], name: str) -> M | None:
    """The metric registered as ``name``, if the registry can still say (private attribute)."""
    names = getattr(REGISTRY, "_names_to_collectors", None)
    existing = names.get(name) if isinstance(names, Mapping) else None
    return existing if isinstance(existing, kind) else None


def _metric(kind: type[M], name: str, doc: str, labels: list[str], **extra: Any) -> M:
    existing = _registered(kind, name)
    if existing is not None:
        return existing
    try:
        return kind(name, doc, labels, **extra)
    except ValueError:  # "Duplicated timeseries", and no lookup found the first one
        return kind(name, doc, labels, registry=None, **extra)


TOKENS = _metric(
    Counter,
    "eco2_llm_tokens",
    "Tokens billed by LLM providers, by direction (in = prompt, out = completion).",
    ["provider", "direction"],
)
CALLS = _metric(
    Counter,
    "eco2_llm_calls",
    "LLM provider attempts by outcome (ok, rate_limited, timeout, malformed, unavailable, "
    "circuit_open, unsupported, error).",
    ["provider", "outcome"],
)
LATENCY = _metric(
    Histogram,
    "eco2_llm_latency_seconds",
    "Wall time of successful LLM provider calls (a stream: until its last delta).",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80),
)
BREAKER = _metric(
    Gauge,
    "eco2_llm_breaker_state",
    "Circuit breaker state per LLM provider: 0 closed, 1 half-open, 2 open.",
    ["provider"],
)


def outcome_of(error: BaseException | None) -> str:
    """The ``outcome`` label for an attempt that ended with ``error`` (None: success)."""
    if error is None:
        return "ok"
    names = {
        "RateLimited": "rate_limited",
        "LLMTimeout": "timeout",
        "MalformedResponse": "malformed",
        "ProviderUnavailable": "unavailable",
        "CircuitOpen": "circuit_open",
        "UnsupportedRequest": "unsupported",
    }
    return names.get(type(error).__name__, "error")


def record_usage(provider: str, input_tokens: int, output_tokens: int) -> None:
    TOKENS.labels(provider=provider, direction="in").inc(input_tokens)
    TOKENS.labels(provider=provider, direction="out").inc(output_tokens)
