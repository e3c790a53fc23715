"""The turn pipeline (DESIGN.md "What a turn is"), and nothing else.

understand -> assess risk -> (crisis protocol | policy -> voice -> guard) -> state -> store.
The person's message is committed to the store before any reply is produced.
"""

from __future__ import annotations

import logging
import random
import re
from typing import Any

from pydantic import BaseModel

from hearten.config import Settings, load_settings
from hearten.dialogue import Move, Plan, Policy, PriorGoal, SessionState
from hearten.safety import CrisisProtocol, RiskAssessment, RiskAssessor, guard
from hearten.safety.normalise import normalise
from hearten.store import Store, TurnResult
from hearten.understanding import Commitment, Understander
from hearten.understanding.encoders import CachingEncoder, Encoder, caching, load_encoder
from hearten.understanding.text import sentence_text
from hearten.vocabulary import Stage, Strategy, risk_rank
from hearten.voices import Composer, Utterance, Voice
from hearten.voices.composer.composer import opening_key, sentence_key
from hearten.voices.registry import load_voice

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8000


class ConcernView(BaseModel):
    id: str
    topic: str
    words: str | None = None


class Reply(BaseModel):
    """A reply and the plan behind it."""

    turn: int
    text: str
    stage: Stage
    strategies: list[Strategy]
    mood: float
    concerns: list[ConcernView]
    goals: list[Commitment]
    risk: RiskAssessment
    voice: str
    crisis: bool = False
    moves: list[str] = []  # "strategy/move" of each sentence role, for evaluation
    ideas: list[str] = []  # coping ideas offered in this reply

    def as_json(self, user: str) -> dict[str, Any]:
        """The fields `hearten replay --json` prints (DESIGN.md)."""
        return {
            "turn": self.turn,
            "user": user,
            "reply": self.text,
            "stage": self.stage,
            "strategies": list(self.strategies),
            "risk": {"level": self.risk.level, "categories": list(self.risk.categories)},
            "mood": round(self.mood, 3),
            "concerns": [c.model_dump() for c in self.concerns],
            "goals": [g.model_dump() for g in self.goals],
        }


class Companion:
    """Holds what every session shares: settings, models, rules, the store."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        voice: Voice | None = None,
        store: Store | None = None,
        encoder: Encoder | bool | None = True,
    ) -> None:
        self.settings = settings or load_settings()
        # One memory for both readers of a turn: understanding and the risk screen
        # encode the same text, and the second finds it encoded.
        self.encoder = caching(
            load_encoder(self.settings.encoder, self.settings.encoder_threads)
            if encoder is True
            else encoder or None
        )
        cache_dir = self.settings.cache_dir
        self.understander = Understander(self.encoder, cache_dir)
        self.assessor = RiskAssessor(
            self.encoder, cache_dir, learned=self.settings.screen == "learned"
        )
        self.policy = Policy()
        self.composer = Composer()
        self.voice: Voice = voice or load_voice(self.settings.voice, self.settings)
        self.protocol = CrisisProtocol(self.settings.locale)
        self._store = store

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.db_url)
        return self._store

    def resume(self, user: str, conversation_id: int, *, seed: int | None = None) -> Session:
        """Carry on a stored conversation of this user where it stopped."""
        session = Session(self, user, persist=True, seed=seed)
        assert session.user_id is not None
        found = self.store.conversation(session.user_id, conversation_id)
        if found is None:
            raise LookupError(f"no conversation {conversation_id} for {user}")
        session.conversation_id = conversation_id
        session.history = list(found["user_messages"])
        session.turns = [
            {"role": role, "text": text} for role, text in self.store.messages(conversation_id)
        ]
        if found["state"]:
            session.state = SessionState.model_validate(found["state"])
            session._opening = ""  # already said, and stored
        return session

    def session(
        self, user: str | None = None, *, persist: bool = True, seed: int | None = None
    ) -> Session:
        return Session(self, user or self.settings.user, persist=persist, seed=seed)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class Session:
    """One conversation with one person."""

    def __init__(self, companion: Companion, user: str, *, persist: bool, seed: int | None) -> None:
        self.companion = companion
        self.user = user
        self.persist = persist
        self.seed = seed if seed is not None else random.randrange(1 << 30)
        self.state = SessionState(name=user)
        self.history: list[str] = []  # the person's messages, for risk in context
        self.answered_from = 0  # where in history the last full crisis reply's message is
        self.turns: list[dict[str, str]] = []  # the conversation, for LLM voices
        self.user_id: int | None = None
        self.conversation_id: int | None = None
        self._opening: str | None = None
        self._last_user_message = 0
        if persist:
            store = companion.store
            self.user_id = store.user_id(user)
            self.state.prior_goals = [
                PriorGoal(id=g.id, text=g.text) for g in store.goals(self.user_id, open_only=True)
            ]
            self.returning = store.has_conversations(self.user_id)
        else:
            self.returning = False

    # the first words

    def opening(self) -> str:
        """What hearten says before the person does: a greeting, or a welcome back
        with a check-in on the newest open goal."""
        if self._opening is not None:
            return self._opening
        if self.state.prior_goals:
            goal = self.state.prior_goals[-1]
            self.state.checkin_goal = goal
            moves = [Move(strategy="others", move="welcome_back"),
                     Move(strategy="question", move="checkin")]  # fmt: skip
        elif self.returning:
            moves = [Move(strategy="others", move="welcome_back"),
                     Move(strategy="question", move="open")]  # fmt: skip
        else:
            moves = [Move(strategy="others", move="greeting")]
        plan = self._plan_for(moves, stage="opening")
        utterance = self.companion.composer.speak(plan)
        self._remember(utterance, plan)
        self._opening = utterance.text
        return utterance.text

    # a turn

    def send(self, text: str) -> Reply:
        text = _checked(text)
        try:
            return self._turn(text)
        finally:
            # The vector was shared by understanding and the screen; keep nothing of it.
            if isinstance(self.companion.encoder, CachingEncoder):
                self.companion.encoder.forget([sentence_text(text)])

    def _turn(self, text: str) -> Reply:
        self._save_user_message(text)  # durable before any reply exists
        c = self.companion
        signals = c.understander.understand(text, known=self.state.concerns.keys())
        risk = c.assessor.assess(text, self.history)
        if set(risk.categories) == {"medical_emergency", "third_party"}:
            # Who is ill is not a trouble with them: "my mum collapsed" is no family
            # worry to advise on once the emergency has been answered.
            signals = signals.model_copy(update={"concerns": []})
        if signals.commitments:
            # A plan to die is never a goal: "I'm going to kill myself tonight" was once
            # kept as one and, turns later, affirmed ("a kind, realistic place to start").
            # Nothing said in a message the screen flags, nor anything it flags on its
            # own, is kept as a goal.
            flagged = c.assessor.screen(text).is_crisis
            kept = [
                g for g in signals.commitments
                if not flagged and not c.assessor.screen(g.text).is_crisis
            ]  # fmt: skip
            if len(kept) != len(signals.commitments):
                signals = signals.model_copy(update={"commitments": kept})
        self.history.append(text)
        self.state.observe(signals)
        self.state.risk = self.state.risk.merged(risk)

        # A risk in this message gets the scripted protocol; right after it, a bare
        # "jk" or "I'm fine", or a message that says nothing new, gets the scripted
        # follow-up (a retraction does not clear the risk).
        quiet = not signals.concerns and not signals.intends and signals.valence <= 0
        # Someone waiting for help after a medical emergency gets its follow-ups: the
        # same emergency told again ("he's still not breathing") the urgent ones, not the
        # first reply again; anything else said in the next three turns ("ok i called",
        # "i'm so scared, my mum is crying", "thank you") the others, not everyday ideas
        # about family or sleep. A graver or another person's risk is answered anew;
        # after three follow-ups, a message that says something moves the conversation
        # on (one that says nothing still gets a follow-up, below). Once they say help
        # has come, the follow-ups written for then are sent too, one a turn, whatever
        # is said ("thank you for staying": how are you doing?), not ideas about family.
        answered = self.state.answered
        emergency = self.state.last_was_crisis and "medical_emergency" in answered.categories
        again = risk.is_crisis and _same_risk(risk, answered)
        helped = emergency and self._help_has_come_since()
        more = helped and c.protocol.after_help_left(answered, self.state.crisis_phrases)
        waiting = emergency and (
            again or (not risk.is_crisis and (self.state.follow_ups < 3 or more))
        )
        # After a crisis reply to a grave risk (suicide, self-harm, harm to others,
        # abuse, or someone else at risk; high or imminent), the next two messages get
        # follow-ups, not everyday ideas: "I don't have anyone to call" is no moment for
        # advice on benefits, nor "she's at home I think" (after "is anyone with them?")
        # for advice on chores. A message a follow-up was written for ("ok, I'll call
        # them", "I don't have anyone to call") gets it after any crisis reply.
        grave = (
            self.state.last_was_crisis and not emergency
            and (
                (answered.is_grave and self.state.follow_ups < 2)
                or bool(c.protocol.keyed_followups(
                    answered.categories[0], normalise(text), self.state.crisis_phrases))
            )
        )  # fmt: skip
        if waiting:
            utterance, plan = self._crisis(risk, followup=True, urgent=again)
        elif risk.is_crisis or (
            self.state.last_was_crisis and (_retraction(signals.text) or quiet or grave)
        ):
            utterance, plan = self._crisis(risk)
        else:
            plan = c.policy.decide(signals, self.state, seed=self.seed)
            plan.history = [*self.turns[-20:], {"role": "user", "text": text}]
            utterance = self._speak(plan)
            if self.state.risk.is_crisis and self.state.since_crisis < 2:
                utterance = self._with_reminder(utterance, answered)
            self.state.last_was_crisis = False
            self.state.since_crisis += 1
        self._remember(utterance, plan)
        self._after_turn(plan, signals.checkin)
        self.turns += [
            {"role": "user", "text": text},
            {"role": "assistant", "text": utterance.text},
        ]
        reply = Reply(
            turn=self.state.turn,
            text=utterance.text,
            stage=plan.stage,
            strategies=plan.strategies,
            mood=self.state.current_mood,
            concerns=[
                ConcernView(id=k.id, topic=k.topic, words=k.clause)
                for k in self.state.concerns.values()
            ],
            goals=list(self.state.goals),
            risk=self.state.risk,
            voice=utterance.voice,
            crisis=plan.risk.is_crisis,
            moves=[f"{m.strategy}/{m.move}" for m in plan.moves],
            ideas=plan.ideas,
        )
        self._save_reply(reply, signals.commitments)
        return reply

    def _speak(self, plan: Plan) -> Utterance:
        """The configured voice, checked by the guard; the composer when the voice
        fails or says something the guard blocks."""
        c = self.companion
        if c.voice.name == "composer":
            return c.composer.speak(plan)
        try:
            spoken = c.voice.speak(plan)
        except Exception as exc:  # any backend failure: the composer answers instead
            log.warning(
                "voice %s failed (%s); the composer answers", c.voice.name, type(exc).__name__
            )
            return c.composer.speak(plan)
        verdict = guard.check(spoken.text)
        if not verdict.ok:
            log.warning(
                "guard blocked a reply from %s: %s", c.voice.name, ",".join(verdict.reasons)
            )
            return c.composer.speak(plan)
        return spoken

    def _with_reminder(self, utterance: Utterance, answered: RiskAssessment) -> Utterance:
        text, reminder_id = self.companion.protocol.reminder(
            answered if answered.is_crisis else self.state.risk, self.state.used_phrases, self.seed
        )
        return Utterance(
            text=f"{utterance.text} {text}",
            voice=utterance.voice,
            phrase_ids=[*utterance.phrase_ids, reminder_id],
        )

    def _crisis(
        self, risk: RiskAssessment, followup: bool = False, urgent: bool = False
    ) -> tuple[Utterance, Plan]:
        s = self.state
        followup = followup or not risk.is_crisis
        # A follow-up answers the risk the last crisis reply met, not the first raised.
        met = (s.answered if s.answered.is_crisis else s.risk) if followup else risk
        since = self._said_since_answered() if followup else []
        called = any(_CALLED.search(h) for h in since)
        helped = any(_help_has_come(h) for h in since)
        # A follow-up already sent in this session is not sent again while another is
        # left, even after a new crisis reply ("how are things with them now?" twice in
        # four turns reads as a machine); those written for particular words, or for
        # an emergency's wait and its help arriving, may be, for a new one.
        protocol = self.companion.protocol
        sent = {p for p in s.used_phrases if p.startswith("fu_")} - protocol.repeatable_followups()
        text, reply_id = protocol.respond(
            met, followup=followup, urgent=urgent, called=called, helped=helped,
            used=(s.crisis_phrases | sent) if followup else s.used_phrases, seed=self.seed,
            said=normalise(self.history[-1]) if followup and self.history else "",
        )  # fmt: skip
        if followup:
            s.follow_ups += 1
            s.crisis_phrases.add(reply_id)
        else:
            s.answered, s.follow_ups, s.crisis_phrases = risk, 0, {reply_id}
            self.answered_from = len(self.history) - 1
        held = s.risk if followup else risk
        self.state.last_was_crisis = True
        self.state.focus = None  # after a crisis, the reply follows what they say next
        self.state.since_crisis = 0
        self.state.crisis_turns += 1
        plan = self._plan_for(
            [Move(strategy="reflection_of_feelings", move="crisis"),
             Move(strategy="question", move="crisis"),
             Move(strategy="information", move="crisis")],
            stage="comforting",
        )  # fmt: skip
        plan.risk = held
        return Utterance(text=text, voice="protocol", phrase_ids=[reply_id]), plan

    def _said_since_answered(self) -> list[str]:
        """What they have said since the last full crisis reply's message: not "he's
        been in hospital a lot this year", told before the emergency."""
        return [normalise(h) for h in self.history[self.answered_from :]]

    def _help_has_come_since(self) -> bool:
        return any(_help_has_come(h) for h in self._said_since_answered())

    def _plan_for(self, moves: list[Move], stage: Stage) -> Plan:
        s = self.state
        return Plan(
            stage=stage,
            moves=moves,
            name=s.name,
            checkin_goal=s.checkin_goal.text if s.checkin_goal else None,
            avoid_phrases=set(s.used_phrases),
            avoid_sentences=set(s.used_sentences),
            seed=self.seed,
            mood=s.current_mood,
        )

    def _remember(self, utterance: Utterance, plan: Plan) -> None:
        s = self.state
        s.used_phrases.update(utterance.phrase_ids)
        for sentence in re.split(r"(?<=[.!?])\s+", utterance.text):
            s.used_sentences.update((sentence_key(sentence), opening_key(sentence)))
        s.stage = plan.stage
        s.strategy_history.append(list(plan.strategies))
        s.offered_ideas += [i for i in plan.ideas if i not in s.offered_ideas]
        s.questions_asked += sum(m.strategy == "question" for m in plan.moves)
        s.goal_prompted = s.goal_prompted or any(m.move == "goal" for m in plan.moves)

    def _after_turn(self, plan: Plan, checkin: str | None) -> None:
        s = self.state
        if s.checkin_goal is not None and s.turn == 1:
            if checkin is not None and self.persist:
                self.companion.store.set_goal_status(s.checkin_goal.id, checkin)
            s.checkin_goal = None

    # storage

    def _ensure_conversation(self) -> int | None:
        if not self.persist or self.user_id is None:
            return None
        if self.conversation_id is None:
            store = self.companion.store
            self.conversation_id = store.start_conversation(self.user_id, self.companion.voice.name)
            if self._opening is not None:
                store.add_message(self.conversation_id, "assistant", self._opening)
        return self.conversation_id

    def _save_user_message(self, text: str) -> None:
        conv = self._ensure_conversation()
        if conv is not None:
            self._last_user_message = self.companion.store.add_message(conv, "user", text)

    def _save_reply(self, reply: Reply, commitments: list[Any]) -> None:
        conv = self.conversation_id
        if conv is None or self.user_id is None:
            return
        plan = {k: v for k, v in reply.as_json("").items() if k not in {"reply", "user"}}
        # One commit for the reply and all it changed: a crash leaves either the whole
        # turn or the person's message alone (which was committed first), and a turn
        # waits for two disk flushes rather than four.
        self.companion.store.add_reply(
            TurnResult(
                user_id=self.user_id,
                conversation_id=conv,
                user_message_id=self._last_user_message,
                reply_message_id=0,  # not read: the reply is new
                text=reply.text,
                plan=plan,
                state=self.state.model_dump(mode="json"),
                mood=reply.mood,
                goals=[_goal_fields(g) for g in commitments],
            )
        )


def _goal_fields(goal: Commitment) -> dict[str, str | None]:
    return {"text": goal.text, "what": goal.what, "when": goal.when,
            "how_often": goal.how_often, "duration": goal.duration}  # fmt: skip


def _checked(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError("a message is text")
    stripped = text.strip()
    if not stripped:
        raise ValueError("a message cannot be empty")
    if len(stripped) > MAX_MESSAGE_CHARS:
        raise ValueError(f"a message can be at most {MAX_MESSAGE_CHARS} characters")
    return stripped


_RETRACTIONS = (
    "jk", "just kidding", "joking", "i'm fine", "im fine", "i'm ok", "i'm okay", "never mind",
    "nevermind", "forget it", "lol", "kidding", "i'm good", "not serious",
)  # fmt: skip


# "ok i called", "ambulance is on the way": a follow-up need not ask whether they have.
_CALLED = re.compile(
    r"\b(?:(?<!n't )(?<!not )(?:called|rang|phoned|rung) (?:them|it|999|911|112|000|111|"
    r"an ambulance|the ambulance|emergency|the emergency)|i(?:'ve| have)? (?:just )?"
    r"(?:called|rang|phoned|rung)\b(?! (?:you|my|a friend|work))|(?:ambulance|paramedics?|"
    r"help|they)(?:'re| are| is|'s)? (?:on (?:the|their|its) way|coming|here)|"
    r"on the phone (?:with|to) (?:them|999|911|112|the))",
    re.I,
)


# "the paramedics are here", "they've taken her in": no follow-up written for the wait.
_ARRIVED = re.compile(
    r"\b(?:(?:ambulance|paramedics?|ems|doctors?|police|help)(?:'s| is| are| has| have) "
    r"(?:just )?(?:here|arrived|got here|with (?:him|her|them|me|us))\b|(?:ambulance|"
    r"paramedics?|they)(?: have|'ve)? (?:just )?(?:arrived|got here)\b|they(?:'re| are) "
    r"(?:here|with (?:him|her|them|me|us))\b|(?:they(?:'ve| have)?|paramedics?|the "
    r"ambulance) (?:just )?(?:taken|took) (?:him|her|them|me)\b|(?:we|i|she|he|they)(?:'re|"
    r"'m|'s| are| am| is) (?:now )?(?:in|at) (?:the )?(?:ambulance|hospital|a&e|er)\b)",
    re.I,
)
# ...unless it is still awaited: "what do i do until the ambulance is here".
_AWAITED = re.compile(r"\b(?:until|till|til|when|once|before|wait(?:ing)? for|if)\b", re.I)


# ...nor is the call handler: "they're with me on the phone".
_ON_THE_LINE = re.compile(r"\s*(?:on the (?:phone|line)|over the phone|on speaker)\b", re.I)


def _help_has_come(text: str) -> bool:
    if text.rstrip().endswith("?"):  # "is the ambulance here yet?"
        return False
    return any(
        not _AWAITED.search(text[max(0, found.start() - 20) : found.start()])
        and not _ON_THE_LINE.match(text, found.end())
        for found in _ARRIVED.finditer(text)
    )


def _same_risk(risk: RiskAssessment, answered: RiskAssessment) -> bool:
    """Whether a risk raised again is the one the last crisis reply met: the same main
    category and nothing new beside it, for the same person (the writer or someone
    else), at no higher level."""
    if not risk.categories or not answered.categories:
        return False
    return (
        risk.categories[0] == answered.categories[0]
        and set(risk.categories) <= set(answered.categories)
        and ("third_party" in risk.categories) == ("third_party" in answered.categories)
        and risk_rank(risk.level) <= risk_rank(answered.level)
    )


def _retraction(text: str) -> bool:
    low = text.lower()
    return any(r in low for r in _RETRACTIONS) and len(low.split()) <= 12
