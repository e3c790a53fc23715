"""Bearer tokens: made once, shown once, stored only as a SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

PREFIX = "hearten_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # The token is 256 random bits, so a plain hash is as strong as a slow one.
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Person:
    """Who a request is for."""

    id: int
    name: str


class RateLimiter:
    """A token bucket per person: `burst` requests at once, `per_minute` sustained."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[int, tuple[float, float]] = {}

    def take(self, key: int, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate
