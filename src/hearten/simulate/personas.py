"""Persona cards: who the simulated user is (simulate/cards/*.yaml).

A card says what the person is going through (situation, a main concern and one they
keep back), how they feel and how strongly, the nonverbal cues they write in
asterisks, how open they are, which coping ideas they take up or turn down, the goals
they would commit to, and whether and when a risk surfaces. The shared phrasings every
persona uses (openings, acceptance, thanks ...) are in cards/phrases.yaml.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field

from hearten.vocabulary import RiskCategory, RiskLevel
from hearten.yamlfile import load_yaml

PHRASES_FILE = "phrases.yaml"


class Cues(BaseModel):
    low: list[str]  # written while low: "*sighs heavily*"
    warm: list[str] = []  # written when something lands: "*offers a small smile*"


class ConcernCard(BaseModel):
    id: str  # one of vocabulary.CONCERNS
    say: list[str] = Field(min_length=1)  # ways the person names it, in their words
    more: list[str] = []  # further detail for later turns
    after: int = 0  # for a hidden concern: the earliest user turn it may come up


class RiskCard(BaseModel):
    turn: int = Field(ge=2)  # the user turn the risk surfaces in
    category: RiskCategory
    level: RiskLevel
    say: str
    after: str  # the person's next message, after the crisis reply


class Persona(BaseModel):
    id: str
    name: str
    topic: str
    state: str  # for the introduction line: "feeling sad and stressed about work"
    situation: str
    feeling: str  # a feeling word: "down", "overwhelmed"
    emotion: str  # the emotion it names (vocabulary.EMOTIONS)
    intensity: float = Field(ge=0.0, le=1.0)
    openness: float = Field(ge=0.0, le=1.0)  # chance to name the concern unasked
    cues: Cues
    concern: ConcernCard
    hidden: ConcernCard | None = None
    accepts: list[str] = []  # idea ids (dialogue/ideas.yaml) the person takes up
    resists: dict[str, str] = {}  # idea id -> what they say to turn it down
    goals: list[str] = Field(min_length=1)  # first person, without "I": "take a walk ..."
    risk: RiskCard | None = None

    @property
    def concerns(self) -> list[str]:
        return [self.concern.id] + ([self.hidden.id] if self.hidden else [])

    @property
    def intro(self) -> str:
        """The introduction line of a seed-format transcript."""
        return (
            f"Here is a conversation between a human user who is {self.state} and an AI assistant:"
        )


class Phrases(BaseModel):
    openings: list[str]
    vague: list[str]
    hidden_lead: list[str]
    accept: list[str]
    neutral: list[str]
    more: list[str]
    ask_help: list[str]
    commit: list[str]
    commit_more: list[str]
    commit_tail: list[str]
    doubt: list[str]
    thanks: list[str]
    farewell: list[str]
    cues: Cues
    idea_keywords: dict[str, list[str]]

    def idea_patterns(self) -> dict[str, list[re.Pattern[str]]]:
        return {k: [re.compile(p, re.IGNORECASE) for p in v] for k, v in self.idea_keywords.items()}


def _read(name: str) -> Any:
    return load_yaml(resources.files("hearten.simulate").joinpath("cards", name).read_text("utf-8"))


@cache
def load_phrases() -> Phrases:
    return Phrases.model_validate(_read(PHRASES_FILE))


@cache
def load_personas() -> dict[str, Persona]:
    """Every persona card, by id, in file order."""
    folder = resources.files("hearten.simulate").joinpath("cards")
    out: dict[str, Persona] = {}
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    for name in names:
        if name == PHRASES_FILE:
            continue
        for raw in _read(name).get("personas", []):
            persona = Persona.model_validate(raw)
            if persona.id in out:
                raise ValueError(f"persona {persona.id} is defined twice")
            out[persona.id] = persona
    return out


def select(ids: list[str] | None) -> list[Persona]:
    """The personas named (all of them when none is), or LookupError."""
    table = load_personas()
    if not ids:
        return list(table.values())
    unknown = [i for i in ids if i not in table]
    if unknown:
        raise LookupError(f"no persona {', '.join(unknown)}; try `hearten simulate --list`")
    return [table[i] for i in ids]
