"""Limits, deadlines, backoff, Retry-After and the circuit breaker, without a network."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from hearten.voices.resilience import (
    BackendUnavailable,
    CancelScope,
    CircuitBreaker,
    Deadline,
    DeadlineExceeded,
    Limits,
    backoff,
    current_scope,
    http_date,
    retry_after,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown=30, clock=clock)
    for _ in range(2):
        breaker.acquire()
        breaker.failure()
    breaker.acquire()
    breaker.success()  # a success in between starts the count again
    for _ in range(2):
        breaker.acquire()
        breaker.failure()
    assert breaker.state == "closed"
    breaker.acquire()
    breaker.failure()
    assert breaker.state == "open" and breaker.opened == 1
    with pytest.raises(BackendUnavailable):
        breaker.acquire()


def test_breaker_half_opens_after_cooldown_and_a_success_closes_it() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown=30, clock=clock)
    breaker.acquire()
    breaker.failure()
    clock.now += 29.9
    assert breaker.state == "open"
    clock.now += 0.1
    assert breaker.state == "half_open"
    breaker.acquire()  # the trial call
    with pytest.raises(BackendUnavailable):
        breaker.acquire()  # only one trial at a time
    breaker.success()
    assert breaker.state == "closed"
    breaker.acquire()
    breaker.release()


def test_a_failed_trial_opens_the_breaker_again_for_a_full_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown=10, clock=clock)
    for _ in range(3):
        breaker.acquire()
        breaker.failure()
    clock.now += 10
    breaker.acquire()
    breaker.failure()  # one failure is enough when on trial
    assert breaker.state == "open" and breaker.opened == 2
    clock.now += 9
    assert breaker.state == "open"
    clock.now += 1
    assert breaker.state == "half_open"


def test_a_trial_that_says_nothing_frees_the_slot() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown=1, clock=clock)
    breaker.acquire()
    breaker.failure()
    clock.now += 1
    breaker.acquire()
    breaker.release()  # the person went away before any words
    assert breaker.state == "half_open"
    breaker.acquire()


def test_backoff_is_jittered_below_an_exponential_ceiling() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(0, 0.25), (1, 0.5), (2, 1.0), (3, 2.0), (8, 2.0)]:
        waits = [backoff(attempt, base=0.25, cap=2.0, rng=rng) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 150  # jittered, not fixed
        assert max(waits) > ceiling * 0.8


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 0.5 ", 0.5), ("-4", 0.0), ("soon", None), (None, None), ("inf", None)],
)
def test_retry_after_in_seconds(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds


def test_retry_after_as_an_http_date() -> None:
    now = 1_700_000_000.0
    assert retry_after(http_date(now + 120), now=now) == pytest.approx(120, abs=1)
    assert retry_after(http_date(now - 120), now=now) == 0.0


def test_deadline_with_a_clock() -> None:
    clock = Clock()
    deadline = Deadline(5, clock)
    clock.now += 4
    assert deadline.remaining() == pytest.approx(1) and not deadline.expired()
    deadline.check()
    clock.now += 1
    assert deadline.expired() and deadline.remaining() == 0
    with pytest.raises(DeadlineExceeded):
        deadline.check()


def test_limits_from_settings_keep_defaults_for_missing_fields() -> None:
    settings = SimpleNamespace(llm_deadline=12, llm_retries="1", llm_connect_timeout=None)
    limits = Limits.from_settings(settings)
    assert limits.deadline == 12.0 and limits.retries == 1
    assert limits.connect == Limits().connect and limits.first_token == Limits().first_token
    with pytest.raises(ValueError):
        Limits(deadline=0)


def test_a_cancel_scope_calls_back_once_and_can_be_undone() -> None:
    scope = CancelScope()
    called: list[str] = []
    undo = scope.on_cancel(lambda: called.append("a"))
    scope.on_cancel(lambda: called.append("b"))
    undo()
    assert current_scope() is None
    with scope:
        assert current_scope() is scope and not scope.cancelled
        scope.cancel()
    assert current_scope() is None
    assert scope.cancelled and called == ["b"]
    scope.cancel()
    assert called == ["b"]
    scope.on_cancel(lambda: called.append("late"))  # already cancelled: at once
    assert called == ["b", "late"] and scope.wait(0)
