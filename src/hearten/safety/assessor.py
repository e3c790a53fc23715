"""Risk assessment: lexical rules on normalised text, context over the recent
conversation, the learned screen (model.py), and (when an encoder is at hand)
similarity to an exemplar bank.

It never needs an encoder: without one the learned screen reads n-grams alone, and
without its weights the rules decide alone."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from hearten.safety.assessment import RiskAssessment
from hearten.safety.model import Prediction, load_model
from hearten.safety.normalise import normalise
from hearten.understanding.encoders import Encoder, PrototypeIndex, Vectors
from hearten.understanding.text import sentence_text
from hearten.vocabulary import RiskCategory, RiskLevel, risk_rank
from hearten.yamlfile import load_yaml

log = logging.getLogger(__name__)

RECENT_TURNS = 8  # how far back risk in the conversation still counts
VETOABLE = ("low", "moderate", "high")  # a rule's flag at these levels needs the models
# What the learned screen may read in a helper's account of someone in their care
THEIR_RISK = ("suicide", "self_harm", "third_party")
_ASKS = re.compile(r"\b(?:(?:what|how) (?:do|should|can|could) i|help me|should i)\b")
MIN_WORDS = 3  # shorter messages ("hi", "kms") are left to the rules
REMEMBERED_READINGS = 4096  # the learned screen's readings of recent messages kept
METHOD_SEEKING = RiskAssessment(
    level="high", categories=["suicide"], reasons=["method-seeking after distress"]
)
SIGNS_ADD_UP = RiskAssessment(level="low", categories=["suicide"], reasons=["warning signs add up"])


@dataclass(frozen=True)
class Rule:
    id: str
    category: RiskCategory
    level: RiskLevel
    pattern: re.Pattern[str]
    context: bool = False  # counts only when risk is already in the conversation
    # False for rules checked against the training sets while they were written: those
    # sets cannot show them precise, so the training script never trusts them.
    trustable: bool = True


@dataclass(frozen=True)
class RuleBook:
    benign: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]
    method_seeking: tuple[re.Pattern[str], ...]
    distress: tuple[re.Pattern[str], ...]
    soft: tuple[re.Pattern[str], ...]
    helping_role: tuple[re.Pattern[str], ...]  # "I volunteer at a crisis line"
    served: tuple[re.Pattern[str], ...]  # "a caller told me", "one of my patients said"
    someone_else: tuple[re.Pattern[str], ...] = ()  # "my dad collapsed"
    own_body: tuple[re.Pattern[str], ...] = ()  # "I took", "my chest"


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
                r.get("trustable", True),
            )
            for r in [*raw["rules"], *raw.get("multilingual", [])]
        ),
        method_seeking=tuple(re.compile(p) for p in raw["method_seeking"]),
        distress=tuple(re.compile(p) for p in raw["distress"]),
        soft=tuple(re.compile(p) for p in raw.get("soft", [])),
        helping_role=tuple(re.compile(p) for p in raw["helping_role"]),
        served=tuple(re.compile(p) for p in raw["served"]),
        someone_else=tuple(re.compile(p) for p in raw.get("someone_else", [])),
        own_body=tuple(re.compile(p) for p in raw.get("own_body", [])),
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
        # The constructor's default is the rules alone, which tests pin exactly; the
        # settings' default (config.screen) is the learned screen (docs/safety.md).
        self.learned = learned
        self._cache_dir = cache_dir
        self._index: PrototypeIndex | None = None
        # What the learned screen read in each recent message, by digest (see
        # _read_as_risk); a server's threads share one assessor.
        self._readings: OrderedDict[bytes, bool] = OrderedDict()
        self._lock = threading.Lock()
        self._levels: dict[str, RiskLevel] = {}

    def screen(self, text: str) -> RiskAssessment:
        """One message on its own."""
        return self.assess(text, [])

    def assess(self, text: str, history: list[str]) -> RiskAssessment:
        """This message in the light of the person's recent messages (oldest first)."""
        plain = normalise(text)
        clean = self._blank_benign(plain)
        earlier = history[-RECENT_TURNS:]
        recent = [self.clean(h) for h in earlier]
        # The models read the whole message: blanking is for the rules, and must not
        # silence the models ("used to cut, 3 years clean until tonight").
        vector, prediction = self._read(text) if scored(plain) else (None, None)
        found = self.message_rules(clean)
        if prediction is not None:
            self._remember(_digest(text), prediction.flags)
        said_before = [self._by_rules(h) for h in recent]
        risky_conversation = any(r.is_crisis for r in said_before) or any(
            self._read_as_risk(raw) and not self.helper_account(raw, earlier[:j])
            for j, raw in enumerate(earlier)
        )
        # A helper passing on what someone in their care said, with nothing of their
        # own risk in the message or the conversation: the models' reading of suicide,
        # self-harm or a third party below high is that person's, in the care of the
        # writer's service, not the writer's (rules.yaml, helping_role).
        counts = (
            prediction is not None
            and prediction.flags
            and (
                found.is_crisis
                or risky_conversation
                or prediction.category not in THEIR_RISK
                or prediction.level in ("high", "imminent")
                or not self.helper_account(text, earlier)
            )
        )
        if (
            found.level in VETOABLE
            and not risky_conversation
            and prediction is not None
            and not prediction.upholds(found.reasons)
        ):
            # The rules know words; the models, trained on hard negatives, read the
            # whole message: "ugh i want to die, i just called my teacher mum". Words
            # of an act in progress stand whatever the models think, and so does
            # anything said after risk has been raised: a joke is no longer likely.
            found = RiskAssessment()
        if found.is_crisis or risky_conversation:
            found = found.merged(self._by_rules(clean, context=True))
        if any(p.search(clean) for p in self.rules.method_seeking) and any(
            self._distressed(h) for h in recent
        ):
            found = found.merged(METHOD_SEEKING)
        if not found.is_crisis:
            signs = self.warning_signs(clean)
            if signs:  # this message must carry a sign itself; earlier ones add up
                for before in recent:
                    signs |= self.warning_signs(before)
            if len(signs) >= 2:
                found = SIGNS_ADD_UP.model_copy(deep=True)
        if prediction is not None and counts:
            found = _with_reading(found, prediction)
        if not found.is_crisis and vector is not None and scored(clean):
            try:
                found = self.by_similarity(vector)
            except Exception as exc:  # the rest has spoken; never fail a turn
                log.warning("similarity screening failed: %s", type(exc).__name__)
        if (
            "medical_emergency" in found.categories
            and "third_party" not in found.categories
            and not self.own_body(clean)
            and any({"medical_emergency", "third_party"} <= set(r.categories) for r in said_before)
        ):
            # "he passed out again" after "my dad collapsed": still the father's
            # emergency, unless the writer speaks of their own body.
            found = found.merged(RiskAssessment(level=found.level, categories=["third_party"]))
        return found

    def clean(self, text: str) -> str:
        """The text the rules read: normalised, with benign phrases blanked out."""
        return self._blank_benign(normalise(text))

    def message_rules(self, clean: str) -> RiskAssessment:
        """What the rules find in one cleaned message on its own, method-seeking in a
        distressed message included."""
        found = self._by_rules(clean)
        if any(p.search(clean) for p in self.rules.method_seeking) and self._distressed(clean):
            found = found.merged(METHOD_SEEKING)
        return found

    def helper_account(self, text: str, earlier: list[str]) -> bool:
        """Whether the message passes on what a caller, client or patient said, from a
        writer who has said (in it or in the recent conversation) that they help people
        for work or as a volunteer, with no distress or warning sign of the writer's own
        and no question (rules.yaml, helping_role)."""
        plain = normalise(text)
        if not any(p.search(plain) for p in self.rules.served):
            return False
        clean = self._blank_benign(plain)
        if "?" in text or _ASKS.search(plain) or self._distressed(clean):
            return False
        if self.warning_signs(clean):
            return False
        said = [plain, *(normalise(h) for h in earlier)]
        return any(p.search(t) for t in said for p in self.rules.helping_role)

    def warning_signs(self, clean: str) -> set[int]:
        """Which soft warning signs a cleaned message carries; two add up to low risk."""
        return {i for i, p in enumerate(self.rules.soft) if p.search(clean)}

    def _read_as_risk(self, earlier: str) -> bool:
        """Whether the learned screen read an earlier message as risk: as it read it
        then, when this assessor screened it; otherwise (history from before a restart)
        by its n-grams alone, the earlier vector not being at hand. Each message is read
        once: a conversation repeats its history every turn."""
        if not self.learned:
            return False
        key = _digest(earlier)
        with self._lock:
            known = self._readings.get(key)
        if known is not None:  # only a message long enough to read was remembered
            return known
        if not scored(normalise(earlier)):
            return False
        model = load_model()
        if model is None:
            return False
        try:
            flags = model.predict(earlier, None).flags
        except Exception as exc:  # the rules have spoken; never fail a turn
            log.error("learned screening failed: %r", exc)
            return False
        self._remember(key, flags)
        return flags

    def _remember(self, key: bytes, flags: bool) -> None:
        # Digests, not messages: nothing a person wrote outlives their deleting it.
        with self._lock:
            self._readings[key] = flags
            self._readings.move_to_end(key)
            while len(self._readings) > REMEMBERED_READINGS:
                self._readings.popitem(last=False)

    def _read(self, text: str) -> tuple[Vectors | None, Prediction | None]:
        """The message's vector and the learned screen's reading of it, each None
        when there is no encoder or no model. Never raises: the rules have spoken."""
        vector = None
        if self.encoder is not None:
            try:
                # The same text the understanding room encodes (the words without the
                # cues), so a turn pays for one encoding, not two.
                vector = self.encoder.encode([sentence_text(text) or text])[0]
            except Exception as exc:
                log.warning("encoding for the screen failed: %s", type(exc).__name__)
        if not self.learned:
            return vector, None
        model = load_model()
        if model is None:
            return vector, None
        # The perceptrons read only the vectors they were trained on; without those,
        # or if they fail, the n-gram model decides alone at its own thresholds.
        same = self.encoder is not None and self.encoder.name == model.encoder
        for own in [vector, None] if same and vector is not None else [None]:
            try:
                return vector, model.predict(text, own)
            except Exception as exc:
                log.error("learned screening failed: %r", exc)
        return vector, None

    def _blank_benign(self, text: str) -> str:
        for pattern in self.rules.benign:
            text = pattern.sub(_blanked, text)
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
        if (
            "medical_emergency" in result.categories
            and "third_party" not in result.categories
            and self.someone_elses_body(clean)
        ):
            result = result.merged(RiskAssessment(level=result.level, categories=["third_party"]))
        return _order(result)

    def someone_elses_body(self, clean: str) -> bool:
        """Whether a medical emergency in this message is someone else's (rules.yaml,
        someone_else and own_body)."""
        return any(p.search(clean) for p in self.rules.someone_else) and not self.own_body(clean)

    def own_body(self, clean: str) -> bool:
        """Whether the message speaks of the writer's own body or act (rules.yaml)."""
        return any(p.search(clean) for p in self.rules.own_body)

    def _distressed(self, clean: str) -> bool:
        return any(p.search(clean) for p in self.rules.distress) or self._by_rules(clean).is_crisis

    def by_similarity(self, vector: Vectors) -> RiskAssessment:
        """The nearest risk exemplar, when it is near enough and nearer than any benign
        one."""
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


def _blanked(match: re.Match[str]) -> str:
    """A benign phrase blanked out; where the pattern reads its sentence to decide (a
    group named "blank"), only that group goes."""
    if "blank" not in match.re.groupindex:
        return " "
    whole, (start, end) = match.group(0), match.span("blank")
    return whole[: start - match.start()] + " " + whole[end - match.start() :]


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def scored(text: str) -> bool:
    """Whether a normalised message is long enough to judge: for the models, the whole
    message; for the exemplars, what is left once benign phrases are blanked."""
    return len(text.split()) >= MIN_WORDS


def _with_reading(found: RiskAssessment, prediction: Prediction) -> RiskAssessment:
    """What the rules found, with the learned screen's detection: on its own when they
    found nothing, raising their level when it reads the message as graver (never
    less than moderate, so the protocol at least asks directly)."""
    level = highest(["moderate", prediction.level])  # type: ignore[list-item]
    reason = f"learned screen ({prediction.risk:.2f})"
    if not found.is_crisis:
        categories = [prediction.category]
        if prediction.category == "third_party" and prediction.runner_up == "medical_emergency":
            categories.append("medical_emergency")  # someone else's: protocol.yaml
        return _order(
            RiskAssessment(level=level, categories=categories, reasons=[reason])  # type: ignore[arg-type]
        )
    if risk_rank(level) <= risk_rank(found.level):
        return found
    return RiskAssessment(
        level=level, categories=found.categories, reasons=[*found.reasons, reason]
    )


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
