"""Progress a handler reports while it runs (e.g. the answer stage's tokens).

``report(kind, data)`` hands the step to the runtime, which delivers it to the observer on the
worker's event loop, in order, before the handler's own completion is told; it works from an
``async def`` handler on that loop and from a sync one in its worker thread. Outside a worker (a
direct call, functions-framework) there is no observer and a report is dropped: the handler's
result is the same either way.

A handler that hands work to another thread captures the sink first with ``current()`` and
calls it there, since context variables do not follow a plain thread.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

Sink = Callable[[str, dict[str, Any]], None]

_sink: ContextVar[Sink | None] = ContextVar("eco2_report_sink", default=None)


def current() -> Sink:
    """The sink of the event being handled on this thread (a no-op outside a worker)."""
    return _sink.get() or _drop


def report(kind: str, data: dict[str, Any]) -> None:
    """Report a step of the event being handled (``kind`` e.g. "token", ``data`` JSON-able)."""
    current()(kind, data)


def bind(sink: Sink | None) -> object:
    """Make ``sink`` current for this context; returns the token ``unbind`` needs."""
    return _sink.set(sink)


def unbind(token: object) -> None:
    _sink.reset(token)  # type: ignore[arg-type]  # the Token ``bind`` returned, kept opaque


def _drop(kind: str, data: dict[str, Any]) -> None:
    """No observer: nothing to tell."""
