"""The metric names a PromQL expression reads, and the names the code exports.

Expressions are parsed with ``promql-parser`` (a syntax error fails), and every vector
selector's name is collected. The exported names come from the default Prometheus registry
once the modules that define metrics are imported: a Counter ``x`` is scraped as ``x_total``,
a Histogram ``x`` as ``x_bucket``, ``x_sum`` and ``x_count``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import promql_parser
from prometheus_client import REGISTRY

# Every module that defines the project's metrics.
METRIC_MODULES = ("eventing.metrics", "domains.llm.metrics", "eco2.api.admission")
# Read by the dashboard and alerts but exported by KEDA's operator, not by the project: the
# value each scaler reads (Redis Streams lag, RabbitMQ queue length), per ScaledObject.
KEDA_METRICS = frozenset({"keda_scaler_metrics_value"})
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gauge": ("",),
}


def exported_metrics() -> set[str]:
    """The sample names the project's processes export (``eco2_*``)."""
    for module in METRIC_MODULES:
        importlib.import_module(module)
    names = set()
    for family in REGISTRY.collect():
        if family.name.startswith("eco2_"):
            names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


def _selectors(node: Any) -> Iterator[str]:
    if isinstance(node, promql_parser.VectorSelector):
        yield str(node.name)
        return
    for attribute in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        if child is not None:
            yield from _selectors(child)
    for arg in getattr(node, "args", None) or ():
        yield from _selectors(arg)


def metric_names(expression: str) -> set[str]:
    """The metric names ``expression`` reads; raises ``ValueError`` if it does not parse."""
    return set(_selectors(promql_parser.parse(expression)))


def unknown_metrics(expression: str) -> set[str]:
    """What ``expression`` reads that neither the project nor KEDA exports."""
    return metric_names(expression) - exported_metrics() - KEDA_METRICS
