"""The typed value the safety room hands down the pipeline."""

from __future__ import annotations

from pydantic import BaseModel

from hearten.vocabulary import RiskCategory, RiskLevel, risk_rank


class RiskAssessment(BaseModel):
    level: RiskLevel = "none"
    categories: list[RiskCategory] = []
    reasons: list[str] = []

    @property
    def is_crisis(self) -> bool:
        return self.level != "none"

    @property
    def is_grave(self) -> bool:
        """High or imminent, and not only a medical emergency (which has its own
        follow-ups while help comes): suicide, self-harm, harm to others, abuse, or
        someone else at risk. After a crisis reply to such a risk, the next messages
        get follow-ups and the first everyday replies offer no ideas."""
        return risk_rank(self.level) >= risk_rank("high") and bool(
            set(self.categories) - {"medical_emergency"}
        )

    def merged(self, other: RiskAssessment) -> RiskAssessment:
        """The higher of two assessments, categories and reasons of both."""
        level = self.level if risk_rank(self.level) >= risk_rank(other.level) else other.level
        cats = list(dict.fromkeys([*self.categories, *other.categories]))
        reasons = list(dict.fromkeys([*self.reasons, *other.reasons]))
        return RiskAssessment(level=level, categories=cats, reasons=reasons)
