"""Risk assessment: lexical rules on normalised text, context over the recent
conversation, and (when an encoder is at hand) similarity to an exemplar bank.

It never needs a model: with no encoder the rules alone decide."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from hearten.safety.assessment import RiskAssessment
from hearten.safety.model import load_model
from hearten.safety.normalise import normalise
from hearten.understanding.encoders import Encoder, PrototypeIndex, Vectors
from hearten.understanding.text import sentence_text
from hearten.vocabulary import RiskCategory, RiskLevel, risk_rank
from hearten.yamlfile import load_yaml

log = logging.getLogger(__name__)

RECENT_TURNS = 8  # how far back risk in the conversation still counts


@dataclass(frozen=True)
class Rule:
    id: str
    category: RiskCategory
    level: RiskLevel
    pattern: re.Pattern[str]
    context: bool = False  # counts only when risk is already in the conversation


@dataclass(frozen=True)
class RuleBook:
    benign: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]
    method_seeking: tuple[re.Pattern[str], ...]
    distress: tuple[re.Pattern[str], ...]
    soft: tuple[re.Pattern[str], ...]


def _data(name: str) -> Any:
    return load_yaml(resources.files("hearten.safety").joinpath(name).read_text("utf-8"))


@cache
def load_rules() -> RuleBook:
    raw = _data("rules.yaml")
    return RuleBook(
        benign=tuple(re.compile(p) for p in raw["benign"]),
        rules=tuple(
            Rule(
                r["id"],
                r["category"],
                r["level"],
                re.compile(r["pattern"]),
                r.get("context", False),
            )
            for r in [*raw["rules"], *raw.get("multilingual", [])]
        ),
        method_seeking=tuple(re.compile(p) for p in raw["method_seeking"]),
        distress=tuple(re.compile(p) for p in raw["distress"]),
        soft=tuple(re.compile(p) for p in raw.get("soft", [])),
    )


class RiskAssessor:
    def __init__(
        self,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,
        threshold: float = 0.94,
        margin: float = 0.02,
        learned: bool = False,
    ) -> None:
        self.rules = load_rules()
        self.encoder = encoder
        self.threshold = threshold
        self.margin = margin
        # The learned layer doubles recall on held-out text but also flags about one
        # ordinary sad message in ten (docs/safety.md), so it is opt-in.
        self.learned = learned
        self._cache_dir = cache_dir
        self._index: PrototypeIndex | None = None
        self._levels: dict[str, RiskLevel] = {}

    def screen(self, text: str) -> RiskAssessment:
        """One message on its own."""
        return self.assess(text, [])

    def assess(self, text: str, history: list[str]) -> RiskAssessment:
        """This message in the light of the person's recent messages (oldest first)."""
        clean = self._blank_benign(normalise(text))
        recent = [self._blank_benign(normalise(h)) for h in history[-RECENT_TURNS:]]
        found = self._by_rules(clean)
        if found.is_crisis or any(self._by_rules(h).is_crisis for h in recent):
            found = found.merged(self._by_rules(clean, context=True))
        seeking = any(p.search(clean) for p in self.rules.method_seeking)
        if seeking and (self._distressed(clean) or any(self._distressed(h) for h in recent)):
            found = found.merged(
                RiskAssessment(
                    level="high",
                    categories=["suicide"],
                    reasons=["method-seeking after distress"],
                )
            )
        if not found.is_crisis:
            signs = {i for i, p in enumerate(self.rules.soft) if p.search(clean)}
            if signs:  # this message must carry a sign itself; earlier ones add up
                for earlier in recent:
                    signs |= {i for i, p in enumerate(self.rules.soft) if p.search(earlier)}
            if len(signs) >= 2:
                found = RiskAssessment(
                    level="low", categories=["suicide"], reasons=["warning signs add up"]
                )
        if not found.is_crisis and self.encoder is not None and len(clean.split()) >= 3:
            try:
                found = found.merged(self._by_embedding(text))
            except Exception as exc:  # the rules have already spoken; never fail a turn
                log.warning("similarity screening failed: %s", type(exc).__name__)
        return found

    def _blank_benign(self, text: str) -> str:
        for pattern in self.rules.benign:
            text = pattern.sub(" ", text)
        return text

    def _by_rules(self, clean: str, context: bool = False) -> RiskAssessment:
        result = RiskAssessment()
        for rule in self.rules.rules:
            if rule.context == context and rule.pattern.search(clean):
                result = result.merged(
                    RiskAssessment(level=rule.level, categories=[rule.category], reasons=[rule.id])
                )
        if "third_party" in result.categories and not _first_person_risk(result):
            # "my friend wants to kill herself": the person is not the one at risk.
            result = RiskAssessment(
                level=result.level,
                categories=["third_party"],
                reasons=result.reasons,
            )
        return _order(result)

    def _distressed(self, clean: str) -> bool:
        return any(p.search(clean) for p in self.rules.distress) or self._by_rules(clean).is_crisis

    def _by_embedding(self, text: str) -> RiskAssessment:
        """The learned model first, then plain similarity to the exemplar bank."""
        if self.encoder is None:
            return RiskAssessment()
        # The same text the understanding room encodes (the words without the cues,
        # which tell little here), so a turn pays for one encoding, not two.
        vector = self.encoder.encode([sentence_text(text) or text])[0]
        model = load_model(self.encoder.name) if self.learned else None
        if model is not None:
            category, p = model.predict(vector)
            if p >= model.threshold:
                return RiskAssessment(
                    level="moderate",
                    categories=[category],  # type: ignore[list-item]
                    reasons=[f"learned screen ({p:.2f})"],
                )
        return self._by_similarity(vector)

    def _by_similarity(self, vector: Vectors) -> RiskAssessment:
        index = self._exemplars()
        if index is None:
            return RiskAssessment()
        scores = index.scores(vector)
        benign = scores.pop("benign", 0.0)
        # Minor ailments sit too close to medical emergencies in this space: only the
        # rules decide those.
        scores = {k: v for k, v in scores.items() if not k.startswith("medical_emergency")}
        if not scores:
            return RiskAssessment()
        label, score = max(scores.items(), key=lambda kv: kv[1])
        if score < self.threshold or score < benign + self.margin:
            return RiskAssessment()
        category, level = label.split(":")
        return RiskAssessment(
            level=level,  # type: ignore[arg-type]
            categories=[category],  # type: ignore[list-item]
            reasons=[f"similar to exemplar ({score:.2f})"],
        )

    def _exemplars(self) -> PrototypeIndex | None:
        if self.encoder is None:
            return None
        if self._index is None:
            self._index = PrototypeIndex(self.encoder, _exemplar_bank(), self._cache_dir)
        return self._index


def _first_person_risk(result: RiskAssessment) -> bool:
    return any(not r.startswith("t.") for r in result.reasons)


def _order(result: RiskAssessment) -> RiskAssessment:
    order = ["medical_emergency", "abuse_or_danger", "suicide", "self_harm", "harm_to_others",
             "third_party"]  # fmt: skip
    cats = sorted(result.categories, key=order.index)
    return RiskAssessment(level=result.level, categories=cats, reasons=result.reasons)


@cache
def _exemplar_bank() -> list[tuple[str, str]]:
    """(label, text) pairs: "suicide:low" etc., and "benign" near-misses."""
    try:
        raw = _data("exemplars.yaml")
    except FileNotFoundError:
        return []
    pairs: list[tuple[str, str]] = []
    for category, items in raw.items():
        if category == "benign":
            pairs += [("benign", str(t)) for t in items]
            continue
        for item in items:
            pairs.append((f"{category}:{item['level']}", str(item["text"])))
    return pairs


def highest(levels: list[RiskLevel]) -> RiskLevel:
    return max(levels, key=risk_rank, default="none")
