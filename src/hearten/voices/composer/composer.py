"""The composer voice: picks an authored phrasing for each move of the Plan."""

from __future__ import annotations

import random
import re

from hearten.dialogue.plan import Move, Plan
from hearten.voices.base import Utterance
from hearten.voices.composer.library import Library, Phrase, load_library

MAX_SENTENCES = 6
_SAY_ONCE = frozenset({"clause", "goal", "goals", "topic"})
_ECHO_MOVES = frozenset({"reflect", "restate", "explore", "sympathy"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_key(sentence: str) -> str:
    """How two sentences are compared for repetition: letters only, lower case."""
    return re.sub(r"[^a-z]+", " ", sentence.lower()).strip()


def opening_key(sentence: str) -> str:
    """Two sentences that start with the same five words read as a repetition."""
    return "^" + " ".join(sentence_key(sentence).split()[:5])


class Composer:
    """Default voice. Pure: the same Plan and seed give the same words."""

    name = "composer"

    def __init__(self, library: Library | None = None) -> None:
        self.library = library or load_library()

    def speak(self, plan: Plan) -> Utterance:
        rng = random.Random(f"{plan.seed}:{len(plan.avoid_phrases)}")
        slots = _slot_values(plan)
        used_ids: list[str] = []
        said: list[str] = []
        avoid = set(plan.avoid_sentences)
        spent: set[str] = set()  # long slots said once per reply, not in every sentence
        for move in plan.moves:
            if len(said) >= MAX_SENTENCES:
                break
            usable = {k: v for k, v in slots.items() if k not in spent}
            picked = self._pick(
                move, plan, usable, rng, set(plan.avoid_phrases) | set(used_ids), avoid
            )
            if picked is None:
                continue
            phrase, text = picked
            spent |= phrase.slots & _SAY_ONCE
            used_ids.append(phrase.id)
            said.append(text)
            for part in _SENTENCE_END.split(text):
                avoid.update((sentence_key(part), opening_key(part)))
        if len(said) < 2:  # a reply is never a single bare line
            extra = self._pick(
                Move(strategy="others", move="presence"), plan, slots, rng,
                set(plan.avoid_phrases) | set(used_ids), avoid,
            )  # fmt: skip
            if extra is not None:
                used_ids.append(extra[0].id)
                said.append(extra[1])
        if not said:
            # Every fitting phrasing was said already in a very long session: repeating
            # one is better than silence.
            for move in plan.moves:
                again = self._pick(move, plan, slots, rng, set(), set())
                if again is not None:
                    used_ids.append(again[0].id)
                    said.append(again[1])
                if len(said) >= 2:
                    break
        return Utterance(text=" ".join(said), voice=self.name, phrase_ids=used_ids)

    def _pick(
        self,
        move: Move,
        plan: Plan,
        slots: dict[str, str],
        rng: random.Random,
        used: set[str],
        avoid: set[str],
    ) -> tuple[Phrase, str] | None:
        tiers: dict[int, list[Phrase]] = {}
        for phrase in self.library.for_move(move.strategy, move.move):
            if phrase.id in used or not phrase.slots <= slots.keys():
                continue
            score = _fit(phrase, move, plan)
            if score is not None:
                tiers.setdefault(score, []).append(phrase)
        for score in sorted(tiers, reverse=True):
            candidates = sorted(tiers[score], key=lambda p: p.id)
            rng.shuffle(candidates)
            for phrase in candidates:
                text = _render(phrase.text, slots)
                parts = _SENTENCE_END.split(text)
                if not any(sentence_key(s) in avoid or opening_key(s) in avoid for s in parts):
                    return phrase, text
        return None


def _fit(phrase: Phrase, move: Move, plan: Plan) -> int | None:
    """How well a phrasing fits this turn (higher is better), or None if it does not."""
    score = 0
    if phrase.idea is not None and phrase.idea != move.idea:
        return None
    if "goals" in phrase.requires and not (plan.goals or plan.new_goals):
        return None
    if "ideas" in phrase.requires and not plan.ideas_offered:
        return None
    if "story" in phrase.requires and not plan.concerns:
        return None
    if phrase.stage and plan.stage not in phrase.stage:
        return None
    if phrase.cue:
        if not phrase.cue & set(plan.cues[:1]):
            return None
        score += 4
    elif move.move == "cue":
        return None  # a cue reply must answer the cue that was written
    if plan.primary is not None and plan.primary.id in phrase.not_concern:
        return None  # "How long have you been struggling with your loss?"
    if phrase.concern:
        # A concern-specific line speaks only to the concern this reply is about.
        if plan.primary is not None and plan.primary.id in phrase.concern:
            score += 3
        elif move.idea is not None and phrase.concern & {c.id for c in plan.concerns}:
            score += 1
        else:
            return None
    if phrase.emotion:
        if not phrase.emotion & set(plan.emotions):
            return None
        score += 2
    if phrase.slots & {"clause", "topic", "feeling", "goal", "goals"}:
        # The person's own words beat a generic line, above all when reflecting.
        score += 4 if move.move in _ECHO_MOVES else 2
    return score


def _slot_values(plan: Plan) -> dict[str, str]:
    values: dict[str, str] = {}
    if plan.feeling:
        values["feeling"] = plan.feeling
    if plan.primary is not None:
        values["topic"] = plan.primary.topic
        clause = plan.primary.clause or next((c.clause for c in plan.concerns if c.clause), None)
        if clause:
            values["clause"] = clause
    goals = plan.new_goals or plan.goals
    if goals:
        values["goals"] = " and ".join(short_goal(g.text) for g in goals[:2])
    if plan.checkin_goal:
        values["goal"] = short_goal(plan.checkin_goal)
    elif goals:
        values["goal"] = short_goal(goals[0].text)
    if plan.name:
        values["name"] = plan.name
    return values


def short_goal(text: str) -> str:
    """A goal as it is said back: without its reasons and comparisons."""
    return re.split(r",?\s+(?:instead of|rather than|so that|so i|because|since)\b", text)[0]


def _render(template: str, slots: dict[str, str]) -> str:
    text = re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)], template)
    text = re.sub(r"\s+([,.?!])", r"\1", text)
    return text[0].upper() + text[1:]
