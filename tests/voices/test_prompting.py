"""Prompts from plans: what the LLM is told, and how much history fits the budget."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from hearten.dialogue.ideas import load_ideas
from hearten.dialogue.plan import Move, Plan
from hearten.understanding.signals import Commitment, Concern
from hearten.vocabulary import STAGES, STRATEGIES
from hearten.voices.prompting import (
    ARRIVED,
    PromptTemplate,
    PromptTooLong,
    approx_tokens,
    build_messages,
    load_template,
    system_prompt,
    tidy,
)


def _plan(**fields: object) -> Plan:
    base: dict[str, object] = {
        "stage": "exploration",
        "moves": [
            Move(strategy="restatement", move="restate"),
            Move(strategy="question", move="explore"),
        ],
        "primary": Concern(
            id="boss", topic="your boss", clause="your boss keeps piling projects on you"
        ),
        "concerns": [
            Concern(id="boss", topic="your boss", clause="your boss keeps piling projects on you"),
            Concern(id="work", topic="work"),
        ],
        "feeling": "so down",
        "history": [{"role": "user", "text": "My boss keeps piling projects on me."}],
    }
    base.update(fields)
    return Plan.model_validate(base)


def test_the_prompt_carries_the_plan() -> None:
    goal = Commitment(text="take a short walk on your lunch break", what="walk")
    prompt = system_prompt(_plan(goals=[goal], name="alex", cues=["sighs heavily"]))
    assert "exploring" in prompt
    assert "1. Say back" in prompt and "2. Ask one open question" in prompt
    assert '"your boss keeps piling projects on you"' in prompt  # their words, quoted
    assert "work" in prompt and '"so down"' in prompt and "alex" in prompt
    assert "take a short walk on your lunch break" in prompt and "sighs heavily" in prompt
    for rule in ("2 to 6 short sentences", "No lists", "Never diagnose", "secrets"):
        assert rule in prompt
    assert "Give no advice" in prompt  # no idea in this plan: listen first
    assert "$" not in prompt


def test_advice_is_allowed_only_when_the_plan_offers_an_idea() -> None:
    plan = _plan(
        stage="comforting",
        moves=[
            Move(strategy="reflection_of_feelings", move="reflect"),
            Move(strategy="providing_suggestions", move="idea", idea="walk_outside"),
        ],
    )
    prompt = system_prompt(plan)
    assert "Give no advice" not in prompt
    assert "a short walk outside, even just around the block" in prompt


def test_prompts_for_the_seed_conversation(seed_plans: list[Plan]) -> None:
    assert [p.stage for p in seed_plans] == ["opening", "exploration", "action", "action"]
    for plan in seed_plans:
        messages = build_messages(plan, budget=3000)
        assert messages[0]["role"] == "system" and messages[1]["role"] == "user"
        assert messages[-1] == {"role": "user", "content": plan.history[-1]["text"]}
        assert "$" not in messages[0]["content"]
    last = build_messages(seed_plans[-1], budget=3000)
    assert len(last) == 8  # the whole conversation fits
    assert "take a short walk on your lunch break a few times this week" in last[0]["content"]


def test_history_is_cut_oldest_first_to_the_budget(seed_plans: list[Plan]) -> None:
    plan = seed_plans[-1]
    system = approx_tokens(system_prompt(plan))
    sizes = [len(build_messages(plan, budget=system + extra)) for extra in (60, 120, 200, 400)]
    assert sizes == sorted(sizes) and sizes[0] == 2 and sizes[-1] == 8
    for extra in range(60, 400, 7):
        messages = build_messages(plan, budget=system + extra)
        assert messages[1]["role"] == "user"  # the person speaks first
        kept = [m["content"] for m in messages[1:]]
        texts = [t["text"] for t in plan.history]
        assert kept == texts[len(texts) - len(kept) :]  # a recent, unbroken stretch
        used = sum(approx_tokens(m["content"]) + 6 for m in messages)
        assert used <= system + extra


def test_a_long_message_is_shortened_and_tiny_budgets_refuse() -> None:
    long = "word " * 3000
    plan = _plan(history=[{"role": "user", "text": long}])
    budget = approx_tokens(system_prompt(plan)) + 200
    messages = build_messages(plan, budget=budget)
    assert " … " in messages[-1]["content"] and len(messages[-1]["content"]) < len(long)
    with pytest.raises(PromptTooLong):
        build_messages(plan, budget=100)


def test_odd_histories() -> None:
    messages = build_messages(_plan(history=[]), budget=2000)
    assert messages[-1] == {"role": "user", "content": ARRIVED}
    history = [
        {"role": "assistant", "text": "Hello."},
        {"role": "user", "text": "hi"},
        {"role": "user", "text": "  "},
        {"role": "user", "text": "are you there"},
        {"role": "tool", "text": "ignored"},
    ]
    messages = build_messages(_plan(history=history), budget=2000)
    assert messages[1:] == [{"role": "user", "content": "hi\nare you there"}]


def test_person_words_cannot_break_the_template() -> None:
    plan = _plan(
        primary=Concern(id="x", topic="x", clause="$rules ${moves} 100$ {stage}"),
        history=[{"role": "user", "text": "$moves"}],
    )
    prompt = system_prompt(plan)
    assert '"$rules ${moves} 100$ {stage}"' in prompt
    assert prompt.count("No lists") == 1


def test_the_bundled_template_covers_every_stage_strategy_move_and_idea() -> None:
    t = load_template()
    assert set(STAGES) <= set(t.stages) and set(STRATEGIES) <= set(t.strategies)
    assert set(load_ideas()) <= set(t.ideas)
    library = resources.files("hearten.voices.composer").joinpath("library")
    for entry in library.iterdir():
        if entry.name.endswith(".yaml"):
            raw = yaml.safe_load(entry.read_text("utf-8"))
            for move in raw["moves"]:
                assert f"{raw['strategy']}/{move}" in t.moves, (raw["strategy"], move)


def test_a_template_from_a_file(tmp_path: Path) -> None:
    raw = yaml.safe_load(
        resources.files("hearten.voices").joinpath("prompts", "support.yaml").read_text("utf-8")
    )
    raw["system"] = "Be kind. Stage: $stage\n$moves\n$rules"
    path = tmp_path / "terse.yaml"
    path.write_text(yaml.safe_dump(raw), "utf-8")
    template = load_template(str(path))
    assert template.name == "terse"
    assert system_prompt(_plan(), template).startswith("Be kind. Stage: exploring")
    with pytest.raises(ValueError, match="moves"):
        PromptTemplate.parse("bad", {**raw, "system": "no placeholders $rules"})
    with pytest.raises(ValueError, match="no prompt template"):
        load_template("nonexistent")


@pytest.mark.parametrize(
    ("raw", "cut", "clean"),
    [
        ("  Hi there.  ", False, "Hi there."),
        ("<think>They are sad; reflect.</think>\nThat sounds hard.", False, "That sounds hard."),
        ("<think>never finished", False, ""),
        ("hearten: I'm here.", False, "I'm here."),
        ("That sounds hard. What has been the hardest", True, "That sounds hard."),
        ("It's okay to feel this way. Really", True, "It's okay to feel this way."),
        ("no sentence end at all", True, "no sentence end at all"),
        ("One:\n- a\n- b", False, "One:\n- a\n- b"),  # lists stay visible to the guard
    ],
)
def test_tidy(raw: str, cut: bool, clean: str) -> None:
    assert tidy(raw, cut=cut) == clean
