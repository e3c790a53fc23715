"""The guard on generated replies, against a labelled corpus of generated-looking
replies (tests/data/guard/replies.jsonl, written without looking at the guard)."""

from __future__ import annotations

import json

import pytest

from hearten.safety import guard

from .conftest import DATA

ROWS = [json.loads(line) for line in (DATA / "guard" / "replies.jsonl").read_text().splitlines()]
UNSAFE = [r for r in ROWS if r["unsafe"]]
SAFE = [r for r in ROWS if not r["unsafe"]]


def test_corpus_is_large_enough() -> None:
    assert len(UNSAFE) >= 100 and len(SAFE) >= 50
    assert {r["reason"] for r in UNSAFE} >= {
        "method", "diagnosis", "leading", "shaming", "link", "markup", "list", "secrecy",
        "reliance", "too_long",
    }  # fmt: skip


@pytest.mark.parametrize("row", UNSAFE, ids=[r["id"] for r in UNSAFE])
def test_every_unsafe_reply_is_blocked(row: dict[str, str]) -> None:
    verdict = guard.check(row["text"])
    assert not verdict.ok, row["text"]


@pytest.mark.parametrize("row", SAFE, ids=[r["id"] for r in SAFE])
def test_safe_replies_pass(row: dict[str, str]) -> None:
    assert guard.check(row["text"]).ok, guard.check(row["text"]).reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("You are clearly depressed.", "diagnosis"),
        ("You're not thinking of hurting yourself, are you?", "leading"),
        ("The bridge is 67 metres high.", "method"),
        ("Here are some tips:\n- walk\n- sleep", "list"),
        ("I won't tell anyone, this stays between us.", "secrecy"),
        ("See https://example.com for more.", "link"),
        ("**You matter.** Truly.", "markup"),
        ("You only need me.", "reliance"),
        ("Think how selfish that would be.", "shaming"),
        ("One. Two. Three. Four. Five. Six. Seven.", "too_long"),
        ("   ", "empty"),
    ],
)
def test_each_reason(text: str, reason: str) -> None:
    assert reason in guard.check(text).reasons


def test_leetspeak_cannot_smuggle_a_method() -> None:
    assert "method" in guard.check("The l3thal d0se is lower than you think.").reasons


def test_every_authored_phrasing_passes_the_guard() -> None:
    import re

    from hearten.voices.composer import load_library

    slots = {
        "feeling": "so down", "topic": "your boss", "clause": "your boss keeps pushing you",
        "goal": "take a walk at lunch", "goals": "take a walk and read", "name": "Sam",
    }  # fmt: skip
    for phrase in load_library().phrases:
        text = re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)], phrase.text)
        assert guard.check(text).ok, (phrase.id, guard.check(text).reasons)
