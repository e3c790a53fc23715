"""How the whole screen decides, for choosing its bars.

scripts/train_screen.py picks the learned screen's threshold and confirm bar by
cross-validation. The figure that matters is what the *screen* flags (rules, warning
signs, exemplars and models together, as `RiskAssessor.assess` combines them), not the
models alone: RuleParts holds, for each message, everything but the models' reading,
and `RuleParts.screen` combines it with a reading as `assess` does for a message with
no history. tests/test_safety.py holds the two to the same answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hearten.safety.assessor import VETOABLE, RiskAssessor, load_rules, scored
from hearten.safety.normalise import normalise
from hearten.understanding.encoders import Vectors


@dataclass(frozen=True)
class RuleParts:
    """What the screen finds in each message besides the models' flag (assessor.assess
    on a message with no history), so the operating point is chosen for the screen
    that runs, not for the models alone."""

    flagged: np.ndarray  # a rule flags it (method-seeking in the message included)
    fixed: np.ndarray  # ...and the flag stands whatever the models read
    reasons: list[list[str]]  # which rules flag it
    signs: np.ndarray  # two warning signs add up (low), never vetoed
    similar: np.ndarray  # an exemplar is near enough (only with the encoder)
    scored: np.ndarray  # long enough for the models to read
    # A helper passing on what someone in their care said (assessor.helper_account):
    # the models' flag is let go when no rule flags it. assess keeps it when the
    # models read abuse, harm to others or a medical emergency, or a high level; the
    # readings here carry no category and only one level (a flag by the lower bar
    # for imminent, which is always kept), so on the rest the two may differ.
    at_work: np.ndarray

    def trusted(self, rules: frozenset[str]) -> np.ndarray:
        """Which messages one of these trusted rules flags."""
        return np.array([not rules.isdisjoint(r) for r in self.reasons], dtype=bool)

    def screen(
        self,
        risk: np.ndarray,
        threshold: float,
        confirm: float,
        sure: np.ndarray,
        encoder: bool,
        grave: np.ndarray | None = None,
    ) -> np.ndarray:
        """Which messages the whole screen flags, given the models' `risk`, which
        messages a trusted rule flags (`sure`, from `trusted`), and which the models
        flag below the threshold as imminent (`grave`, model.GraveBar)."""
        # A rule's flag stands with no confirmation when it is imminent or trusted, or
        # when the message is too short for the models to read.
        flagged: np.ndarray = self.flagged & (self.fixed | sure | ~self.scored)
        flagged |= self.flagged & self.scored & (risk >= confirm)
        flagged |= self.signs | (self.scored & (risk >= threshold) & ~self.at_work)
        if grave is not None:
            # Read as imminent (the bars are at least one half, so it is the likeliest
            # level): assess keeps the flag even in a helper's account.
            flagged |= self.scored & grave
        if encoder:
            flagged |= self.similar
        return flagged


def rule_parts(screen: RiskAssessor, texts: list[str], x: Vectors | None) -> RuleParts:
    """The parts of each message, read by `screen` (its encoder's vectors `x` find
    the exemplars; without them nothing is similar)."""
    plain = [normalise(t) for t in texts]
    cleaned = [screen.clean(t) for t in texts]
    found = [screen.message_rules(c) for c in cleaned]
    long_enough = np.array([scored(p) for p in plain])  # as RiskAssessor.assess reads
    return RuleParts(
        flagged=np.array([f.is_crisis for f in found]),
        fixed=np.array([f.level not in VETOABLE for f in found]),
        reasons=[list(f.reasons) for f in found],
        signs=np.array([len(screen.warning_signs(c)) >= 2 for c in cleaned]),
        similar=np.array(
            [
                # a vector only for a message the models read, as in assess
                x is not None and ok and scored(c) and screen.by_similarity(x[i]).is_crisis
                for i, (ok, c) in enumerate(zip(long_enough, cleaned, strict=True))
            ]
        ),
        scored=long_enough,
        at_work=np.array([screen.helper_account(t, []) for t in texts], dtype=bool),
    )


def trusted_rules(
    parts: RuleParts,
    positive: np.ndarray,
    honest: np.ndarray,
    ordinary: np.ndarray,
    hits_needed: int = 10,
) -> frozenset[str]:
    """Rules that flag at least `hits_needed` risk messages and no negative among the
    `honest` messages (those written without sight of the rules), nor any `ordinary`
    message: their flags stand without the models' confirmation. A rule marked
    `trustable: false` in rules.yaml is never trusted."""
    hits: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for reasons, risk, written, everyday in zip(
        parts.reasons, positive, honest, ordinary, strict=True
    ):
        if written and risk:
            hits.update(set(reasons))
        elif (written or everyday) and not risk:
            misses.update(set(reasons))
    never = {rule.id for rule in load_rules().rules if not rule.trustable}
    return frozenset(
        r for r, n in hits.items() if n >= hits_needed and not misses[r] and r not in never
    )


def operating_point(
    screen: Callable[[float, float], np.ndarray],
    positive: np.ndarray,
    limits: list[tuple[np.ndarray, float]],
) -> tuple[float, float, float]:
    """(threshold, confirm, recall): the pair for which `screen` catches the most of
    `positive` while flagging at most the given share of each set of negatives in
    `limits` (mask, share). Recall is -1 when no pair keeps every limit."""

    def keeps(flagged: np.ndarray) -> bool:
        return all(flagged[negative].mean() <= share for negative, share in limits)

    start = screen(0.99, 0.0)
    best = (0.99, 0.0, float(start[positive].mean()) if keeps(start) else -1.0)
    for confirm in np.round(np.arange(0.0, 0.91, 0.05), 2):
        for candidate in np.round(np.arange(max(0.30, confirm + 0.01), 0.991, 0.01), 2):
            flagged = screen(float(candidate), float(confirm))
            if keeps(flagged):
                recall = float(flagged[positive].mean())
                if recall > best[2]:
                    best = (float(candidate), float(confirm), recall)
                break
    return best
