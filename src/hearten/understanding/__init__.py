"""Understanding: what a message says, in the person's own words (cues, emotions,
concerns, commitments, mood)."""

from hearten.understanding.analyzer import Understander
from hearten.understanding.signals import Commitment, Concern, Cue, Emotion, Signals

__all__ = ["Commitment", "Concern", "Cue", "Emotion", "Signals", "Understander"]
