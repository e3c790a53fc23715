"""Loads and checks the authored reply library (library/*.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

from hearten.vocabulary import CONCERNS, EMOTIONS, STAGES, STRATEGIES
from hearten.yamlfile import load_yaml

SLOTS = frozenset({"feeling", "topic", "clause", "goal", "goals", "name"})
CUES = frozenset({"sigh", "tears", "smile", "nod", "pause", "shrug", "quiet"})
# What a phrasing takes for granted: goals set this session, ideas already offered, or
# that the person has already told something (so not the first reply).
REQUIRES = frozenset({"goals", "ideas", "story"})
_SLOT_RE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Phrase:
    id: str
    strategy: str
    move: str
    text: str
    slots: frozenset[str]
    concern: frozenset[str] = frozenset()
    not_concern: frozenset[str] = frozenset()  # never when the reply is about these
    emotion: frozenset[str] = frozenset()
    stage: frozenset[str] = frozenset()
    cue: frozenset[str] = frozenset()
    idea: str | None = None
    requires: frozenset[str] = frozenset()


# What an entry may say: Phrase's fields, but for those the file and its place give.
_KEYS = frozenset(f.name for f in fields(Phrase)) - {"strategy", "move", "slots"}


class LibraryError(ValueError):
    """The library files do not follow docs/composer-library.md."""


@dataclass(frozen=True)
class Library:
    phrases: tuple[Phrase, ...]

    def for_move(self, strategy: str, move: str) -> list[Phrase]:
        return self._index().get((strategy, move), [])

    @cache  # noqa: B019 - the library lives for the whole process
    def _index(self) -> dict[tuple[str, str], list[Phrase]]:
        index: dict[tuple[str, str], list[Phrase]] = {}
        for phrase in self.phrases:
            index.setdefault((phrase.strategy, phrase.move), []).append(phrase)
        return index


@cache
def load_library() -> Library:
    folder = resources.files("hearten.voices.composer").joinpath("library")
    phrases: list[Phrase] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            phrases.extend(parse_file(entry.name, entry.read_text("utf-8")))
    _check_unique(phrases)
    return Library(tuple(phrases))


def parse_file(name: str, text: str) -> list[Phrase]:
    raw = load_yaml(text)
    strategy = raw.get("strategy")
    if strategy not in STRATEGIES:
        raise LibraryError(f"{name}: unknown strategy {strategy!r}")
    phrases = []
    for move, entries in (raw.get("moves") or {}).items():
        for item in entries:
            phrases.append(_phrase(name, strategy, move, item))
    return phrases


def _phrase(name: str, strategy: str, move: str, item: dict[str, object]) -> Phrase:
    pid = str(item.get("id", ""))
    text = str(item.get("text", "")).strip()
    where = f"{name}: {pid or '(no id)'}"
    if not pid or not text:
        raise LibraryError(f"{where}: every entry needs an id and a text")
    unknown_keys = set(item) - _KEYS
    if unknown_keys:
        raise LibraryError(f"{where}: unknown key(s) {sorted(unknown_keys)}")
    slots = frozenset(_SLOT_RE.findall(text))
    if not slots <= SLOTS:
        raise LibraryError(f"{where}: unknown slot(s) {sorted(slots - SLOTS)}")
    if text[-1] not in ".?!":
        raise LibraryError(f"{where}: a phrasing ends with . ? or !")

    def ids(key: str, allowed: frozenset[str] | tuple[str, ...]) -> frozenset[str]:
        value = item.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise LibraryError(f"{where}: {key} is a list of ids")
        values = frozenset(str(v) for v in value)
        unknown = values - set(allowed)
        if unknown:
            raise LibraryError(f"{where}: unknown {key} {sorted(unknown)}")
        return values

    idea = item.get("idea")
    return Phrase(
        id=pid,
        strategy=strategy,
        move=move,
        text=text,
        slots=slots,
        concern=ids("concern", CONCERNS),
        not_concern=ids("not_concern", CONCERNS),
        emotion=ids("emotion", tuple(EMOTIONS)),
        stage=ids("stage", STAGES),
        cue=ids("cue", CUES),
        idea=str(idea) if idea else None,
        requires=ids("requires", REQUIRES),
    )


def _check_unique(phrases: list[Phrase]) -> None:
    seen: set[str] = set()
    for phrase in phrases:
        if phrase.id in seen:
            raise LibraryError(f"phrase id {phrase.id} is used twice")
        seen.add(phrase.id)
