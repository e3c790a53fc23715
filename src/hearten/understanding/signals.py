"""The typed value the understanding room hands down the pipeline."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Cue(BaseModel):
    """A nonverbal cue the person wrote in asterisks, e.g. ``*sighs heavily*``."""

    text: str
    kind: str  # sigh, tears, smile, nod, pause, shrug, quiet
    affect: float  # what it says about mood, in [-1, 1]


class Emotion(BaseModel):
    name: str
    intensity: float = Field(ge=0.0, le=1.0)
    words: str  # the person's own words that carried it


Stance = Literal["named", "pressing", "settled"]


class Concern(BaseModel):
    """Something the person is troubled by, kept in their own words."""

    id: str
    topic: str  # short noun phrase in second person: "your boss"
    clause: str | None = None  # their words about it in second person
    source: str = "lexical"  # lexical | embedding
    # How the message holds it: "pressing" when named as what troubles them most
    # ("what's getting to me now is my boss"), "settled" when laid down ("my dad passed
    # away and I've made my peace with it").
    stance: Stance = "named"


class Commitment(BaseModel):
    """A small step the person says they will take."""

    text: str  # verb phrase in second person: "take a short walk on your lunch break"
    what: str
    when: str | None = None
    how_often: str | None = None
    duration: str | None = None


class Signals(BaseModel):
    text: str
    cues: list[Cue] = []
    emotions: list[Emotion] = []
    feeling: str | None = None  # the person's own feeling words, usable after "feel"
    concerns: list[Concern] = []
    commitments: list[Commitment] = []
    valence: float = 0.0  # this message's mood in [-1, 1]
    has_affect: bool = False  # whether anything in the message spoke to mood
    gratitude: bool = False
    farewell: bool = False
    readiness: bool = False  # open to trying something ("that's a good idea", "maybe if I...")
    self_blame: bool = False
    tried_ideas: list[str] = []  # ideas the person says they tried or ruled out
    checkin: str | None = None  # answer to a goal check-in: "done", "partly", "not"
    greeting_only: bool = False
    intends: bool = False  # says what they will do, a goal or not ("I'll make tea")
