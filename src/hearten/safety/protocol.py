"""The crisis protocol: scripted, authored replies (protocol.yaml) filled with the
person's locale resources. No model is ever involved."""

from __future__ import annotations

import random
import re
from functools import cache
from importlib import resources
from typing import Any

from hearten.safety.assessment import RiskAssessment
from hearten.safety.resources import LocaleResources, for_locale
from hearten.vocabulary import RISK_LEVELS
from hearten.yamlfile import load_yaml


@cache
def load_protocol() -> dict[str, Any]:
    raw: dict[str, Any] = load_yaml(
        resources.files("hearten.safety").joinpath("protocol.yaml").read_text("utf-8")
    )
    return raw["replies"]  # type: ignore[no-any-return]


OWN_FOLLOWUPS = ("abuse_or_danger", "third_party")


class CrisisProtocol:
    def __init__(self, locale: str | None) -> None:
        self.locale = locale

    @property
    def resources(self) -> LocaleResources:
        return for_locale(self.locale)

    @property
    def replies(self) -> dict[str, Any]:
        return load_protocol()

    def respond(
        self, risk: RiskAssessment, *, followup: bool = False, urgent: bool = False,
        called: bool = False, helped: bool = False, used: set[str] | None = None,
        seed: int = 0, said: str = "",
    ) -> tuple[str, str]:  # fmt: skip
        """The scripted reply and its id, for a raised risk; with `followup`, one for a
        later turn (`urgent`: only those that lead with the call, where there are;
        `called`: the person has said help is called, so none asks whether it is;
        `helped`: they have said it has come, so none is written for the wait; `said`:
        their last words, normalised, which a follow-up with `when` must match)."""
        used = used or set()
        category: str = risk.categories[0] if risk.categories else "suicide"
        if category == "medical_emergency":
            category = _medical(risk)
        if followup:
            # A medical emergency, abuse and a worried friend have follow-ups of their
            # own: "if you feel you might act on anything" or breathing exercises are
            # wrong beside a parent who collapsed, to someone afraid of their partner,
            # or to someone frightened for a friend.
            own = category.startswith("medical_emergency") or category in OWN_FOLLOWUPS
            variants = [
                v for v in self.replies["followup"]
                if category in v.get("categories", ()) or not (v.get("categories") or own)
            ]  # fmt: skip
            if urgent:
                variants = [v for v in variants if v.get("urgent")] or variants
            if called or helped:
                variants = [v for v in variants if not v.get("asks_call")] or variants
            not_now = "before_help" if helped else "after_help"
            variants = [v for v in variants if not v.get(not_now)] or variants
            keyed = self.keyed_followups(category, said, used)
            variants = keyed or [v for v in variants if not v.get("when")] or variants
        else:
            variants = self._variants(category, risk.level)
        if self.resources.text_line() is None:  # no text service here: skip those wordings
            variants = [v for v in variants if "{text_line}" not in v["text"]] or variants
        fresh = [v for v in variants if v["id"] not in used] or variants
        if helped and not urgent:  # "the paramedics are here": that said first
            fresh = [v for v in fresh if v.get("after_help")] or fresh
        choice = random.Random(f"{seed}:{len(used)}").choice(sorted(fresh, key=lambda v: v["id"]))
        # Once the paramedics are there, "if you are in danger right now, call 911" is
        # noise after "How are you doing?": a worse turn gets the urgent ones, with it.
        return self.fill(choice["text"], emergency_line=not choice.get("after_help")), choice["id"]

    def keyed_followups(
        self, category: str, said: str, used: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """The unsent follow-ups for `category` written for what was just said ("I don't
        have anyone to call", "ok, I'll ring them"), best first; none if nothing matches."""
        used = used or set()
        return [
            v for v in self.replies["followup"]
            if v.get("when") and category in v.get("categories", ()) and v["id"] not in used
            and re.search(v["when"], said)
        ]  # fmt: skip

    def repeatable_followups(self) -> set[str]:
        """Follow-ups that may be sent again in a session after a new crisis reply: those
        written for particular words, and a medical emergency's (each emergency has its
        wait and its help arriving)."""
        medical = {"medical_emergency", "medical_emergency_other"}
        return {
            v["id"] for v in self.replies["followup"]
            if v.get("when") or medical & set(v.get("categories", ()))
        }  # fmt: skip

    def after_help_left(self, risk: RiskAssessment, used: set[str]) -> bool:
        """Whether a follow-up written for after help has come, for a medical emergency
        like `risk`, is still unsent."""
        category = _medical(risk)
        return any(
            v.get("after_help") and category in v.get("categories", ()) and v["id"] not in used
            for v in self.replies["followup"]
        )

    def reminder(self, risk: RiskAssessment, used: set[str], seed: int = 0) -> tuple[str, str]:
        """One sentence that keeps the right line in view after a crisis reply to `risk`,
        by its main category as the reply was chosen: the emergency number after a
        medical emergency, the abuse line after abuse, help for the helper when only
        someone else is at risk, the crisis line otherwise (the writer's own risk comes
        before another's: "my friend wants to die and so do I")."""
        main = risk.categories[0] if risk.categories else ""
        key = _medical(risk) or (main if main in ("third_party", "abuse_or_danger") else "")
        every = self.replies["reminder"]
        variants = [v for v in every if key in v.get("categories", ())] or [
            v for v in every if not v.get("categories")
        ]
        fresh = [v for v in variants if v["id"] not in used] or variants
        choice = random.Random(f"{seed}:{len(used)}").choice(sorted(fresh, key=lambda v: v["id"]))
        text = self.fill(choice["text"], emergency_line=False)
        return text, choice["id"]

    def _variants(self, category: str, level: str) -> list[dict[str, str]]:
        by_level = self.replies.get(category) or self.replies["suicide"]
        if isinstance(by_level, list):
            return by_level
        # The asked level, else the next higher one, else the next lower one.
        order = list(RISK_LEVELS[1:])
        start = order.index(level) if level in order else 0
        for candidate in order[start:] + order[:start][::-1]:
            if by_level.get(candidate):
                return list(by_level[candidate])
        raise LookupError(f"protocol.yaml has no replies for {category}")

    def fill(self, template: str, emergency_line: bool = True) -> str:
        r = self.resources
        values = {
            "crisis_line": r.crisis_line(),
            "text_line": r.text_line() or r.crisis_line(),
            "abuse_line": r.abuse_line(),
            "emergency": r.emergency,
            "country": r.country_phrase,
        }
        text = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
        if emergency_line and r.emergency not in text:  # every crisis reply names it
            text += f" If you are in danger right now, please call {r.emergency}."
        if emergency_line and r.is_fallback:
            text += (
                " I don't know which country you're in, so I can't give you a local number:"
                " your local emergency number and findahelpline.com will reach the right people."
            )
        return " ".join(text.split())


def _medical(risk: RiskAssessment) -> str:
    """The protocol's name for a medical emergency in `risk` ("" for none): someone
    else being ill is told to the person with them (protocol.yaml)."""
    if "medical_emergency" not in risk.categories:
        return ""
    return "medical_emergency_other" if "third_party" in risk.categories else "medical_emergency"
