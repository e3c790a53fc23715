"""The dialogue policy: from Signals and SessionState to a Plan.

Listening comes before advice: the first reply only acknowledges and asks; ideas come
once a concern has been named in answer to a question, at most two at a time, fitted
to the concern and never one the person has already tried. When the person is ready,
hearten helps them choose one or two small goals, affirms them, and invites them back.
"""

from __future__ import annotations

import re

from hearten.dialogue.ideas import rank_ideas, tried_ideas
from hearten.dialogue.plan import Move, Plan
from hearten.dialogue.state import SessionState
from hearten.understanding.signals import Concern, Signals
from hearten.understanding.text import REFERS_BACK
from hearten.vocabulary import Stage

MAX_STRATEGIES = 3
MAX_IDEAS_PER_SESSION = 6
# Which concern a reply speaks to when several are named: the more personal first.
_PRIORITY = (
    "grief", "breakup", "caregiving", "illness", "job_loss", "loneliness", "health", "parenting",
    "money", "school", "boss", "partner", "family", "friends", "coworkers", "moving", "sleep",
    "work", "productivity_guilt", "home",
)  # fmt: skip


# Words that turn to a new trouble ("on top of that, money is tight", "now I'm
# stressed about exams") or lay the old one down ("I've made my peace with it"): the
# reply follows.
_TURNING = re.compile(
    r"^\W*(?:now|also|anyway|besides|plus|but)\b|"
    r"\b(another thing|something else|on top of (?:that|all (?:that|this)|it all)|as well as "
    r"(?:that|this|all that)|and then there'?s|apart from (?:that|this)|a different thing|"
    r"besides (?:that|this)|unrelated|changing the subject|the other thing|"
    r"(?:my|the) (?:real|main|bigger|biggest) (?:problem|worry|issue|thing)|"
    r"what'?s (?:really )?(?:getting to|bothering|eating|worrying) me|"
    r"made (?:my )?peace|(?:i'?m|i am|i've been) (?:mostly |actually )?(?:okay|ok|fine|coping) "
    r"with (?:it|that)|in remission|(?:all|the) clear|(?:much|a lot|so much) better now)\b",
    re.I,
)
# A concern not named for this many messages no longer holds the reply.
_FOCUS_TURNS = 2


def _rank(concern: Concern) -> int:
    return _PRIORITY.index(concern.id) if concern.id in _PRIORITY else 99


# Named as the trouble now beats merely named, which beats laid down.
_STANCES = ("pressing", "named", "settled")


def _order(concern: Concern) -> tuple[int, int]:
    return _STANCES.index(concern.stance), _rank(concern)


def _focus(state: SessionState) -> Concern | None:
    """The concern the last reply spoke to."""
    return state.concerns.get(state.focus) if state.focus else None


def _kept_focus(now: list[Concern], state: SessionState, text: str) -> Concern | None:
    """The more personal concern the last reply spoke to, if the person is still on it:
    someone telling how their dad's chemo keeps them late at work is still talking
    about their dad, not asking about work."""
    focus = _focus(state)
    if focus is None or focus.stance == "settled" or not now or _TURNING.search(text):
        return None
    # Still speaking of the one they told about ("I drive him to every appointment"); a
    # message about the manager alone is about the manager.
    if not REFERS_BACK.search(text):
        return None
    if state.turn - state.named_at.get(focus.id, 0) > _FOCUS_TURNS:
        return None
    if _rank(focus) >= min(_rank(c) for c in now) or any(c.stance == "pressing" for c in now):
        return None
    return focus


def primary_concern(now: list[Concern], state: SessionState, text: str = "") -> Concern | None:
    """The concern a reply speaks to: the most personal one named now (or, when none
    is, in the session), unless a kept focus outranks it."""
    focus = _kept_focus(now, state, text)
    if focus is not None:
        # Their newest words, if any, to reflect; the older ones were said back already.
        clause = next((c.clause for c in now if c.clause), None)
        return focus.model_copy(update={"clause": clause}) if clause else focus
    if now:
        return min(now, key=_order)
    # What was pressing turns ago does not outrank what has been told since; what was
    # laid down stays last.
    pool = list(state.concerns.values())
    return min(pool, key=lambda c: (c.stance == "settled", _rank(c))) if pool else None


class Policy:
    def decide(self, signals: Signals, state: SessionState, seed: int = 0) -> Plan:
        """Choose the stage and up to three strategies for the next reply."""
        state.tried_ideas |= tried_ideas(signals.text)
        # A known concern found again only by likeness is spoken of in the words it
        # was named in ("your girlfriend", not "this"); those words were said back then.
        now = [
            state.concerns.get(c.id, c).model_copy(update={"clause": None})
            if c.source == "embedding"
            else c
            for c in signals.concerns
        ]
        new_now = [c for c in now if c.id in state.fresh_concerns]
        primary = primary_concern(now, state, signals.text)
        state.focus = primary.id if primary is not None else None
        stage, moves = self._moves(signals, state, now, new_now)
        moves = _cap_strategies(moves)
        concerns = list(state.concerns.values())
        if primary is not None:
            concerns = [primary, *[c for c in concerns if c.id != primary.id]]
        return Plan(
            stage=stage,
            moves=moves,
            primary=primary,
            concerns=concerns,
            feeling=signals.feeling or state.feeling,
            emotions=[e.name for e in signals.emotions],
            cues=[c.kind for c in signals.cues],
            goals=list(state.goals),
            new_goals=list(signals.commitments),
            ideas_offered=list(state.offered_ideas),
            checkin_goal=state.checkin_goal.text if state.checkin_goal else None,
            name=state.name,
            mood=state.current_mood,
            avoid_phrases=set(state.used_phrases),
            avoid_sentences=set(state.used_sentences),
            seed=seed,
        )

    def _moves(
        self, s: Signals, state: SessionState, now: list[Concern], new_now: list[Concern]
    ) -> tuple[Stage, list[Move]]:
        cue = [Move(strategy="reflection_of_feelings", move="cue")] if s.cues else []

        # The answer to "how did the walk go?" from the start of this session.
        if state.checkin_goal is not None and state.turn == 1 and s.checkin is not None:
            verdict = "affirm_progress" if s.checkin in {"done", "partly"} else "affirm_effort"
            ask = "explore" if now else "open"
            return "opening", [
                Move(strategy="affirmation_and_reassurance", move=verdict),
                Move(strategy="question", move=ask),
            ]

        # "hi": greet back and ask, rather than sympathise with a trouble not yet told.
        if s.greeting_only and not s.cues:
            moves = [
                Move(strategy="others", move="hello_back"),
                Move(strategy="others", move="presence"),
            ]
            return ("opening" if state.turn <= 1 else "exploration"), moves

        if s.commitments:
            moves = [
                Move(strategy="restatement", move="restate_goal"),
                Move(strategy="affirmation_and_reassurance", move="affirm_goal"),
                Move(strategy="others", move="invite_back"),
            ]
            return "action", moves

        closing = s.farewell or (
            s.gratitude and (bool(state.goals) or (not new_now and bool(state.offered_ideas)))
        )
        if closing:
            moves = []
            if s.gratitude:
                moves.append(Move(strategy="others", move="thanks_reply"))
            hope = "affirm_goal" if state.goals else "closing_hope"
            moves += [
                Move(strategy="affirmation_and_reassurance", move=hope),
                Move(strategy="others", move="invite_back"),
            ]
            if s.farewell:
                moves.append(Move(strategy="others", move="farewell"))
            return "closing", moves

        if not state.concerns:
            moves = [*cue, Move(strategy="reflection_of_feelings", move="sympathy")]
            if state.turn == 1:
                moves.append(Move(strategy="affirmation_and_reassurance", move="normalise"))
                moves.append(Move(strategy="question", move="open"))
            else:
                moves.append(Move(strategy="question", move="feelings"))
                moves.append(Move(strategy="others", move="presence"))
            return ("opening" if state.turn == 1 else "exploration"), moves

        ideas = self._ideas(state, now, count=2 if new_now else 1)
        # The first two everyday replies after a crisis reply to a grave risk listen
        # rather than advise: benefits or a morning walk would jar so soon after "if
        # you don't hear from me after this weekend" or "my friend wants to die".
        if state.answered.is_grave and state.since_crisis < 2:
            ideas = []
        listened = state.questions_asked > 0 and state.turn >= 2

        # Self-blame, loneliness, tears: comfort first, one idea at most.
        hurting = (
            s.self_blame
            or any(c.id == "loneliness" for c in new_now)
            or (any(c.kind == "tears" for c in s.cues) and not s.gratitude)
        )
        if hurting:
            reflect = (
                Move(strategy="restatement", move="restate")
                if new_now and any(c.clause for c in now)
                else Move(strategy="reflection_of_feelings", move="reflect")
            )
            # Something new and painful named: answer the cue and reflect it both.
            moves = [*cue, reflect] if (new_now or not cue) else [*cue]
            if s.self_blame:
                moves.append(Move(strategy="affirmation_and_reassurance", move="reassure"))
                if s.readiness and len(state.offered_ideas) >= 4:
                    moves.append(Move(strategy="affirmation_and_reassurance", move="courage"))
            else:
                moves.append(Move(strategy="affirmation_and_reassurance", move="not_alone"))
            # Ideas only once listened to; none while tears meet a fresh loss, and few
            # while the person is blaming themselves.
            room = 1 if s.self_blame else 2
            if s.self_blame and len(state.offered_ideas) >= 4:
                room = 0
            crying_over_new = bool(new_now) and any(c.kind == "tears" for c in s.cues)
            if listened and ideas and room and not crying_over_new:
                for _i, idea in enumerate(ideas[:room]):
                    moves.insert(
                        len(moves) - 1,
                        Move(strategy="providing_suggestions", move="idea", idea=idea),
                    )
            elif not listened or crying_over_new:
                moves.append(Move(strategy="question", move="explore"))
            return "comforting", moves

        # Ready to change something, ideas already on the table: help choose a goal.
        if s.readiness and state.offered_ideas and not state.goal_prompted:
            return "action", [
                Move(strategy="affirmation_and_reassurance", move="courage"),
                Move(strategy="question", move="goal"),
                Move(strategy="providing_suggestions", move="goal_examples"),
            ]

        restate = any(c.clause for c in now) and not state.offered_ideas
        reflect = (
            Move(strategy="restatement", move="restate")
            if restate
            else Move(strategy="reflection_of_feelings", move="reflect")
        )
        # A cue is answered in place of the reflection, unless restating their words
        # matters more (tears are always answered).
        if cue and (not restate or s.cues[0].kind == "tears"):
            opening = [*cue] if not restate else [*cue, reflect]
        else:
            opening = [reflect]
        if not listened or not ideas:
            ask = "explore" if state.questions_asked < 3 else "feelings"
            return "exploration", [
                *opening,
                Move(strategy="affirmation_and_reassurance", move="normalise"),
                Move(strategy="question", move=ask),
            ]
        moves = [*opening, Move(strategy="affirmation_and_reassurance", move="normalise")]
        moves += [Move(strategy="providing_suggestions", move="idea", idea=i) for i in ideas]
        return ("exploration" if new_now else "comforting"), moves

    def _ideas(self, state: SessionState, now: list[Concern], count: int) -> list[str]:
        room = MAX_IDEAS_PER_SESSION - len(state.offered_ideas)
        if room <= 0:
            return []
        # No ideas for a trouble they have laid down ("I've made my peace with it").
        named = [c.id for c in now if c.stance != "settled"]
        focus = _focus(state)
        if named and focus is not None and focus.id not in named and focus.stance != "settled":
            named.insert(0, focus.id)  # kept over what they named: still their topic
        before = [k for k, c in state.concerns.items() if k not in named and c.stance != "settled"]
        exclude = set(state.offered_ideas) | state.tried_ideas
        return rank_ideas(named, before, exclude)[: min(count, room)]


def _cap_strategies(moves: list[Move]) -> list[Move]:
    """Keep moves of at most three strategies, in order of first appearance."""
    kept: list[Move] = []
    allowed: list[str] = []
    for move in moves:
        if move.strategy not in allowed:
            if len(allowed) == MAX_STRATEGIES:
                continue
            allowed.append(move.strategy)
        kept.append(move)
    return kept
