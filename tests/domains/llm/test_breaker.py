"""The circuit breaker's three states, on a controllable clock, and its gauge."""

from __future__ import annotations

import pytest

from domains.llm import CircuitOpen
from domains.llm.breaker import CircuitBreaker, State

from .conftest import metric


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def gauge(name: str) -> float:
    return metric("eco2_llm_breaker_state", provider=name)


def test_opens_after_consecutive_failures(clock, unique):
    breaker = CircuitBreaker(unique, failures=3, reset_s=10, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.failure()
    assert breaker.state is State.CLOSED and gauge(unique) == 0
    breaker.before_call()
    breaker.failure()
    assert breaker.state is State.OPEN and gauge(unique) == 2
    with pytest.raises(CircuitOpen, match="next probe"):
        breaker.before_call()


def test_success_resets_the_count(clock, unique):
    breaker = CircuitBreaker(unique, failures=2, reset_s=10, clock=clock)
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state is State.CLOSED


def test_half_open_lets_one_probe_and_closes_on_success(clock, unique):
    breaker = CircuitBreaker(unique, failures=1, reset_s=10, clock=clock)
    breaker.failure()
    clock.now += 9.9
    assert breaker.state is State.OPEN
    clock.now += 0.1
    assert breaker.state is State.HALF_OPEN and gauge(unique) == 1
    breaker.before_call()  # the probe
    with pytest.raises(CircuitOpen, match="probe is in flight"):
        breaker.before_call()
    breaker.success()
    assert breaker.state is State.CLOSED and gauge(unique) == 0
    breaker.before_call()


def test_failed_probe_opens_again_for_a_full_period(clock, unique):
    breaker = CircuitBreaker(unique, failures=5, reset_s=10, clock=clock)
    for _ in range(5):
        breaker.failure()
    clock.now += 10
    breaker.before_call()
    breaker.failure()  # one failure is enough in half-open
    assert breaker.state is State.OPEN
    clock.now += 9
    assert breaker.state is State.OPEN
    clock.now += 1
    assert breaker.state is State.HALF_OPEN


def test_released_probe_frees_the_slot(clock, unique):
    breaker = CircuitBreaker(unique, failures=1, reset_s=1, clock=clock)
    breaker.failure()
    clock.now += 1
    breaker.before_call()
    breaker.release()
    breaker.before_call()  # a new probe may go
    assert breaker.state is State.HALF_OPEN
