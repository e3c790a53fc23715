"""A turn over HTTP: the person's message is committed before any reply exists, the
reply is stored incomplete until all of it has been sent, and an Idempotency-Key
holds across retries, concurrent duplicates, crashes and restarts."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from hearten.companion import Companion, Reply, Session
from hearten.store import (
    DuplicateKey,
    IdempotencyClaim,
    IdempotentSend,
    Store,
    TurnResult,
    TurnStart,
)

T = TypeVar("T")


class NotFound(Exception):
    """No such conversation for this person (someone else's is the same: 404)."""


class KeyReused(Exception):
    """The Idempotency-Key was used for a different request."""


class StillRunning(Exception):
    """Another server is still writing the reply for this Idempotency-Key."""


@dataclass(frozen=True)
class Outcome:
    response: dict[str, Any]
    replayed: bool

    @property
    def text(self) -> str:
        return str(self.response["text"])

    @property
    def reply_message_id(self) -> int:
        return int(self.response["reply_message_id"])


def request_hash(payload: Any) -> str:
    """What an Idempotency-Key is bound to: a hash of the request that used it."""
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def thread_key(transcript: list[tuple[str, str]]) -> str:
    """The OpenAI-compatible API's handle on a conversation: the transcript the client
    holds (it sends it back whole, plus one message, with every request)."""
    return request_hash([list(pair) for pair in transcript])


class ServedSession(Session):
    """A Session whose storage hooks commit the service's way: the message and an
    empty, incomplete reply (and the Idempotency-Key) in one transaction before the
    reply is produced; the reply, state, mood and goals in one transaction after."""

    def __init__(self, companion: Companion, user: str, **hooks: Any) -> None:
        super().__init__(companion, user, persist=True, seed=None)
        self._hooks(**hooks)

    @classmethod
    def resumed(cls, companion: Companion, user: str, conversation_id: int, **hooks: Any
                ) -> ServedSession:  # fmt: skip
        """A stored conversation carried on exactly as Companion.resume does it, with
        the service's storage hooks. LookupError when it is not this user's."""
        base = companion.resume(user, conversation_id)
        session = cls.__new__(cls)
        session.__dict__.update(vars(base))
        session._hooks(**hooks)
        return session

    def _hooks(
        self,
        *,
        claim: IdempotencyClaim | None = None,
        recover: TurnStart | None = None,
        idempotency_id: int | None = None,
        streamed: bool = False,
        thread: list[tuple[str, str]] | None = None,
    ) -> None:
        self.claim = claim
        self.recover = recover  # the message is stored already; only its reply is missing
        self.idempotency_id = idempotency_id
        self.streamed = streamed
        self.thread = thread
        self.started: TurnStart | None = None
        self.response: dict[str, Any] | None = None

    def start(self, greet: bool = True) -> tuple[int, str]:
        """A new conversation: its opening (unless the client never shows one), stored
        with the state behind it."""
        opening = self.opening() if greet else ""
        conv = self._ensure_conversation()
        assert conv is not None
        self.companion.store.save_state(conv, self.state.model_dump(mode="json"))
        return conv, opening

    def _save_user_message(self, text: str) -> None:
        conv = self._ensure_conversation()
        assert conv is not None
        store = self.companion.store
        if self.recover is not None:
            self.started = self.recover
            # Loaded with the conversation (with the empty reply after it); send() adds
            # the message again.
            if self.history and self.history[-1] == text:
                self.history.pop()
            while self.turns and self.turns[-1] == {"role": "assistant", "text": ""}:
                self.turns.pop()
            if self.turns and self.turns[-1] == {"role": "user", "text": text}:
                self.turns.pop()
        else:
            self.started = store.begin_turn(conv, text, self.claim)
        self._last_user_message = self.started.user_message_id

    def _save_reply(self, reply: Reply, commitments: list[Any]) -> None:
        assert self.started is not None and self.conversation_id is not None
        assert self.user_id is not None
        plan = {k: v for k, v in reply.as_json("").items() if k not in {"reply", "user"}}
        self.response = {
            "conversation_id": self.conversation_id,
            "user_message_id": self.started.user_message_id,
            "reply_message_id": self.started.reply_message_id,
            "text": reply.text,
            **{k: v for k, v in plan.items()},
            "crisis": reply.crisis,
            "ideas": list(reply.ideas),
        }
        said = self.history[-1] if self.history else ""
        self.companion.store.finish_turn(
            TurnResult(
                user_id=self.user_id,
                conversation_id=self.conversation_id,
                user_message_id=self.started.user_message_id,
                reply_message_id=self.started.reply_message_id,
                text=reply.text,
                plan=plan,
                state=self.state.model_dump(mode="json"),
                mood=reply.mood,
                goals=[
                    {
                        "text": g.text,
                        "what": g.what,
                        "when": g.when,
                        "how_often": g.how_often,
                        "duration": g.duration,
                    }
                    for g in commitments
                ],
                complete=not self.streamed,
                response=self.response,
                idempotency_id=self.idempotency_id or self.started.idempotency_id,
                thread_key=(
                    thread_key([*self.thread, ("user", said), ("assistant", reply.text)])
                    if self.thread is not None
                    else None
                ),
            )
        )


class TurnRunner:
    """Runs turns off the event loop, one at a time per conversation, at most
    `workers` at once, and owns the Idempotency-Key protocol."""

    def __init__(
        self, companion: Companion, *, owner: str, lease_seconds: float, workers: int
    ) -> None:
        self.companion = companion
        self.owner = owner
        self.lease = lease_seconds
        self.limiter = anyio.CapacityLimiter(workers)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @property
    def store(self) -> Store:
        return self.companion.store

    async def io(self, fn: Callable[..., T], *args: Any) -> T:
        """A store call, off the event loop (not bounded by the reply workers)."""
        return await anyio.to_thread.run_sync(partial(fn, *args))

    @asynccontextmanager
    async def _conversation(self, conversation_id: int) -> AsyncIterator[None]:
        # One turn at a time per conversation: the next one reads the state this one
        # writes, and duplicates of one send queue up behind it and replay it.
        lock, users = self._locks.get(conversation_id, (asyncio.Lock(), 0))
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[conversation_id]
            if users <= 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    async def start(self, user: str, greet: bool = True) -> tuple[int, str]:
        def work() -> tuple[int, str]:
            return ServedSession(self.companion, user).start(greet)

        return await anyio.to_thread.run_sync(work, limiter=self.limiter)

    async def send(
        self,
        person_id: int,
        person: str,
        conversation_id: int,
        text: str,
        *,
        key: str | None,
        fingerprint: str,
        streamed: bool,
        thread: list[tuple[str, str]] | None = None,
        history: list[str] | None = None,
    ) -> Outcome:
        async with self._conversation(conversation_id):
            if not await self.io(self.store.owns, person_id, conversation_id):
                raise NotFound
            claim = None
            if key is not None:
                existing = await self.io(self.store.idempotent_send, person_id, key)
                if existing is not None:
                    return await self._again(
                        person_id, person, key, existing, text, fingerprint, streamed
                    )
                claim = IdempotencyClaim(
                    person_id, key, fingerprint, self.owner, time.time() + self.lease
                )
            try:
                response = await self._turn(
                    person,
                    conversation_id,
                    text,
                    person_id=person_id,
                    key=key,
                    claim=claim,
                    streamed=streamed,
                    thread=thread,
                    history=history,
                )
            except DuplicateKey as dup:  # another server took the key first
                existing = dup.existing
                return await self._again(
                    person_id, person, key or "", existing, text, fingerprint, streamed
                )
            return Outcome(response, replayed=False)

    async def _again(
        self,
        person_id: int,
        person: str,
        key: str,
        existing: IdempotentSend,
        text: str,
        fingerprint: str,
        streamed: bool,
    ) -> Outcome:
        """A send whose key was seen before: replay its reply; finish it if whoever
        started it is gone; wait a while if another server is still on it."""
        if existing.request_hash != fingerprint:
            raise KeyReused
        deadline = time.monotonic() + self.lease + 5
        found: IdempotentSend | None = existing
        while found is not None:
            if found.response is not None:
                return Outcome(found.response, replayed=True)
            now = time.time()
            if await self.io(self.store.take_over, found.id, self.owner, now + self.lease, now):
                response = await self._turn(
                    person,
                    found.conversation_id,
                    text,
                    person_id=person_id,
                    key=key,
                    recover=TurnStart(found.user_message_id, found.reply_message_id, found.id),
                    idempotency_id=found.id,
                    streamed=streamed,
                )
                return Outcome(response, replayed=True)
            if time.monotonic() > deadline:
                raise StillRunning
            await anyio.sleep(0.2)
            found = await self.io(self.store.idempotent_send, person_id, key)
        raise NotFound  # deleted meanwhile

    async def _turn(
        self,
        person: str,
        conversation_id: int,
        text: str,
        *,
        person_id: int,
        key: str | None,
        history: list[str] | None = None,
        **hooks: Any,
    ) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            try:
                session = ServedSession.resumed(self.companion, person, conversation_id, **hooks)
            except LookupError:
                raise NotFound from None
            if history and not session.history:
                session.history = list(history)  # earlier turns a client brought along
            session.send(text)
            assert session.response is not None
            return session.response

        async def keep_lease() -> None:
            while True:
                await anyio.sleep(self.lease / 3)
                await self.io(
                    self.store.renew_lease, person_id, key, self.owner, time.time() + self.lease
                )

        response: dict[str, Any] = {}
        async with anyio.create_task_group() as tg:
            if key is not None:
                tg.start_soon(keep_lease)
            try:
                response = await anyio.to_thread.run_sync(work, limiter=self.limiter)
            finally:
                tg.cancel_scope.cancel()
        return response
