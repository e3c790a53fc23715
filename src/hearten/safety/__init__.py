"""Safety: risk assessment, the scripted crisis protocol, locale resources."""

from hearten.safety import guard
from hearten.safety.assessment import RiskAssessment
from hearten.safety.assessor import RiskAssessor
from hearten.safety.protocol import CrisisProtocol
from hearten.safety.resources import LocaleResources, for_locale

__all__ = [
    "CrisisProtocol",
    "LocaleResources",
    "RiskAssessment",
    "RiskAssessor",
    "for_locale",
    "guard",
]
