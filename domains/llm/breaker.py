"""A circuit breaker per provider: closed → open after N consecutive failures → half-open after
a cool-down (one probe call) → closed on success, open again on failure.

An open breaker makes the router skip the provider at once instead of waiting on its timeouts,
so a dead provider costs the fallback chain nothing. State is exported as a gauge.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

from .exceptions import CircuitOpen
from .metrics import BREAKER

log = logging.getLogger(__name__)


class State(enum.IntEnum):
    """Gauge values of ``eco2_llm_breaker_state``."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Not thread-safe on purpose: it lives in one event loop, where calls interleave only at
    ``await`` points and every method here is synchronous."""

    def __init__(
        self,
        name: str,
        failures: int,
        reset_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failures = failures
        self.reset_s = reset_s
        self._clock = clock
        self._state = State.CLOSED
        self._count = 0
        self._opened_at = 0.0
        self._probing = False
        BREAKER.labels(provider=name).set(State.CLOSED)

    @property
    def state(self) -> State:
        if self._state is State.OPEN and self._clock() - self._opened_at >= self.reset_s:
            self._set(State.HALF_OPEN)
        return self._state

    def before_call(self) -> None:
        """Raise ``CircuitOpen`` unless a call may go through (in half-open: one probe)."""
        state = self.state
        if state is State.OPEN:
            left = self.reset_s - (self._clock() - self._opened_at)
            raise CircuitOpen(f"{self.name}: circuit open, next probe in {left:.1f}s")
        if state is State.HALF_OPEN:
            if self._probing:
                raise CircuitOpen(f"{self.name}: circuit half-open, a probe is in flight")
            self._probing = True

    def success(self) -> None:
        self._count = 0
        self._probing = False
        if self._state is not State.CLOSED:
            log.info("LLM breaker %s: closed after a successful call", self.name)
            self._set(State.CLOSED)

    def failure(self) -> None:
        self._count += 1
        was_probe, self._probing = self._probing, False
        if was_probe or self._count >= self.failures:
            if self._state is not State.OPEN:
                log.warning("LLM breaker %s: open after %d failure(s)", self.name, self._count)
            self._opened_at = self._clock()
            self._set(State.OPEN)

    def release(self) -> None:
        """The call ended without a verdict on the provider (e.g. the caller cancelled)."""
        self._probing = False

    def _set(self, state: State) -> None:
        self._state = state
        BREAKER.labels(provider=self.name).set(state)
