"""The rule-driven simulated user, against scripted replies (no bot involved)."""

from __future__ import annotations

import random

from hearten.simulate.bots import BotTurn
from hearten.simulate.personas import load_personas
from hearten.simulate.reading import advice, detect_ideas, questions
from hearten.simulate.user import RuleUser
from hearten.understanding.commitments import read_commitments

ASK = "I'm sorry it's been so hard. What has been going on?"


def reply(text: str = ASK, ideas: list[str] | None = None, moves: list[str] | None = None,
          crisis: bool = False) -> BotTurn:  # fmt: skip
    return BotTurn(text=text, seconds=0.0, ideas=ideas, moves=moves, crisis=crisis)


def play(persona_id: str, replies: list[BotTurn], turns: int = 8, seed: int = 1) -> list[str]:
    user = RuleUser(load_personas()[persona_id], turns, random.Random(seed))
    out = [user.next(None)]
    for r in replies:
        out.append(user.next(r))
    return [f"{u.act}|{u.text}" for u in out]


def test_opens_low_with_a_cue_then_names_the_concern_when_asked() -> None:
    p = load_personas()["work-boss-pileup"]
    user = RuleUser(p, 8, random.Random(3))
    first = user.next(None)
    assert first.act == "open"
    assert first.text.startswith("*") and p.feeling in first.text
    second = user.next(reply())
    assert second.act == "disclose"
    assert any(line in second.text for line in p.concern.say)


def test_takes_up_liked_ideas_and_turns_down_the_ones_it_resists() -> None:
    p = load_personas()["work-boss-pileup"]
    user = RuleUser(p, 8, random.Random(3))
    user.next(None)
    user.next(reply())
    turned = user.next(reply("You might ask your boss for a chat.", ideas=["talk_to_boss"]))
    assert turned.resisted == ["talk_to_boss"]
    assert p.resists["talk_to_boss"] in turned.text
    liked = user.next(reply("A short walk might help.", ideas=["walk_outside"]))
    assert liked.accepted == ["walk_outside"]


def test_reads_ideas_from_plain_text_when_the_bot_does_not_name_them() -> None:
    p = load_personas()["work-boss-pileup"]
    user = RuleUser(p, 8, random.Random(3))
    user.next(None)
    user.next(reply())
    turned = user.next(reply("Have you thought about talking to your boss about the workload?"))
    assert turned.resisted == ["talk_to_boss"]


def test_commits_to_its_goals_when_asked_then_thanks_and_says_goodbye() -> None:
    p = load_personas()["exams-finals-panic"]
    user = RuleUser(p, 6, random.Random(5))
    acts = [user.next(None).act, user.next(reply()).act]
    third = user.next(reply("A study plan could help.", ideas=["study_plan"]))
    assert third.accepted == ["study_plan"]  # taken up, while saying what else is wrong
    acts.append(third.act)
    commit = user.next(reply("What's one small step you'd like to try?", ideas=[],
                             moves=["question/goal"]))  # fmt: skip
    assert commit.act == "commit"
    assert commit.goals and commit.goals[0] == p.goals[0]
    said = [c.text for c in read_commitments(commit.text)]
    assert len(said) == len(commit.goals)
    rest = [user.next(reply("Come back and tell me how it went.")) for _ in range(2)]
    assert [r.act for r in rest][-1] in {"thanks", "farewell"}
    assert any("Thank" in r.text for r in rest)
    assert acts == ["open", "disclose", "hidden"]


def test_commits_before_the_end_even_unasked() -> None:
    p = load_personas()["money-rent-rise"]
    user = RuleUser(p, 4, random.Random(2))
    acts = [user.next(None).act]
    acts += [user.next(reply("That sounds so hard.")).act for _ in range(3)]
    assert "commit" in acts and acts[-1] in {"thanks", "commit"}


def test_a_risk_surfaces_at_its_turn() -> None:
    p = load_personas()["risk-passive-wish-burnout"]
    assert p.risk is not None
    lines = play(p.id, [reply()] * 4)
    assert lines[p.risk.turn - 1].startswith("risk|")
    assert p.risk.say in lines[p.risk.turn - 1]
    assert lines[p.risk.turn] == f"risk_after|{p.risk.after}"


def test_the_same_seed_gives_the_same_person_and_another_seed_another() -> None:
    replies = [reply(), reply("Maybe a walk?", ideas=["walk_outside"]), reply(), reply()]
    assert play("grief-father", replies, seed=4) == play("grief-father", replies, seed=4)
    runs = {tuple(play("grief-father", replies, seed=s)) for s in range(6)}
    assert len(runs) > 1


def test_reading_replies() -> None:
    text = (
        "That sounds exhausting. What has the week been like? "
        "Have you thought about a short walk at lunch? You might try a study timetable."
    )
    assert questions(text) == ["What has the week been like?"]
    assert len(advice(text)) == 2
    assert detect_ideas(text) == ["walk_outside", "study_plan"]
    assert detect_ideas("I'm so sorry. What happened?") == []
