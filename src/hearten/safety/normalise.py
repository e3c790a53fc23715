"""Text normalisation for screening: what a person typed, made comparable.

Risk must be seen through the ways people write it: capitals, curly apostrophes,
zero-width characters, Cyrillic look-alikes, leetspeak ("k1ll mys3lf"), spaced letters
("k i l l") and common misspellings ("suicidle").
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
        "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"',
    }
)  # fmt: skip
# Text-speak whose digits are words, undone before leetspeak would read them as letters
# ("4ever" is "forever", not "aever"; "want 2 die").
_TEXTSPEAK = [
    (re.compile(p), r)
    for p, r in {
        r"\b4ever\b": "forever",
        r"\b2day\b": "today",
        r"\b2mor+ow\b|\b2moro\b": "tomorrow",
        r"\b2night\b": "tonight",
        r"\bb4\b": "before",
        r"\b(want|wanna|go|going|need|have|got|ready|about|trying|try|used|wish|like)"
        r" 2 (?=[a-z])": r"\1 to ",
    }.items()
]
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_LEET_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[0-9@$])[\w@$]+\b")
_SPACED = re.compile(r"(?<![a-z])(?:[a-z](?: {1,2}|[.\-_*]))+[a-z](?![a-z])")
_INNER_MASK = re.compile(r"(?<=[a-z])[*!|1](?=[a-z])")
_MISSPELLINGS = {
    r"\bsuicid(?!ar|io|aire)\w*": "suicide",
    r"\bsucide\w*": "suicide",
    r"\bsuiside\w*": "suicide",
    r"\bsewer ?slide\b": "suicide",
    r"\bkermit\b": "kill myself",
    r"\bkms\b": "kill myself",
    r"\bkys\b": "kill yourself",
    r"\bunalive\b": "kill",
    r"\bunaliving\b": "killing",
    r"\bwanna\b": "want to",
    r"\bgonna\b": "going to",
    r"\bgotta\b": "got to",
    # "im" is English "I'm" before an English word, but German "im" ("im Urin").
    r"\bim\b(?= (?:so|going|not|just|fine|done|tired|sorry|scared|ok|okay|really|feeling|"
    r"thinking|alone|sad|trying|about|still|never|always|gonna|literally|actually|at|in|on)"
    r"\b)": "i'm",
    r"\bcant\b": "can't",
    r"\bdont\b": "don't",
    r"\bwont\b": "won't",
    r"\bive\b": "i've",
    r"\bmyslef\b": "myself",
    r"\bmyelf\b": "myself",
    r"\bmy self\b": "myself",
    r"\b2nite\b": "tonight",
    r"\btonite\b": "tonight",
    r"\bsu?i{1,2}ci?de\b": "suicide",
    r"\brn\b": "right now",
    r"\bppl\b": "people",
    r"\bsmth\b": "something",
    r"\bagn\b": "again",
    r"\bknfie\b": "knife",
    r"\bwindw\b": "window",
    r"\boutsidee\b": "outside",
    r"\bhes\b": "he's",
    r"\bshes\b": "she's",
    r"\bur\b": "your",
    r"\br\b": "are",
    r"\bn\b(?!')": "and",  # "me n my mum", not French "n'arrive"
    r"\bw\b": "with",
    r"\bliv\b": "live",
    r"\bs/h\b": "self harm",
    r"\bsh\b(?= again| tonight| myself| urges?)": "self harm",
    r"\bc\*t\b": "cut",
    r"\bcit\b": "cut",
    r"\bnite\b": "night",
    r"\brdy\b": "ready",
    r"\bbout\b": "about",
    r"\bagian\b": "again",
    # A dropped g ("thinkin about it", "doin it"), for the verbs people drop it from: a
    # general -in rule also turned "again it's", "aspirin all" and German "allein" into
    # -ing, where the rules could no longer read them.
    r"\b(think|talk|do|go|feel|cut|end|kill|hurt|try|plan|plann|say|tak|gett|hav|want|look"
    r"|start|writ|giv|leav|jump|hang|drink|burn|cry|los|fight|dy|liv|sleep|eat|walk|driv"
    r"|swallow|overdos|harm|mess|freak|com|us|mak|runn|sitt|stay|wait|ly|smok|scream|shak"
    r"|bleed|wish|hop|put|tell|beg|hid|lett|stopp|block|cutt|noth|someth|anyth|everyth"
    r"|punch|stabb|shoot|strangl|chok|kick|hitt|slapp|push|threaten|stalk|follow)in\b"
    r"(?= (?:bout|about|it|all|myself|my))": r"\1ing",
    r"\bkil\b": "kill",
    r"\bkilll+\b": "kill",
    r"\bdie+\b": "die",
    r"\bover ?dose\b": "overdose",
    r"\bod\b": "overdose",
}
_MISSPELLING_RES = [(re.compile(p), r) for p, r in _MISSPELLINGS.items()]


def _join_spaced(match: re.Match[str]) -> str:
    """ "i w a n t  t o  d i e" -> "i want to die": single letters joined, a double
    space kept as a word break. Only runs of four or more letters count, so that
    "i am a" stays as it is."""
    chunk = match.group(0)
    letters = re.findall(r"[a-z]", chunk)
    if len(letters) < 4:
        return chunk
    words = [re.sub(r"[ .\-_*]", "", w) for w in re.split(r"  +", chunk)]
    if words[0].startswith("i") and len(words[0]) > 1 and chunk[1:2] == " ":
        words[0] = "i " + words[0][1:]  # "I w a n t" is "I want"
    return " ".join(words)


def normalise(text: str) -> str:
    text = _ZERO_WIDTH.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES).casefold()
    for pattern, replacement in _TEXTSPEAK:
        text = pattern.sub(replacement, text)
    text = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
    text = _INNER_MASK.sub("i", text)  # "k*ll", "k!ll"
    text = _SPACED.sub(_join_spaced, text)
    for pattern, replacement in _MISSPELLING_RES:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()
