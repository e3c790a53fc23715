"""What keeps a generative voice from keeping a person waiting: limits (connect,
first-token and overall deadlines, retries), a deadline, jittered backoff, the
Retry-After header, and a circuit breaker that stops calling a backend that keeps
failing. None of it knows about HTTP clients or models; openai.py and llama.py use it.

Every failure a voice raises is a VoiceError, so the session answers with the composer
instead (companion.Session._speak catches any exception; these say why)."""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

Clock = Callable[[], float]


# why a voice did not answer


class VoiceError(RuntimeError):
    """A generative voice could not give a reply; the composer answers instead."""


class BackendUnavailable(VoiceError):
    """The circuit breaker is open: the backend failed repeatedly and is rested."""


class DeadlineExceeded(VoiceError):
    """The reply did not finish within the overall deadline."""


class FirstTokenTimeout(VoiceError):
    """No words arrived within the first-token timeout."""


class UpstreamError(VoiceError):
    """The backend refused, failed, or sent something unusable."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MalformedStream(UpstreamError):
    """The backend's answer could not be read (bad events, a runaway line or body)."""


class EmptyReply(VoiceError):
    """The backend finished without saying anything usable."""


class ReplyTooLong(VoiceError):
    """The reply ran past what the guard would ever let through; it was cut off."""


class Cancelled(VoiceError):
    """The reply was no longer wanted (the person's client went away)."""


# cancelling a reply from outside


class CancelScope:
    """Lets whoever runs a turn cancel the reply being generated, for instance when the
    person's client disconnects. Voices look for the scope of the current context:

        scope = CancelScope()
        with scope:                   # in the thread that runs the turn
            reply = session.send(text)
        scope.cancel()                # from anywhere: the upstream request is closed

    A cancelled voice raises Cancelled, so the composer answers and the turn is stored
    as usual; the backend is not counted as failing."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []
        self._token: Any = None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` when cancelled (at once if already); returns an undo."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when cancelled meanwhile."""
        return self._event.wait(seconds)

    def __enter__(self) -> CancelScope:
        self._token = _SCOPE.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _SCOPE.reset(self._token)


_SCOPE: ContextVar[CancelScope | None] = ContextVar("hearten_cancel_scope", default=None)


def current_scope() -> CancelScope | None:
    """The CancelScope of the running turn, if whoever runs it made one."""
    return _SCOPE.get()


# limits


@dataclass(frozen=True)
class Limits:
    """How long a voice may take and how hard it tries. Seconds throughout.

    connect: to open a connection; first_token: from sending the request to the first
    words; deadline: the whole reply, retries and backoff included; retries: extra
    attempts, only for failures before any response byte; breaker_failures
    consecutive failed replies open the breaker for breaker_cooldown seconds."""

    connect: float = 3.0
    first_token: float = 20.0
    deadline: float = 40.0
    retries: int = 2
    backoff_base: float = 0.25
    backoff_cap: float = 2.0
    breaker_failures: int = 3
    breaker_cooldown: float = 30.0

    def __post_init__(self) -> None:
        if min(self.connect, self.first_token, self.deadline) <= 0:
            raise ValueError("timeouts must be positive")
        if self.retries < 0 or self.breaker_failures < 1 or self.breaker_cooldown < 0:
            raise ValueError("retries >= 0, breaker_failures >= 1, breaker_cooldown >= 0")

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """Limits from hearten's Settings (llm_connect_timeout, llm_first_token_timeout,
        llm_deadline, llm_retries, llm_breaker_failures, llm_breaker_cooldown); a field
        that is missing or None keeps its default."""
        default = cls()
        fields = {
            "connect": "llm_connect_timeout",
            "first_token": "llm_first_token_timeout",
            "deadline": "llm_deadline",
            "retries": "llm_retries",
            "breaker_failures": "llm_breaker_failures",
            "breaker_cooldown": "llm_breaker_cooldown",
        }
        values: dict[str, Any] = {}
        for attr, name in fields.items():
            value = getattr(settings, name, None)
            values[attr] = (
                getattr(default, attr) if value is None else type(getattr(default, attr))(value)
            )
        return cls(**values)


class Deadline:
    """A point in time a reply must be finished by."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.seconds = seconds
        self.at = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - self._clock())

    def expired(self) -> bool:
        return self._clock() >= self.at

    def check(self) -> None:
        if self.expired():
            raise DeadlineExceeded(f"no reply within {self.seconds:g} s")


# retries


def backoff(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry): "full
    jitter", a uniform draw below min(cap, base * 2**attempt), so clients that failed
    together do not come back together."""
    ceiling = min(cap, base * (2.0**attempt))
    return (rng or random).uniform(0.0, ceiling)


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when
    absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def http_date(seconds_from_epoch: float) -> str:
    """An HTTP date (for tests and fault servers that send Retry-After as a date)."""
    moment = datetime.fromtimestamp(seconds_from_epoch, tz=UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


# the circuit breaker

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Stops calling a backend that keeps failing.

    closed: calls go through; `failures` consecutive failures open it.
    open: calls are refused at once (the composer answers) for `cooldown` seconds.
    half_open: after the cool-down one trial call goes through (others are refused
    while it runs); its success closes the breaker, its failure opens it again.

    Thread-safe: one breaker serves every session of a voice."""

    def __init__(self, failures: int = 3, cooldown: float = 30.0, clock: Clock = time.monotonic):
        if failures < 1:
            raise ValueError("failures must be at least 1")
        self.failures = failures
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._state: BreakerState = "closed"
        self._count = 0  # consecutive failures
        self._opened_at = 0.0
        self._probing = False
        self.opened = 0  # times it opened, for logs and tests

    @property
    def state(self) -> BreakerState:
        with self._lock:
            self._tick()
            return self._state

    def _tick(self) -> None:
        if self._state == "open" and self._clock() - self._opened_at >= self.cooldown:
            self._state = "half_open"
            self._probing = False

    def acquire(self) -> None:
        """Ask to make a call; raises BackendUnavailable when the breaker refuses.
        Every acquire must be followed by success(), failure() or release()."""
        with self._lock:
            self._tick()
            if self._state == "open":
                left = self.cooldown - (self._clock() - self._opened_at)
                raise BackendUnavailable(f"backend rested after repeated failures ({left:.0f} s)")
            if self._state == "half_open":
                if self._probing:
                    raise BackendUnavailable("backend on trial; another call is testing it")
                self._probing = True

    def success(self) -> None:
        with self._lock:
            self._state = "closed"
            self._count = 0
            self._probing = False

    def failure(self) -> None:
        with self._lock:
            self._count += 1
            if self._state == "half_open" or self._count >= self.failures:
                if self._state != "open":
                    self.opened += 1
                self._state = "open"
                self._opened_at = self._clock()
            self._probing = False

    def release(self) -> None:
        """A call ended without saying whether the backend works (the caller stopped
        listening before any words): a trial slot is freed, nothing else changes."""
        with self._lock:
            self._probing = False
