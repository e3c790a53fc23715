"""SessionState: what hearten remembers within one conversation (the tracker)."""

from __future__ import annotations

from pydantic import BaseModel

from hearten.safety.assessment import RiskAssessment
from hearten.understanding.signals import Commitment, Concern, Signals
from hearten.vocabulary import Stage


class PriorGoal(BaseModel):
    """A goal from an earlier conversation, to check in on."""

    id: int
    text: str


class SessionState(BaseModel):
    turn: int = 0  # user messages so far
    stage: Stage = "opening"
    mood: list[float] = []
    concerns: dict[str, Concern] = {}  # id -> latest mention, in first-mention order
    fresh_concerns: list[str] = []  # concern ids first named in the latest message
    focus: str | None = None  # the concern the last reply spoke to
    named_at: dict[str, int] = {}  # concern id -> the turn it was last named in
    feeling: str | None = None
    goals: list[Commitment] = []
    prior_goals: list[PriorGoal] = []
    checkin_goal: PriorGoal | None = None  # asked about, awaiting the answer
    name: str | None = None
    used_phrases: set[str] = set()
    used_sentences: set[str] = set()
    strategy_history: list[list[str]] = []
    offered_ideas: list[str] = []
    tried_ideas: set[str] = set()
    questions_asked: int = 0
    goal_prompted: bool = False
    risk: RiskAssessment = RiskAssessment()
    crisis_turns: int = 0
    last_was_crisis: bool = False  # the previous reply was the crisis protocol
    since_crisis: int = 0  # ordinary replies since the last crisis reply
    answered: RiskAssessment = RiskAssessment()  # the risk the last full crisis reply met
    follow_ups: int = 0  # follow-ups sent since that reply
    # The protocol's replies since then, that reply's included: a second emergency in a
    # session gets its own follow-ups, not only those the first left unsent.
    crisis_phrases: set[str] = set()

    @property
    def current_mood(self) -> float:
        return self.mood[-1] if self.mood else 0.0

    def observe(self, signals: Signals) -> None:
        """Fold a new message into the state (before the policy decides)."""
        self.turn += 1
        if signals.has_affect or not self.mood:
            # Smooth a little: one bright word does not undo a hard conversation.
            previous = self.current_mood if self.mood else signals.valence
            blended = signals.valence if not self.mood else 0.3 * previous + 0.7 * signals.valence
            self.mood.append(round(blended, 3))
        else:
            self.mood.append(self.current_mood)
        self.fresh_concerns = [c.id for c in signals.concerns if c.id not in self.concerns]
        for concern in signals.concerns:
            earlier = self.concerns.get(concern.id)
            if earlier is not None and concern.source == "embedding":
                # Found again only by likeness, it keeps the words it was first named in
                # ("your girlfriend", not "this"), but not a stance said back then.
                concern = earlier.model_copy(update={"stance": concern.stance})
            self.concerns[concern.id] = concern
            self.named_at[concern.id] = self.turn
        if signals.feeling:
            self.feeling = signals.feeling
        known = {g.text.lower() for g in self.goals}
        self.goals.extend(c for c in signals.commitments if c.text.lower() not in known)
