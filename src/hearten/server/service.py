"""What the routes share: the companion, its store, the turn runner, the limits, and
the dependencies that say who a request is for."""

from __future__ import annotations

import fcntl
import logging
import math
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any
from urllib.parse import urlparse

import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import make_url

from hearten.companion import MAX_MESSAGE_CHARS, Companion
from hearten.config import Settings
from hearten.server.auth import Person, RateLimiter, token_hash
from hearten.server.config import ServiceConfig
from hearten.server.turns import TurnRunner
from hearten.store import Store
from hearten.voices.openai import is_loopback

log = logging.getLogger("hearten.server")

bearer = HTTPBearer(auto_error=False, description="A token from `hearten users add NAME`.")


@dataclass
class Service:
    settings: Settings
    config: ServiceConfig
    companion: Companion
    runner: TurnRunner
    limiter: RateLimiter
    _lock_file: IO[bytes] | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        return self.companion.store

    @classmethod
    def open(cls, settings: Settings, config: ServiceConfig) -> Service:
        key = config.database_key.get_secret_value() if config.database_key else None
        store = Store(settings.db_url, key=key)
        lock = _single_server(store)
        if lock is not None:
            # The only server on this SQLite file: whatever was in flight died with the
            # process before, so its sends may be finished by retries right away.
            store.release_leases()
        companion = Companion(settings, store=store)
        if config.warm_up:
            # Builds the models' lazy indexes once, before any two threads race to
            # (and asks no voice anything: an LLM voice may be on another host).
            companion.understander.understand("I feel a bit low today")
            companion.assessor.assess("I feel a bit low today", [])
        runner = TurnRunner(
            companion,
            owner=uuid.uuid4().hex,
            lease_seconds=config.lease_seconds,
            workers=config.workers,
        )
        limiter = RateLimiter(config.rate_per_minute, config.rate_burst)
        return cls(settings, config, companion, runner, limiter, lock)

    def close(self) -> None:
        self.companion.close()
        if self._lock_file is not None:
            self._lock_file.close()

    def privacy(self) -> tuple[bool, str | None]:
        """Whether everything stays on this machine, and the host replies come from
        when they do not."""
        voice = self.companion.voice
        url = getattr(voice, "base_url", None)
        if voice.name == "composer" or not url:
            return True, None
        host = urlparse(str(url)).hostname or str(url)
        local = is_loopback(host)
        return local, None if local else host


def _single_server(store: Store) -> IO[bytes] | None:
    """An exclusive lock beside a SQLite file: one server per file. None for other
    databases, where several servers may share one and leases expire instead."""
    url = make_url(store.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(str(url.database)).expanduser()
    handle = open(f"{path}.serve-lock", "ab")  # noqa: SIM115 - held for the server's life
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RuntimeError(f"another hearten server is using {path}") from None
    return handle


def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


async def person(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Person:
    """Who the request is for, from its bearer token; 401 without one, 429 when the
    person is going faster than the rate allows."""
    svc = service(request)
    if credentials is None:
        raise HTTPException(401, "a bearer token is needed", headers={"WWW-Authenticate": "Bearer"})
    found = await anyio.to_thread.run_sync(
        svc.store.token_user, token_hash(credentials.credentials)
    )
    if found is None:
        raise HTTPException(401, "that token is not valid", headers={"WWW-Authenticate": "Bearer"})
    wait = svc.limiter.take(found[0])
    if wait > 0:
        raise HTTPException(
            429,
            "too many requests; please wait a moment",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return Person(found[0], found[1])


Who = Annotated[Person, Depends(person)]
Svc = Annotated[Service, Depends(service)]

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def checked_text(text: Any) -> str:
    """A message as hearten takes it, or a clear error: 422 for no text or characters
    that cannot be stored, 413 for too much."""
    if not isinstance(text, str):
        raise HTTPException(422, "a message is text")
    if _BAD_CHARS.search(text):
        raise HTTPException(422, "a message cannot contain NUL or unpaired surrogates")
    stripped = text.strip()
    if not stripped:
        raise HTTPException(422, "a message cannot be empty")
    if len(stripped) > MAX_MESSAGE_CHARS:
        raise HTTPException(413, f"a message can be at most {MAX_MESSAGE_CHARS} characters")
    return stripped


def idempotency_key(request: Request) -> str | None:
    raw = request.headers.get("idempotency-key")
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise HTTPException(422, "an Idempotency-Key is 1 to 255 printable characters")
    return key
