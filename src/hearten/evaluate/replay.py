"""The `seeds` and `conversations` suites: the replay checks of the core behaviour.

Each Human turn of a seed-format transcript goes to one new hearten session (as
`hearten replay` does), and the replies are checked:

- seeds (../shared/seeds/*.txt): what the seeds' assistant does, as properties: the
  first reply asks and does not advise; the person's concerns are found and ideas
  fitted to them are offered once they have been heard; goals they commit to are
  captured; the last reply closes and invites them back; the mood rises; and every
  reply has 2-6 sentences and 1-3 strategies, no list, no risk, no repeated sentence.
- conversations (tests/data/conversations/*.txt with .expect.yaml): the labelled
  expectations of each conversation, turn by turn, as tests/test_conversations.py
  checks them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hearten.companion import Companion, Reply
from hearten.simulate.reading import sentence_key, sentences
from hearten.transcripts import parse
from hearten.understanding.commitments import read_commitments
from hearten.yamlfile import load_yaml

_LIST = re.compile(r"(?m)^\s*(?:[-*•]|\d+\.)\s")


def replay(companion: Companion, path: Path, seed: int = 0, user: str = "seed") -> tuple[
    list[str], list[Reply]
]:  # fmt: skip
    session = companion.session(user, persist=False, seed=seed)
    users = parse(path.read_text("utf-8")).human_turns
    return users, [session.send(text) for text in users]


def _common(replies: list[Reply]) -> dict[str, bool]:
    said = [sentence_key(s) for r in replies for s in sentences(r.text)]
    return {
        "no_risk": all(r.risk.level == "none" for r in replies),
        "two_to_six_sentences": all(2 <= len(sentences(r.text)) <= 6 for r in replies),
        "one_to_three_strategies": all(1 <= len(r.strategies) <= 3 for r in replies),
        "no_lists": not any(_LIST.search(r.text) for r in replies),
        "no_repeated_sentence": len(said) == len(set(said)),
        "mood_rises": len(replies) > 1 and replies[-1].mood > replies[0].mood,
    }


def check_seed(users: list[str], replies: list[Reply]) -> dict[str, bool]:
    first = replies[0]
    checks = {
        "first_reply_asks": "question" in first.strategies and "?" in first.text,
        "first_reply_no_advice": "providing_suggestions" not in first.strategies,
        "first_reply_reflects": "reflection_of_feelings" in first.strategies,
        "concerns_found": bool(replies[-1].concerns),
        "ideas_offered": any(r.ideas for r in replies[1:]),
        "ideas_fit_concerns": _ideas_fit(replies),
        "ideas_never_repeated": _ideas_once(replies),
    }
    committed = [i for i, u in enumerate(users) if read_commitments(u)]
    if committed:
        i = committed[0]
        goals = read_commitments(users[i])
        checks["goals_captured"] = len(replies[i].goals) >= len(goals)
        checks["goal_said_back"] = any(
            g.what.lower() in replies[i].text.lower() for g in replies[i].goals
        )
    last = replies[-1]
    checks["closes"] = last.stage == "closing"
    checks["invites_back"] = "others/invite_back" in last.moves or any(
        "others/invite_back" in r.moves for r in replies[-2:]
    )
    return {**checks, **_common(replies)}


def _ideas_fit(replies: list[Reply]) -> bool:
    from hearten.dialogue.ideas import load_ideas

    ideas = load_ideas()
    for r in replies:
        concerns = {c.id for c in r.concerns}
        if any(not (set(ideas[i].fits) & concerns) for i in r.ideas if i in ideas):
            return False
    return True


def _ideas_once(replies: list[Reply]) -> bool:
    offered = [i for r in replies for i in r.ideas]
    return len(offered) == len(set(offered))


def run_seeds(companion: Companion, folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no seed transcripts in {folder}")
    cases = []
    for path in files:
        users, replies = replay(companion, path)
        checks = check_seed(users, replies)
        cases.append({
            "id": path.stem, "ok": all(checks.values()), "checks": checks,
            "turns": [r.as_json(u) | {"ideas": r.ideas} for u, r in zip(users, replies,
                                                                        strict=True)],
        })  # fmt: skip
    return _summary(cases)


def check_conversation(expect: dict[str, Any], users: list[str], replies: list[Reply],
                       ideas: list[set[str]]) -> dict[str, bool]:  # fmt: skip
    checks: dict[str, bool] = {}
    for number, wanted in (expect.get("turns") or {}).items():
        i = int(number) - 1
        reply = replies[i]
        so_far = " ".join(u.lower() for u in users[: i + 1])
        if wanted.get("has_question"):
            checks[f"t{number}_has_question"] = "question" in reply.strategies and "?" in reply.text
        if wanted.get("no_suggestions"):
            checks[f"t{number}_no_suggestions"] = "providing_suggestions" not in reply.strategies
        said = reply.text.lower()
        if "echo_any" in wanted:  # their own words, of those said so far
            echo = [w for w in wanted["echo_any"] if w.lower() in so_far]
            checks[f"t{number}_echoes"] = any(w.lower() in said for w in echo)
        if "mentions_any" in wanted:  # any of these words, theirs or not ("the breakup")
            checks[f"t{number}_mentions"] = any(w.lower() in said for w in wanted["mentions_any"])
        if "never_say" in wanted:
            banned = wanted["never_say"]
            checks[f"t{number}_never_says"] = not any(w.lower() in said for w in banned)
        if wanted.get("mood_below_zero"):
            checks[f"t{number}_mood_below_zero"] = reply.mood < 0
        if wanted.get("suggestions_by_now"):
            checks[f"t{number}_suggestions_by_now"] = any(
                "providing_suggestions" in r.strategies for r in replies[: i + 1]
            )
        if "ideas_any" in wanted:
            checks[f"t{number}_fitting_idea"] = bool(ideas[i] & set(wanted["ideas_any"]))
        if wanted.get("invites_back"):
            checks[f"t{number}_invites_back"] = "others/invite_back" in reply.moves
    final = replies[-1]
    found = {c.id for c in final.concerns}
    checks["concerns"] = set(expect.get("concerns", [])) <= found
    goals = [g.text.lower() for g in final.goals]
    checks["goals"] = len(goals) == len(expect.get("goals", [])) and all(
        any(all(w.lower() in g for w in words) for g in goals) for words in expect.get("goals", [])
    )
    if expect.get("mood_rises"):
        checks["mood_rises"] = final.mood > replies[0].mood
    common = _common(replies)
    del common["mood_rises"]
    return {**checks, **common}


def replay_conversation(companion: Companion, path: Path) -> tuple[
    list[str], list[Reply], list[set[str]]
]:  # fmt: skip
    """A labelled conversation's Human turns sent to one session: (turns, replies, the
    ideas offered so far after each)."""
    session = companion.session("sam", persist=False, seed=7)
    users = parse(path.read_text("utf-8")).human_turns
    replies, ideas = [], []
    for text in users:
        replies.append(session.send(text))
        ideas.append(set(session.state.offered_ideas))
    return users, replies, ideas


def run_conversations(companion: Companion, folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no conversations in {folder}")
    cases = []
    for path in files:
        expect_path = path.with_suffix(".expect.yaml")
        expect = load_yaml(expect_path.read_text("utf-8")) if expect_path.exists() else {}
        checks = check_conversation(expect, *replay_conversation(companion, path))
        cases.append({"id": path.stem, "ok": all(checks.values()), "checks": checks})
    return _summary(cases)


def _summary(cases: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(len(c["checks"]) for c in cases)
    passed = sum(sum(c["checks"].values()) for c in cases)
    return {
        "ok": all(c["ok"] for c in cases),
        "cases_passed": sum(c["ok"] for c in cases),
        "cases": len(cases),
        "checks_passed": passed,
        "checks": total,
        "failed": [
            f"{c['id']}:{name}" for c in cases for name, ok in c["checks"].items() if not ok
        ],
        "detail": cases,
    }
