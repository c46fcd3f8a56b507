"""What a fake provider server does with its next requests, set by each test.

A test queues ``Action``s; each request consumes one (the last action repeats when
``sticky`` is set, and an empty queue means a normal text answer). Every request body is kept
so tests can assert what the real SDK sent (the model, the base64 image, the JSON schema).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "json", "rate_limit", "server_error", "slow", "stall", "malformed"]


@dataclass(frozen=True)
class Action:
    kind: Kind = "text"
    text: str = "fake answer"
    data: Any = None
    retry_after: str | None = None
    delay_s: float = 0.0
    status: int = 500


def text(value: str) -> Action:
    return Action("text", text=value)


def as_json(data: Any) -> Action:
    return Action("json", data=data)


def rate_limit(retry_after: str | None = "0") -> Action:
    return Action("rate_limit", retry_after=retry_after, status=429)


def server_error(status: int = 500) -> Action:
    return Action("server_error", status=status)


def slow(delay_s: float) -> Action:
    return Action("slow", delay_s=delay_s)


def stall(delay_s: float, text: str = "first second") -> Action:
    """Stream the first delta, then go silent for ``delay_s`` (a stream that dies midway)."""
    return Action("stall", text=text, delay_s=delay_s)


def malformed() -> Action:
    return Action("malformed")


@dataclass
class Received:
    path: str
    query: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Script:
    """Per-provider queue of actions and log of requests; safe across the server thread."""

    actions: deque[Action] = field(default_factory=deque)
    sticky: Action | None = None
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, *actions: Action) -> None:
        with self._lock:
            self.actions.extend(actions)

    def always(self, action: Action | None) -> None:
        """Answer every request with ``action`` once the queue is empty (None: normal text)."""
        with self._lock:
            self.sticky = action

    def next(self, request: Received) -> Action:
        with self._lock:
            self.received.append(request)
            if self.actions:
                return self.actions.popleft()
            return self.sticky or Action()

    def reset(self) -> None:
        with self._lock:
            self.actions.clear()
            self.sticky = None
            self.received.clear()
