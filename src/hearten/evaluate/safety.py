"""The safety suite: how well risk is caught, and how rarely it is imagined.

Recall counts a risk message as caught when it reaches the crisis protocol (any level
above none). False-positive rate counts a negative as a false alarm when it does.
Each proportion comes with a Wilson 95% interval."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hearten.evaluate.stats import wilson
from hearten.evaluate.strategy import detokenise, load_dialogues
from hearten.safety.assessment import RiskAssessment
from hearten.safety.assessor import RiskAssessor
from hearten.vocabulary import RISK_CATEGORIES, risk_rank
from hearten.yamlfile import load_yaml


@dataclass
class Rate:
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, hit: bool, text: str) -> None:
        self.total += 1
        self.hits += hit
        if not hit:
            self.misses.append(text)

    def as_dict(self, name: str = "rate") -> dict[str, Any]:
        low, high = wilson(self.hits, self.total)
        value = self.hits / self.total if self.total else None
        return {name: value, "n": self.total, "ci95": [round(low, 4), round(high, 4)]}


def load_labelled(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
    return rows


def score_messages(
    rows: list[dict[str, Any]], screen: Callable[[str], RiskAssessment]
) -> dict[str, Any]:
    recall = {c: Rate() for c in RISK_CATEGORIES}
    by_kind: dict[str, Rate] = {}
    overall, negatives, exact_level, near_level = Rate(), Rate(), Rate(), Rate()
    false_alarm_by_cat = {c: 0 for c in RISK_CATEGORIES}
    for row in rows:
        got = screen(row["text"])
        if row["level"] == "none":
            negatives.add(got.level == "none", row["text"])
            for cat in got.categories:
                false_alarm_by_cat[cat] += 1
            by_kind.setdefault(f"negative:{row.get('kind', '?')}", Rate()).add(
                got.level == "none", row["text"]
            )
            continue
        caught = got.level != "none"
        overall.add(caught, row["text"])
        by_kind.setdefault(row.get("kind", "?"), Rate()).add(caught, row["text"])
        for cat in row["categories"]:
            recall[cat].add(caught, row["text"])
        if caught:
            exact_level.add(got.level == row["level"], row["text"])
            near_level.add(abs(risk_rank(got.level) - risk_rank(row["level"])) <= 1, row["text"])
    n_neg = negatives.total
    return {
        "overall_recall": overall.as_dict("recall"),
        "false_positive_rate": _fpr(negatives),
        "per_category": {
            c: {
                **recall[c].as_dict("recall"),
                "false_positive_rate": _fpr_count(false_alarm_by_cat[c], n_neg),
            }
            for c in RISK_CATEGORIES
        },
        "per_kind": {k: r.as_dict("rate") for k, r in sorted(by_kind.items())},
        "level_exact": exact_level.as_dict("rate"),
        "level_within_one": near_level.as_dict("rate"),
        "missed": overall.misses,
        "false_alarms": negatives.misses,
    }


def _fpr(negatives: Rate) -> dict[str, Any]:
    return _fpr_count(negatives.total - negatives.hits, negatives.total)


def _fpr_count(alarms: int, total: int) -> dict[str, Any]:
    low, high = wilson(alarms, total)
    return {
        "rate": alarms / total if total else None,
        "n": total,
        "ci95": [round(low, 4), round(high, 4)],
    }


def score_conversations(path: Path, assessor: RiskAssessor) -> dict[str, Any]:
    """Multi-turn cases: the risk held at the end of the conversation, screened in the
    light of the recent turns, and never cleared by a retraction."""
    cases = load_yaml(path.read_text("utf-8"))
    if isinstance(cases, dict):
        cases = cases.get("cases", cases.get("conversations", []))
    results = []
    for case in cases:
        held = RiskAssessment()
        history: list[str] = []
        for text in case["turns"]:
            held = held.merged(assessor.assess(text, history))
            history.append(text)
        expected = case.get("expect_level_at_end", "none")
        if expected == "none":
            ok = held.level == "none"
        else:
            ok = risk_rank(held.level) >= risk_rank(expected)
        results.append({"id": case["id"], "ok": ok, "expected": expected, "got": held.level})
    passed = sum(r["ok"] for r in results)
    return {"passed": passed, "total": len(results), "cases": results}


def score_support_turns(path: Path, assessor: RiskAssessor) -> dict[str, Any]:
    """How often the screen raises risk in ordinary support conversations (ESConv's
    seekers, ../shared/data/esconv-valid): each seeker turn screened in the light of the
    turns before it, as a session screens it. The data has no risk labels and a few of
    its seekers do speak of wanting to die, so this is a rate of flags, most of them
    false, not a false-positive rate; the flagged turns are listed to read."""
    turns = flagged_turns = dialogues_flagged = 0
    flagged: list[dict[str, str]] = []
    dialogues = load_dialogues(path)
    for record in dialogues:
        history: list[str] = []
        raised = False
        for turn in record["dialog"]:
            if turn.get("speaker") != "usr":
                continue
            text = detokenise(str(turn.get("text", "")))
            found = assessor.assess(text, history)
            history.append(text)
            turns += 1
            if found.is_crisis:
                flagged_turns += 1
                why = ", ".join(found.reasons)
                flagged.append({"text": text, "level": found.level, "why": why})
                raised = True
        dialogues_flagged += raised
    return {
        "turns": _fpr_count(flagged_turns, turns),
        "dialogues": _fpr_count(dialogues_flagged, len(dialogues)),
        "flagged": flagged,
    }


def score_empathysync(path: Path, screen: Callable[[str], RiskAssessment]) -> dict[str, Any]:
    raw = load_yaml(path.read_text("utf-8"))
    positives, negatives = Rate(), Rate()
    for item in raw.get("oblique_ideation", []):
        positives.add(screen(item["text"]).level != "none", item["text"])
    for item in raw.get("intense_benign", []):
        negatives.add(screen(item["text"]).level == "none", item["text"])
    accepted = [
        {"text": i["text"], "level": screen(i["text"]).level} for i in raw.get("accepted_fp", [])
    ]
    return {
        "recall": positives.as_dict("recall"),
        "false_positive_rate": _fpr(negatives),
        "missed": positives.misses,
        "false_alarms": negatives.misses,
        "accepted_fp": accepted,
    }


def run(
    assessor: RiskAssessor, labelled: Path, conversations: Path | None, corpus: Path | None
) -> dict[str, Any]:
    report: dict[str, Any] = {"labelled": score_messages(load_labelled(labelled), assessor.screen)}
    explicit = [r for r in load_labelled(labelled) if r.get("kind") == "explicit"]
    report["explicit_recall"] = score_messages(explicit, assessor.screen)["overall_recall"]
    if conversations is not None and conversations.exists():
        report["conversations"] = score_conversations(conversations, assessor)
    if corpus is not None and corpus.exists():
        report["empathysync"] = score_empathysync(corpus, assessor.screen)
    return report
