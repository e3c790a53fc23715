"""The shared names of hearten (DESIGN.md "Vocabulary"): every room imports from here.

This module sits below the whole pipeline, so it may be imported from anywhere and
imports nothing of hearten's own.
"""

from __future__ import annotations

from typing import Literal, get_args

# ESConv support strategies (Liu et al. 2021).
Strategy = Literal[
    "question",
    "restatement",
    "reflection_of_feelings",
    "self_disclosure",
    "affirmation_and_reassurance",
    "providing_suggestions",
    "information",
    "others",
]
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)

Stage = Literal["opening", "exploration", "comforting", "action", "closing"]
STAGES: tuple[Stage, ...] = get_args(Stage)

RiskLevel = Literal["none", "low", "moderate", "high", "imminent"]
RISK_LEVELS: tuple[RiskLevel, ...] = get_args(RiskLevel)

RiskCategory = Literal[
    "suicide",
    "self_harm",
    "harm_to_others",
    "abuse_or_danger",
    "medical_emergency",
    "third_party",
]
RISK_CATEGORIES: tuple[RiskCategory, ...] = get_args(RiskCategory)

# What a person is troubled by. Each has lexical rules and embedding prototypes in
# understanding/, reply phrasings in voices/composer/library/, and fitting ideas in
# dialogue/ideas.yaml.
CONCERNS: tuple[str, ...] = (
    "work",  # job, workload, projects, deadlines, burnout
    "boss",  # a manager or supervisor
    "coworkers",
    "home",  # chores and responsibilities at home
    "family",
    "partner",
    "breakup",
    "school",  # exams, studies, grades
    "money",
    "health",
    "grief",
    "loneliness",
    "sleep",
    "productivity_guilt",  # falling behind, not doing enough, letting people down
    "caregiving",  # caring for a parent or someone ill
    "illness",  # someone close is ill: their diagnosis, treatment, a stay in hospital
    "job_loss",  # their own job has gone: laid off, made redundant, fired, out of work
    "parenting",
    "moving",  # a new city, a new place
    "friends",
)

# Emotions the understanding room names; each carries a valence used for mood.
EMOTIONS: dict[str, float] = {
    "sadness": -0.7,
    "hopelessness": -0.9,
    "loneliness": -0.7,
    "anxiety": -0.6,
    "stress": -0.5,
    "overwhelm": -0.6,
    "exhaustion": -0.5,
    "guilt": -0.6,
    "shame": -0.7,
    "anger": -0.5,
    "frustration": -0.4,
    "fear": -0.6,
    "hurt": -0.6,
    "confusion": -0.3,
    "calm": 0.4,
    "relief": 0.5,
    "hope": 0.6,
    "gratitude": 0.6,
    "joy": 0.8,
}


def risk_rank(level: RiskLevel) -> int:
    """Order of risk levels, so levels can be compared and maxed."""
    return RISK_LEVELS.index(level)
