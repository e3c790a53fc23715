"""Commitments: the small steps a person says they will take, as goals."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hearten.understanding.signals import Commitment
from hearten.understanding.text import second_person, sentences

_INTENT = re.compile(
    r"\b(?:i think i'?ll|i think i will|i'?ll|i will|i'?m going to|i am going to|i'?m gonna|"
    r"i plan to|i'?m planning to|i intend to|maybe i can|maybe i could|maybe i'?ll|i can|"
    r"i could|i want to|i'?d like to|i'?m thinking i'?ll|i'?ve decided to|i decided to|"
    r"i promise to|i'?m committing to|i commit to)\s+",
    re.IGNORECASE,
)
# A second step in the same sentence: "..., and maybe I can read in the evening".
_SPLIT = re.compile(
    r",?\s+(?:and|then|plus)\s+(?:maybe\s+|also\s+|then\s+)?(?:i\s+(?:can|could|will|'ll)|i'll|"
    r"i'?m going to|i am going to)\s+",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:(?:start by|start|begin by|try to|trying to|try and|actually|also|really|just|"
    r"definitely|finally|at least|first|make sure to|make an effort to|make time to|"
    r"make myself|set a goal to|aim to)\s+)+",
    re.IGNORECASE,
)
# Verbs that do not start a step one can take ("I can imagine", "I'll be fine").
_NOT_ACTIONS = {
    "be", "see", "imagine", "understand", "feel", "guess", "know", "think",
    "hear", "never", "always", "get", "handle", "manage", "cope", "do", "try", "keep",
    "relate", "totally", "not", "only", "still", "barely", "hardly", "probably", "help",
    "live", "survive", "deal", "stop", "lose", "fail", "remember", "forget", "ask",
    "talk", "give", "bet", "admit", "agree", "picture", "wait",
}  # fmt: skip
# ...unless an object follows that makes it concrete ("talk to my sister", "ask my GP").
_CONCRETE_AFTER = re.compile(
    r"^(?:talk to|talk with|ask|give \w+ (?:a call|a ring)|get (?:up|out|outside|to bed|"
    r"some (?:fresh air|sleep|exercise))|do (?:some|a|one|yoga|something)|try (?:a|some|"
    r"going|writing|reading|walking|calling|cooking|to)|keep (?:a|my phone|the phone)|"
    r"stop (?:checking|scrolling|looking|working)|help (?:out|at))\b",
    re.IGNORECASE,
)
_ANAPHORIC = re.compile(
    r"^\w+\s+(?:it|that|this|those|these|them|things|something|anything|everything)\b"
    r"(?!\s+(?:i|you)\s+enjoy)",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"\b(?:on (?:my|your|the) (?:lunch ?break|way home|commute|days off|weekends?)|"
    r"(?:at|during|over) (?:lunch(?:time)?|night|the weekend|weekends|work)|"
    r"in the (?:morning|evening|afternoon|evenings|mornings)|"
    r"(?:every|each|on|this|next) (?:morning|evening|night|afternoon|weekday|weekend|day|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?(?: (?:morning|evening|night|"
    r"afternoon))?|"
    r"(?:after|before) (?:work|class|classes|school|dinner|breakfast|lunch|bed|the kids' bedtime)|"
    r"tonight|tomorrow(?: (?:morning|evening|night))?|this week(?:end)?)\b",
    re.IGNORECASE,
)
_HOW_OFTEN = re.compile(
    r"\b(?:a (?:few|couple of) times (?:a|this|per|each) (?:week|day)|"
    r"(?:once|twice|(?:\d+|two|three|four|five) times) (?:a|this|per|each) (?:week|day|month)|"
    r"every (?:day|other day|morning|evening|night|weekday)|"
    r"each (?:day|weekday|morning|evening|night)|"
    r"daily|nightly|weekly|once a week|most days)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(?:(?:\d+|ten|fifteen|twenty|thirty|forty-five|five)(?:\s*-\s*\d+)?\s*(?:minutes?|mins?|hours?)|"
    r"an hour|half an hour|a few minutes)\b",
    re.IGNORECASE,
)


def read_commitments(text: str) -> list[Commitment]:
    """Find steps like "I think I'll take a short walk on my lunch break a few times
    this week" and return them as goals in second person."""
    found: list[Commitment] = []
    for after in _after_intents(text):
        for part in _SPLIT.split(after.rstrip(" .!?")):
            step = _step(part)
            if step is not None:
                found.append(step)
    return found


_GOING = {"go", "leave", "disappear", "vanish", "sleep", "end", "wait"}


def says_intent(text: str) -> bool:
    """Whether the message says what the person will do, a goal for the week or not
    ("I'm going to make tea and wait for news")."""
    for after in _after_intents(text):
        words = _PREFIX.sub("", after.strip(" .!?")).split()
        # "I'll be fine", "I'll try", "I'll go", "i could just disappear": no step, and
        # after a crisis still quiet words the protocol answers
        if (
            len(words) >= 2
            and words[0].lower().strip(",") not in _NOT_ACTIONS | _GOING
            and not _LOOKING_BACK.match(" ".join(words))
        ):
            return True
    return False


def _after_intents(text: str) -> Iterator[str]:
    """What follows each "I'll", "I'm going to"... that opens its clause, one a sentence."""
    for sentence in sentences(text):
        match = _INTENT.search(sentence)
        if match is not None and _starts_step(sentence[: match.start()]):
            yield sentence[match.end() :]


def _starts_step(before: str) -> bool:
    """The intent must open its clause: "there are steps I can take" is no commitment,
    and neither is "if I could sleep" or "I doubt I'll"."""
    if re.search(r"\b(?:if|don't think|do not think|doubt|wish|not sure)\b", before, re.I):
        return False
    return bool(_CLAUSE_OPENING.search(before))


_CLAUSE_OPENING = re.compile(
    r"(?:^|[,;:—-]|\b(?:and|so|then|okay|ok|well|yes|yeah|maybe|guess|suppose|reckon|think|"
    r"but|now|today|"
    r"tonight|tomorrow|week|alright|right|sure|first|also|honestly))\s*$",
    re.IGNORECASE,
)


_TRAILING = re.compile(
    r",\s+(?:that|which|as|since|because|so|it|this|who|when i|when you|but)\b.*$", re.IGNORECASE
)

# What the person will do in the next few minutes, not a step for the week to check in on
# next time: "I'm going to make tea and wait for news", "I'll go to bed now".
_FOR_NOW = re.compile(
    r"\bwait(?:ing)? (?:for|on) (?:news|an update|updates|a call|the (?:call|news|ambulance|"
    r"paramedics|surgeon))\b|"
    r"\b(?:wait(?:ing)? (?:for|on) the (?:results|doctors?)|(?:right |for |just )?now|"
    r"for a bit)\s*$",
    re.IGNORECASE,
)


# "I could have visited more" looks back with regret; "I'll have a bath" is a step.
_LOOKING_BACK = re.compile(
    r"^(?:have|'ve)\s+(?:been|done|gone|told|said|seen|known|made|taken|left|kept|got|gotten|"
    r"stopped|tried|called|visited|stayed|noticed|helped|saved|asked|\w+ed)\b",
    re.IGNORECASE,
)


# "try going for a walk" is the step "go for a walk": the goal is said back as "when you
# tried to ...", and "tried to try going" reads badly. "thing", "bring", "sing", "ring",
# "morning" and their like end in -ing without being one.
_TRY_GERUND = re.compile(
    r"^try\s+(?!(?:some|no|any|every)?thing\b|(?:b|s|sw|spr|st|r|k|w)ing\b|morning\b|evening\b)"
    r"(\w+?)ing\b",
    re.IGNORECASE,
)
# Stems that take back a silent e ("writ" -> "write"); a doubled last consonant is undone
# ("runn" -> "run") unless it is one English keeps ("call", "press", "buzz"); a doubled
# vowel stays ("see", "agree").
_SILENT_E = {
    "writ", "mak", "tak", "giv", "leav", "driv", "rid", "cycl", "danc", "bak", "us", "shar",
    "smil", "clos", "mov", "hik", "breath", "com", "serv", "prepar", "bath", "skat", "paus",
    "practis", "practic", "phon", "not", "meditat", "creat", "sav", "tim", "receiv", "hav",
    "lov", "cuddl", "explor", "cod",
}  # fmt: skip


def _base_form(match: re.Match[str]) -> str:
    stem = match.group(1)
    low = stem.lower()
    if low in _SILENT_E:
        return stem + "e"
    if len(low) > 2 and low[-1] == low[-2] and low[-1] not in "lszaeiou":
        return stem[:-1]
    return stem


def _step(part: str) -> Commitment | None:
    part = _TRAILING.sub("", part)  # "..., that was always when I used to call him"
    part = _PREFIX.sub("", part.strip(" ,.;")).strip()
    part = _TRY_GERUND.sub(_base_form, part)
    words = part.split()
    if len(words) < 2 or len(words) > 30:
        return None
    verb = words[0].lower().strip(",")
    if verb in _NOT_ACTIONS and not _CONCRETE_AFTER.match(part):
        return None
    if _ANAPHORIC.match(part) and not _CONCRETE_AFTER.match(part):
        return None
    if _FOR_NOW.search(part) or _LOOKING_BACK.match(part):
        return None
    text = second_person(part)
    when = _WHEN.search(text)
    how_often = _HOW_OFTEN.search(text)
    duration = _DURATION.search(text)
    cut = min((m.start() for m in (when, how_often) if m is not None), default=len(text))
    what = text[:cut].strip(" ,") or text
    return Commitment(
        text=text,
        what=what,
        when=when.group(0) if when else None,
        how_often=how_often.group(0) if how_often else None,
        duration=duration.group(0) if duration else None,
    )
