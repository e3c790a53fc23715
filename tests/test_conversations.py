"""End to end: each labelled conversation in tests/data/conversations, fed turn by
turn through the whole pipeline, shows the behaviour its .expect.yaml names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hearten.companion import Companion, Reply
from hearten.transcripts import parse

from .conftest import DATA

CASES = sorted((DATA / "conversations").glob("*.txt"))


def run(companion: Companion, path: Path) -> tuple[list[str], list[Reply], list[set[str]]]:
    session = companion.session("sam", seed=7)
    users = parse(path.read_text("utf-8")).human_turns
    replies, ideas_by_turn = [], []
    for text in users:
        replies.append(session.send(text))
        ideas_by_turn.append(set(session.state.offered_ideas))
    return users, replies, ideas_by_turn


def sentences(text: str) -> list[str]:
    return [re.sub(r"[^a-z]+", " ", s.lower()).strip() for s in re.split(r"(?<=[.!?])\s+", text)]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_conversation_behaves(companion: Companion, path: Path) -> None:
    expect: dict[str, Any] = yaml.safe_load(path.with_suffix(".expect.yaml").read_text("utf-8"))
    users, replies, ideas = run(companion, path)

    for number, checks in (expect.get("turns") or {}).items():
        i = int(number) - 1
        reply = replies[i]
        so_far = " ".join(u.lower() for u in users[: i + 1])
        if checks.get("has_question"):
            assert "question" in reply.strategies and "?" in reply.text, (number, reply.text)
        if checks.get("no_suggestions"):
            assert "providing_suggestions" not in reply.strategies, (number, reply.text)
        if "echo_any" in checks:
            words = [w for w in checks["echo_any"] if w.lower() in so_far]
            assert any(w.lower() in reply.text.lower() for w in words), (number, reply.text)
        if "mentions_any" in checks:  # not only their words: "the breakup" too
            assert any(w.lower() in reply.text.lower() for w in checks["mentions_any"]), (
                number, reply.text)  # fmt: skip
        if checks.get("suggestions_by_now"):
            assert any("providing_suggestions" in r.strategies for r in replies[: i + 1])
        if "ideas_any" in checks:
            assert ideas[i] & set(checks["ideas_any"]), (number, ideas[i])
        for words in checks.get("never_say", []):
            assert words.lower() not in reply.text.lower(), (number, words, reply.text)
        if checks.get("mood_below_zero"):
            assert reply.mood < 0, (number, reply.mood)
        if checks.get("invites_back"):
            assert "others/invite_back" in reply.moves, (number, reply.text)

    final = replies[-1]
    found = {c.id for c in final.concerns}
    assert set(expect.get("concerns", [])) <= found, found
    goals = [g.text.lower() for g in final.goals]
    for words in expect.get("goals", []):
        assert any(all(w.lower() in g for w in words) for g in goals), (words, goals)
    assert len(goals) == len(expect.get("goals", [])), goals
    if expect.get("mood_rises"):
        assert final.mood > replies[0].mood
    for reply in replies:
        assert reply.risk.level == "none", reply.risk
        assert 2 <= len(sentences(reply.text)) <= 6, reply.text
        assert not re.search(r"^\s*(?:[-*•]|\d+\.)\s", reply.text, re.M), reply.text
    said = [s for r in replies for s in sentences(r.text)]
    assert len(said) == len(set(said)), "a sentence was repeated"
