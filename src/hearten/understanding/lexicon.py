"""Loads lexicon.yaml once and compiles its patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from hearten.yamlfile import load_yaml


@dataclass(frozen=True)
class CueRule:
    kind: str
    affect: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class FeelingRule:
    emotion: str
    phrase: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ConcernRule:
    id: str
    topic: str
    patterns: tuple[re.Pattern[str], ...]
    plain_topic: str | None = None
    exclude: tuple[re.Pattern[str], ...] = ()
    # Patterns that name the concern only once it has been raised in the conversation:
    # after "I lost my job", "I keep applying and hear nothing" is still about it.
    once_known: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Lexicon:
    cues: tuple[CueRule, ...]
    feelings: tuple[FeelingRule, ...]
    feeling_adjectives: re.Pattern[str]
    intensifiers: re.Pattern[str]
    softeners: re.Pattern[str]
    negation: re.Pattern[str]
    lost_feeling: re.Pattern[str]
    settled_after: re.Pattern[str]
    settled_before: re.Pattern[str]
    settled_doubt: re.Pattern[str]
    pressing: re.Pattern[str]
    pressing_after: re.Pattern[str]
    relation_helping: re.Pattern[str]
    concerns: tuple[ConcernRule, ...]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def load_lexicon() -> Lexicon:
    raw: dict[str, Any] = load_yaml(
        resources.files("hearten.understanding").joinpath("lexicon.yaml").read_text("utf-8")
    )
    feelings = tuple(
        FeelingRule(
            emotion=emotion,
            phrase=phrase,
            # "down" must not match "download"; a prefix like "thank" may match "thanks".
            pattern=re.compile(
                rf"\b{re.escape(phrase)}" + (r"\b" if emotion != "gratitude" else ""),
                re.IGNORECASE,
            ),
        )
        for emotion, phrases in raw["feelings"].items()
        for phrase in phrases
    )
    # "n't" ends a word ("can't"); the others are words of their own; "never so" is
    # more, not less.
    endings = [w for w in raw["negations"] if w.startswith("n'")]
    words = [w for w in raw["negations"] if w not in endings and w != "never"]
    gap = raw["negation_gap"]
    never_gap = [w for w in gap if w not in ("so", "as")]
    return Lexicon(
        cues=tuple(
            CueRule(c["kind"], float(c["affect"]), re.compile(c["pattern"], re.IGNORECASE))
            for c in raw["cues"]
        ),
        feelings=feelings,
        feeling_adjectives=re.compile(
            rf"\b(?:feel|feeling|felt|feels|am|i'm|im|i am|been|so|really)\s+"
            rf"((?:(?:{_alternation(raw['intensifiers'])}|{_alternation(raw['softeners'])}|just|"
            rf"pretty|quite|too)\s+)*(?:{_alternation(raw['feeling_adjectives'])}))\b",
            re.IGNORECASE,
        ),
        intensifiers=re.compile(rf"\b(?:{_alternation(raw['intensifiers'])})\s+$", re.IGNORECASE),
        softeners=re.compile(rf"\b(?:{_alternation(raw['softeners'])})\s+$", re.IGNORECASE),
        negation=re.compile(
            # "I can't be alone tonight" is dread of it, not relief
            rf"(?:(?:\b(?:{_alternation(words)})|{_alternation(endings)})\b(?!\s+be\b(?<=can't be))"
            rf"(?:\s+(?:{_alternation(gap)})\b){{0,2}}"
            rf"|\bnever\b(?:\s+(?:{_alternation(never_gap)})\b){{0,2}}"
            r"|(?<!more or )\bless)\s*$",  # "a bit less alone now"
            re.IGNORECASE,
        ),
        # The rest of the clause up to the feeling; "the last time I felt this (so, that,
        # as) happy" says they are happy now.
        lost_feeling=re.compile(
            rf"\b(?:{'|'.join(raw['lost_feeling'])})(?:(?!\bbut\b|\band\b)[^.!?,]){{0,30}}"
            r"(?<!\bthis )(?<!\bso )(?<!\bthat )(?<!\bas )$",
            re.IGNORECASE,
        ),
        settled_after=re.compile(rf"\b(?:{'|'.join(raw['settled_after'])})", re.IGNORECASE),
        settled_before=re.compile(
            rf"\b(?:{'|'.join(raw['settled_before'])})"
            rf"(?:\s+(?!(?:but|and|though|although|than|where|while|yet)\b)[\w']+){{0,3}}\s*$",
            re.IGNORECASE,
        ),
        settled_doubt=re.compile(raw["settled_doubt"], re.IGNORECASE),
        pressing=re.compile(
            rf"\b(?:{'|'.join(raw['pressing'])})(?:\s+[\w']+){{0,3}}\s*$", re.IGNORECASE
        ),
        pressing_after=re.compile(
            rf"^\s*(?:(?!(?:thinks?|says|said|reckons?|thought|feels|told)\b)[\w']+\s+){{0,3}}?"
            rf"(?:{'|'.join(raw['pressing_after'])})\b",
            re.IGNORECASE,
        ),
        relation_helping=re.compile(
            rf"\b(?:{'|'.join(raw['relation_helping'])})\b", re.IGNORECASE
        ),
        concerns=tuple(
            ConcernRule(
                id=cid,
                topic=spec["topic"],
                plain_topic=spec.get("plain_topic"),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in spec["patterns"]),
                exclude=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("exclude", [])),
                once_known=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("once_known", [])),
            )
            for cid, spec in raw["concerns"].items()
        ),
    )
