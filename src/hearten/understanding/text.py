"""Small text helpers shared by the understanding rules."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})
CUE_RE = re.compile(r"\*([^*\n]{1,80})\*")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
# Words that point back to someone already spoken of ("she said I never listen").
REFERS_BACK = re.compile(r"\b(?:he|him|his|she|her|hers|they|them|their)\b", re.I)


def normalise(text: str) -> str:
    """NFKC, straight apostrophes and quotes, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def without_cues(text: str) -> str:
    return re.sub(r"\s+", " ", CUE_RE.sub(" ", text)).strip()


def sentence_text(text: str) -> str:
    """What a sentence encoder reads of a message: its words, without the cues. The
    understanding and safety rooms both encode exactly this, so that one turn needs
    one encoding (see CachingEncoder)."""
    return without_cues(normalise(text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text) if s.strip()]


# First person to second person, for echoing the person's words back to them.
_SWAP = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "am": "are",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
}
_WORD_RE = re.compile(r"[A-Za-z']+|[^A-Za-z']+")


def second_person(text: str) -> str:
    """Turn "my boss keeps pushing me" into "your boss keeps pushing you"."""
    out: list[str] = []
    tokens = _WORD_RE.findall(text)
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if low == "was" and _prev_word(tokens, i) in {"i", "you"}:
            out.append("were")
            continue
        swapped = _SWAP.get(low)
        if swapped is None or (low == "am" and _prev_word(tokens, i) not in {"i", "you"}):
            out.append(tok)
        else:
            out.append(swapped)
    return "".join(out)


def _prev_word(tokens: list[str], i: int) -> str:
    for tok in reversed(tokens[:i]):
        if tok.strip() and re.match(r"[A-Za-z']", tok):
            return tok.lower()
    return ""
