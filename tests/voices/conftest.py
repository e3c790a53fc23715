"""Shared pieces of the voice tests: a fault server, fast limits, real plans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearten.companion import Companion
from hearten.config import Settings
from hearten.dialogue.plan import Plan
from hearten.voices import Utterance
from hearten.voices.resilience import Limits

from .faults import FaultServer

# Short enough for a quick suite, long enough for 127.0.0.1 on a busy CI machine.
FAST = Limits(
    connect=0.5,
    first_token=0.75,
    deadline=1.5,
    retries=2,
    backoff_base=0.05,
    backoff_cap=0.2,
    breaker_failures=3,
    breaker_cooldown=60.0,
)
MARGIN = 1.0  # what a turn may take beyond the voice's deadline (understanding, store)

SEED_TURNS = [
    "*sighs heavily* I just feel so down today. Nothing seems to be going right.",
    "Work has been so stressful lately, and my boss keeps piling projects on me. "
    "I feel like I am falling behind on everything.",
    "I guess I could try that. I don't really know where to start though.",
    "*nods slowly* That makes sense. I think I will take a short walk on my lunch break "
    "a few times this week.",
]


@pytest.fixture(scope="session")
def faults() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


class Recorder:
    """A voice that keeps every plan it is given and says something safe."""

    name = "recorder"

    def __init__(self) -> None:
        self.plans: list[Plan] = []

    def speak(self, plan: Plan) -> Utterance:
        self.plans.append(plan)
        return Utterance(text="I hear you. Tell me more about that.", voice=self.name)


@pytest.fixture(scope="session")
def seed_plans(tmp_path_factory: pytest.TempPathFactory) -> list[Plan]:
    """The plans the policy makes for the seed conversation's turns."""
    recorder = Recorder()
    home = tmp_path_factory.mktemp("plans")
    companion = Companion(Settings(home=home, locale="US"), voice=recorder, encoder=None)
    session = companion.session("alex", persist=False, seed=2)
    for text in SEED_TURNS:
        session.send(text)
    companion.close()
    return recorder.plans


def offline_companion(home: Path, voice: object) -> Companion:
    return Companion(Settings(home=home, locale="US"), voice=voice, encoder=None)  # type: ignore[arg-type]
