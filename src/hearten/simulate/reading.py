"""Reading a support bot's reply as plain text: its sentences, questions, advice and
the coping ideas it offers. The simulated user reads any bot this way (hearten also
names its ideas), and the rubric suite scores every bot with the same rules."""

from __future__ import annotations

import re
from functools import cache

from hearten.simulate.personas import load_phrases

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_ADVICE = re.compile(
    r"\b(?:you (?:could|might|may want to|can try|could try|may find|might find|might like to)|"
    r"have you (?:tried|thought about|considered)|(?:it|that|this) (?:might|may|could|can) "
    r"(?:help|be worth|be a good)|(?:maybe|perhaps) (?:you|try|a |it)|(?:^|\. )try |"
    r"what if you|how about|how would it feel to|i(?:'d| would) (?:suggest|recommend|encourage)|"
    r"some (?:people|carers|students) (?:find|start|set|going)|many people find|"
    r"one (?:thing|idea|small step) (?:that|to|you|is|could|might)|a (?:small|gentle|good) "
    r"(?:step|thing to|idea|way to)|worth (?:a try|trying|finding|asking|looking|a look)|why not|"
    r"would it help to|could you (?:set|try|write|give|ask|call|take|make)|for example, some|"
    r"your step might|if it appeals|a timetable on|something like (?:reading|a)|"
    r"(?:could|might|can) help (?:you|your|to)|could be (?:a|worth|relaxing)|"
    r"(?:might|could) (?:make|give|be a)|can be (?:a place|easier|a gentle|a way))",
    re.IGNORECASE,
)
_GOAL_QUESTION = re.compile(
    r"\b(?:which (?:one|of these|idea|step)|what (?:would|could|might) (?:one|a|the first) "
    r"(?:small|first|clear|step|thing|piece)|one or two (?:small )?(?:things|steps)|"
    r"what (?:small )?(?:step|thing) (?:would|could|might) you|"
    r"would you like to (?:try|pick|choose)|"
    r"what (?:feels|seems) (?:doable|manageable|possible)|(?:pick|choose) (?:one|a))\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z']+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def sentence_key(sentence: str) -> str:
    """Two sentences are the same when their letters are (case and punctuation aside)."""
    return re.sub(r"[^a-z]+", " ", sentence.lower()).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


_ASKING = re.compile(
    r"^(?:what|which|when|where|who|however|if you could name|how (?!about|would it feel))\b",
    re.IGNORECASE,
)


def is_advice(sentence: str) -> bool:
    if sentence.rstrip().endswith("?") and _ASKING.match(sentence.strip()):
        return False  # "What's one small thing you could try?" asks, it does not advise
    return bool(_ADVICE.search(sentence))


def advice(text: str) -> list[str]:
    return [s for s in sentences(text) if is_advice(s)]


def questions(text: str) -> list[str]:
    """Sentences that ask, and are not advice put as a question ("Have you tried ...?")."""
    return [s for s in sentences(text) if s.endswith("?") and not is_advice(s)]


def asks_for_goal(text: str) -> bool:
    return bool(_GOAL_QUESTION.search(text))


@cache
def _idea_patterns() -> dict[str, list[re.Pattern[str]]]:
    return load_phrases().idea_patterns()


def detect_ideas(text: str) -> list[str]:
    """The coping ideas (dialogue/ideas.yaml ids) the advice in a reply offers, in the
    order they are first offered."""
    found: list[str] = []
    for sentence in advice(text):
        for idea, patterns in _idea_patterns().items():
            if idea not in found and any(p.search(sentence) for p in patterns):
                found.append(idea)
    return found
