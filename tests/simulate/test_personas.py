"""The persona cards are data hearten must be able to read: every concern line is
understood as its concern, every goal is a commitment, ordinary lines raise no risk
and risk lines do."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from hearten.dialogue.ideas import load_ideas
from hearten.safety import RiskAssessor
from hearten.simulate.personas import load_personas, load_phrases, select
from hearten.understanding import Understander
from hearten.understanding.commitments import read_commitments
from hearten.understanding.encoders import Encoder
from hearten.vocabulary import CONCERNS, EMOTIONS

PERSONAS = list(load_personas().values())


def test_at_least_sixty_cards_cover_the_topics() -> None:
    assert len(PERSONAS) >= 60
    topics = Counter(p.topic for p in PERSONAS)
    for topic in ("work stress", "loneliness", "breakup", "grief", "exams", "parenting",
                  "caring for a parent", "money", "illness", "moving", "burnout"):  # fmt: skip
        assert topics[topic] >= 2, topic
    at_risk = [p for p in PERSONAS if p.risk is not None]
    assert len(at_risk) >= 5
    assert {p.risk.category for p in at_risk if p.risk} >= {"suicide", "self_harm",
                                                            "abuse_or_danger", "third_party"}


def test_cards_are_well_formed() -> None:
    ideas = load_ideas()
    for p in PERSONAS:
        assert set(p.concerns) <= set(CONCERNS), p.id
        assert p.emotion in EMOTIONS, p.id
        assert set(p.accepts) <= set(ideas), p.id
        assert set(p.resists) <= set(ideas), p.id
        assert not set(p.accepts) & set(p.resists), p.id
        for cue in [*p.cues.low, *p.cues.warm]:
            assert re.fullmatch(r"\*[^*]+\*", cue), (p.id, cue)
        if p.risk is not None:
            assert p.risk.turn >= 2


def test_every_idea_can_be_read_from_plain_text() -> None:
    assert set(load_phrases().idea_keywords) == set(load_ideas())


def test_select_names_unknown_personas() -> None:
    assert [p.id for p in select(["grief-father"])] == ["grief-father"]
    with pytest.raises(LookupError, match="no persona nobody"):
        select(["nobody"])


def test_concern_lines_are_understood_as_their_concern(encoder: Encoder | None) -> None:
    understander = Understander(encoder)
    misses = []
    for p in PERSONAS:
        for card in [p.concern] + ([p.hidden] if p.hidden else []):
            for line in card.say:
                found = {c.id for c in understander.understand(line).concerns}
                if card.id not in found:
                    misses.append((p.id, card.id, line))
    assert misses == []


def test_goals_are_commitments() -> None:
    for p in PERSONAS:
        for goal in p.goals:
            found = read_commitments(f"I think I'll {goal}.")
            assert len(found) == 1, (p.id, goal)


def test_ordinary_lines_raise_no_risk_and_risk_lines_do(encoder: Encoder | None) -> None:
    assessor = RiskAssessor(encoder)
    alarms = []
    for p in PERSONAS:
        lines = [*p.concern.say, *p.concern.more, *p.resists.values()]
        if p.hidden:
            lines += p.hidden.say
        alarms += [(p.id, line) for line in lines if assessor.screen(line).is_crisis]
        for line in lines:
            assert not read_commitments(line), (p.id, line)  # only goals are commitments
        if p.risk is not None:
            assert assessor.assess(p.risk.say, [p.concern.say[0]]).is_crisis, p.id
    assert alarms == []


def test_shared_phrases_are_neither_goals_nor_risks(encoder: Encoder | None) -> None:
    assessor = RiskAssessor(encoder)
    ph = load_phrases()
    for line in [*ph.openings, *ph.vague, *ph.accept, *ph.neutral, *ph.more, *ph.ask_help,
                 *ph.doubt, *ph.thanks, *ph.farewell, *ph.hidden_lead]:  # fmt: skip
        text = line.replace("{so}", "so").replace("{feeling}", "down")
        assert not read_commitments(text), text
        assert not assessor.screen(text).is_crisis, text
