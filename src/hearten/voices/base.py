"""What every voice is: something that turns a Plan into words."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from hearten.dialogue.plan import Plan


class Utterance(BaseModel):
    text: str
    voice: str
    phrase_ids: list[str] = []  # the composer's phrasings used, so none is said twice


class Voice(Protocol):
    """Turns a Plan into words. `speak` may raise: the composer then answers."""

    name: str

    def speak(self, plan: Plan) -> Utterance: ...
