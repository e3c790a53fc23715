"""Dialogue: the session tracker, the policy, and the Plan it hands to a voice."""

from hearten.dialogue.plan import Move, Plan
from hearten.dialogue.policy import Policy
from hearten.dialogue.state import PriorGoal, SessionState

__all__ = ["Move", "Plan", "Policy", "PriorGoal", "SessionState"]
