"""The Plan: what the next reply should do, handed from the policy to a voice."""

from __future__ import annotations

from pydantic import BaseModel

from hearten.safety.assessment import RiskAssessment
from hearten.understanding.signals import Commitment, Concern
from hearten.vocabulary import Stage, Strategy


class Move(BaseModel):
    """One sentence role inside a strategy, e.g. question/explore."""

    strategy: Strategy
    move: str
    idea: str | None = None  # for providing_suggestions/idea


class Plan(BaseModel):
    stage: Stage
    moves: list[Move]
    primary: Concern | None = None  # the concern this reply speaks to
    concerns: list[Concern] = []  # all concerns of the session, primary first
    feeling: str | None = None
    emotions: list[str] = []
    cues: list[str] = []
    goals: list[Commitment] = []  # the goals of this session
    new_goals: list[Commitment] = []  # set in this message
    ideas_offered: list[str] = []  # ideas offered earlier in the session
    checkin_goal: str | None = None
    name: str | None = None
    mood: float = 0.0
    risk: RiskAssessment = RiskAssessment()
    # The recent conversation, oldest first ({"role": "user"|"assistant", "text": ...}),
    # for voices that need it; the composer does not.
    history: list[dict[str, str]] = []
    avoid_phrases: set[str] = set()  # phrasings already said this session
    avoid_sentences: set[str] = set()
    seed: int = 0

    @property
    def strategies(self) -> list[Strategy]:
        return list(dict.fromkeys(m.strategy for m in self.moves))

    @property
    def ideas(self) -> list[str]:
        return [m.idea for m in self.moves if m.idea]
