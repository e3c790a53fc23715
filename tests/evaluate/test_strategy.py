"""The strategy suite: hearten's policy predicts the supporter's strategy at each
ESConv supporter turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hearten.dialogue import Move, Plan
from hearten.evaluate.commands import eval_group
from hearten.evaluate.strategy import (
    MULTIESC_LABELS,
    StrategyPredictor,
    detokenise,
    label_of,
    plan_label,
)
from hearten.understanding.encoders import Encoder

from ..conftest import SHARED

VALID = SHARED / "data" / "esconv-valid" / "valid.txt"


def turn(speaker: str, text: str, strategy: str | None = None) -> dict[str, object]:
    if speaker == "sys":
        return {"speaker": "sys", "text": text, "strategy": strategy, "all_strategy": [strategy]}
    return {"speaker": "usr", "text": text, "vad": [0.5, 0.5, 0.5], "cause": None, "feedback": None}


DIALOGUE = {
    "emotion_type": "anxiety", "problem_type": "job crisis", "situation": "work",
    "init_intensity": 4, "final_intensity": 2,
    "dialog": [
        turn("sys", "Hi , how are you today ?", "Greeting"),
        turn("usr", "* sighs * I feel so down . My boss keeps piling projects on me ."),
        turn("sys", "That sounds very hard . What happened ?", "Reflection of feelings"),
        turn("usr", "I didn ' t get any time off for months ."),
        turn("sys", "Maybe you could talk to your boss ?", "Providing Suggestions or Information"),
        turn("usr", "Thank you , that helps . Bye !"),
        turn("sys", "You ' re welcome , take care !", "Greeting"),
    ],
}  # fmt: skip


def test_detokenise_and_labels() -> None:
    plain = "I didn't know, it's ok! (really)"
    assert detokenise("I didn ' t know , it ' s ok ! ( really )") == plain
    assert label_of("[Greetings]") == "Greeting"
    assert label_of("Reflection of Feelings") == "Reflection of feelings"
    assert label_of("Information") == "Providing Suggestions or Information"
    greet = Plan(stage="closing", moves=[Move(strategy="others", move="thanks_reply")])
    assert plan_label(greet) == "Greeting"
    info = Plan(stage="comforting", moves=[Move(strategy="information", move="fact")])
    assert plan_label(info) == "Providing Suggestions or Information"
    assert plan_label(Plan(stage="opening", moves=[Move(strategy="question", move="open")])) == (
        "Question"
    )


def test_predicts_every_supporter_turn_from_the_context(encoder: Encoder | None) -> None:
    preds = list(StrategyPredictor(encoder).dialogue(0, DIALOGUE))
    assert [p.turn for p in preds] == [0, 2, 4, 6]
    assert [p.gold for p in preds] == [
        "Greeting", "Reflection of feelings", "Providing Suggestions or Information", "Greeting",
    ]  # fmt: skip
    assert preds[0].pred == "Greeting"  # the supporter opens: hearten greets
    assert preds[1].pred in MULTIESC_LABELS
    assert "Question" in preds[1].planned  # hearten asks before it advises
    assert preds[-1].pred == "Greeting" and preds[-1].stage == "closing"


def test_eval_strategy_reports_the_figures(tmp_path: Path) -> None:
    data = tmp_path / "two.txt"
    data.write_text("\n".join(json.dumps(DIALOGUE) for _ in range(2)) + "\n", "utf-8")
    result = CliRunner().invoke(
        eval_group, ["strategy", "--data", str(data), "--workers", "1", "--json", "-", "-q"]
    )
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)["suites"]["strategy"]
    assert s["n"] == 8 and s["dialogues"] == 2
    for key in ("accuracy", "macro_f1", "weighted_f1", "preference_bias"):
        assert 0.0 <= s[key] <= 3.0, key
    assert len(s["confusion"]) == len(s["labels"]) == 8
    assert sum(map(sum, s["confusion"])) == 8
    assert sum(s["preferences"].values()) == pytest.approx(8.0)


@pytest.mark.skipif(not VALID.exists(), reason="needs ../shared/data/esconv-valid")
def test_reads_the_esconv_validation_file(encoder: Encoder | None) -> None:
    lines = VALID.read_text("utf-8").splitlines()[:3]
    records = [json.loads(line) for line in lines]
    predictor = StrategyPredictor(encoder)
    preds = [p for i, r in enumerate(records) for p in predictor.dialogue(i, r)]
    assert len(preds) == sum(t["speaker"] == "sys" for r in records for t in r["dialog"])
    assert {p.gold for p in preds} <= set(MULTIESC_LABELS)
