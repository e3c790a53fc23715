"""The understanding room: from one message to Signals."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from importlib import resources
from pathlib import Path

from hearten.understanding.commitments import read_commitments, says_intent
from hearten.understanding.encoders import Encoder, PrototypeIndex
from hearten.understanding.lexicon import Lexicon, load_lexicon
from hearten.understanding.signals import Concern, Cue, Emotion, Signals, Stance
from hearten.understanding.text import (
    CUE_RE,
    REFERS_BACK,
    normalise,
    second_person,
    sentence_text,
)
from hearten.vocabulary import EMOTIONS
from hearten.yamlfile import load_yaml

_GRATITUDE = re.compile(r"\b(thank|thanks|grateful|appreciate|means a lot|kind of you)", re.I)
_FAREWELL = re.compile(
    r"\b(bye|goodbye|good night|goodnight|talk (?:to you )?(?:later|soon|again)|see you|"
    r"gotta go|got to go|have to go|signing off|that's all for (?:now|today))\b",
    re.I,
)
_READINESS = re.compile(
    r"\b(good idea|you'?re right|that makes sense|sounds (?:reasonable|good|doable|manageable)|"
    r"i should (?:try|probably|really)|maybe if i|make some changes|small (?:steps|changes)|"
    r"worth a try|i could try|i need to (?:be kinder|take|start|focus|make)|"
    r"i want to (?:try|change)|"
    r"what (?:can|could|should) i do|any (?:ideas|suggestions|advice)|how do i)\b",
    re.I,
)
_GREETING_ONLY = re.compile(
    r"^(hi|hello|hey|hiya|good (?:morning|evening|afternoon))\b[\s!.,]*(there)?[\s!.]*$", re.I
)
_CHECKIN_DONE = re.compile(
    r"\b(did it|i did|managed|went (?:for|on)|i walked|i read|i called|kept (?:it )?up|stuck to|"
    r"went (?:well|ok|okay|great|fine)|it helped|it was (?:good|nice|great)|actually did)\b",
    re.I,
)
_CHECKIN_NOT = re.compile(
    r"\b(didn't|did not|haven't|couldn't|never got|forgot|no time|not really|wasn't able|"
    r"skipped|gave up)\b",
    re.I,
)
_PARTLY = re.compile(r"\b(once|a couple of times|sort of|kind of|some days|not every)\b", re.I)
_THANKS_ENOUGH = re.compile(r"\w*\s+(?:you\s+)?enough\b", re.I)
_POINTS_BACK = re.compile(rf"{REFERS_BACK.pattern}|\b(?:our|we|us)\b", re.I)
# Relatives and friends, and the stories about someone that they are often part of.
_RELATIONS = frozenset({"family", "friends"})
_PEOPLE_STORIES = frozenset({"illness", "caregiving", "grief"})
_PART_SPLIT = re.compile(r"\s*(?:\bbut\b|\bthough\b|\bhowever\b|;|—|\s-\s)\s*", re.I)
_REPORTED = re.compile(r"\b(?:thinks?|says|said|reckons?|feels)\b[^.!?]{0,25}$", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no|nobody|none|nothing)\b|n't\b|\bcant\b|\bwont\b", re.I)
# How far after a trouble words that lay it down may come ("... and honestly, I've made
# my peace with it"), in characters.
_SETTLED_REACH = 60
_CLAUSE_SPLIT = re.compile(r",\s*(?:and|but|so)\s+|\s+(?:and|but|because)\s+|;\s*|,\s+")
_LEADING_FILLER = re.compile(
    r"^(?:(?:well|so|and|but|also|honestly|i guess|i think|i mean|just|like|um|uh|yeah|ok|okay)"
    r"[,]?\s+)+",
    re.I,
)


class Understander:
    """Reads one message. Lexical rules first; an encoder, when given, adds concerns
    the rules missed by similarity to prototype sentences."""

    def __init__(
        self,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,
        concern_threshold: float = 0.88,
        concern_margin: float = 0.02,
        thread_margin: float = 0.05,
    ) -> None:
        self.lexicon: Lexicon = load_lexicon()
        self.encoder = encoder
        self.concern_threshold = concern_threshold
        self.concern_margin = concern_margin
        self.thread_margin = thread_margin
        self._index: PrototypeIndex | None = None
        self._cache_dir = cache_dir

    def _prototypes(self) -> PrototypeIndex | None:
        if self.encoder is None:
            return None
        if self._index is None:
            self._index = PrototypeIndex(self.encoder, _concern_prototypes(), self._cache_dir)
        return self._index

    def understand(self, text: str, known: Collection[str] = ()) -> Signals:
        """`known`: the concerns the conversation has raised so far, if any."""
        plain = sentence_text(text)  # the text the risk screen encodes too
        text = normalise(text)
        cues = self.read_cues(text)
        emotions, absent = self.read_emotions(plain)
        concerns = self.read_concerns(plain, known)
        commitments = read_commitments(plain)
        valence, has_affect = _valence(emotions, cues, absent)
        checkin: str | None = None
        done, missed = bool(_CHECKIN_DONE.search(plain)), bool(_CHECKIN_NOT.search(plain))
        if done and (missed or _PARTLY.search(plain)):
            checkin = "partly"
        elif done:
            checkin = "done"
        elif missed:
            checkin = "not"
        return Signals(
            text=text,
            cues=cues,
            emotions=emotions,
            feeling=self.read_feeling(plain),
            concerns=concerns,
            commitments=commitments,
            valence=valence,
            has_affect=has_affect,
            gratitude=bool(_GRATITUDE.search(plain)),
            farewell=bool(_FAREWELL.search(plain)),
            readiness=bool(_READINESS.search(plain)) or bool(commitments),
            self_blame=any(e.name in {"guilt", "shame"} for e in emotions),
            checkin=checkin,
            greeting_only=bool(_GREETING_ONLY.match(plain)) if plain else False,
            intends=bool(commitments) or says_intent(plain),
        )

    def read_cues(self, text: str) -> list[Cue]:
        cues = []
        for match in CUE_RE.finditer(text):
            inner = match.group(1).strip()
            for rule in self.lexicon.cues:
                if rule.pattern.search(inner):
                    cues.append(Cue(text=inner, kind=rule.kind, affect=rule.affect))
                    break
        return cues

    def read_emotions(self, plain: str) -> tuple[list[Emotion], list[float]]:
        """Emotions with intensity; also how each feeling said to be absent moves the
        mood: "I'm not alone" lifts it a little, "I'm not happy" or "I can't remember
        the last time I felt happy" lowers it."""
        best: dict[str, Emotion] = {}
        absent: list[float] = []
        for rule in self.lexicon.feelings:
            good = EMOTIONS[rule.emotion] > 0
            for match in rule.pattern.finditer(plain):
                before = plain[max(0, match.start() - 30) : match.start()]
                wider = plain[max(0, match.start() - 70) : match.start()]
                lost = good and bool(self.lexicon.lost_feeling.search(wider))
                # "I can't thank you enough" is thanks
                thanks = rule.emotion == "gratitude" and _THANKS_ENOUGH.match(plain, match.end())
                if not thanks and (lost or self.lexicon.negation.search(before)):
                    absent.append(-0.3 if good else 0.3)
                    continue
                intensity = 0.6
                if self.lexicon.intensifiers.search(before):
                    intensity = 0.9
                elif self.lexicon.softeners.search(before):
                    intensity = 0.35
                current = best.get(rule.emotion)
                if current is None or intensity > current.intensity:
                    best[rule.emotion] = Emotion(
                        name=rule.emotion, intensity=intensity, words=match.group(0)
                    )
        return sorted(best.values(), key=lambda e: -e.intensity), absent

    def read_feeling(self, plain: str) -> str | None:
        for match in self.lexicon.feeling_adjectives.finditer(plain):
            before = plain[max(0, match.start() - 20) : match.start() + 1]
            if self.lexicon.negation.search(before):
                continue
            phrase = re.sub(r"^(?:just|pretty|quite)\s+", "", match.group(1), flags=re.I)
            return phrase.lower()
        return None

    def _stance(self, plain: str, match: re.Match[str]) -> Stance:
        start, end = _sentence_bounds(plain, match)
        before, after = plain[start : match.start()], plain[match.end() : end]
        if self.lexicon.pressing.search(before):
            return "pressing"
        # "money is the real issue", unless doubted or someone else's view ("I don't think
        # money is the real issue", "my boss thinks...")
        if self.lexicon.pressing_after.search(after) and not (
            self.lexicon.settled_doubt.search(before) or _REPORTED.search(before)
        ):
            return "pressing"
        laid = self.lexicon.settled_before.search(before)
        if laid and not self.lexicon.settled_doubt.search(before[: laid.start()]):
            return "settled"  # "I've made peace with losing my dad"
        # "my dad passed away and I've made my peace with it", said soon after
        laid = self.lexicon.settled_after.search(after[:_SETTLED_REACH])
        if laid and not self.lexicon.settled_doubt.search(after[: laid.start()]):
            return "settled"
        return "named"

    def read_concerns(self, plain: str, known: Collection[str] = ()) -> list[Concern]:
        found: dict[str, Concern] = {}
        in_story = bool(_PEOPLE_STORIES & set(known))
        for rule in self.lexicon.concerns:
            text = plain
            for exclusion in rule.exclude:
                text = exclusion.sub(lambda m: " " * len(m.group(0)), text)
            patterns = rule.patterns + (rule.once_known if rule.id in known else ())
            for number, pattern in enumerate(patterns):
                match = pattern.search(text)
                if match is None:
                    continue
                before = plain[max(0, match.start() - 12) : match.start()]
                # "I'm not alone"; only "not" here, since the feelings' wider negation
                # would drop "earning less money" and "I never sleep".
                if re.search(r"\b(?:not|n't)\s*$", before):
                    continue
                if in_story and rule.id in _RELATIONS:
                    part = _part(plain, match)
                    if self.lexicon.relation_helping.search(part) and not _NEGATED.search(part):
                        break  # "my brother could do Thursdays", while dad is ill
                wider = plain[max(0, match.start() - 30) : match.start()]
                if rule.id == "loneliness" and self.lexicon.negation.search(wider):
                    continue  # "a bit less on my own now", but "more or less alone"
                word = match.group(1) if match.groups() else match.group(0)
                # "{0}" takes the person's words only from the first pattern, which
                # captures who or what ("caring for my mum"); catch-all words
                # ("dementia") get the plain topic.
                if "{0}" in rule.topic and number > 0 and rule.plain_topic:
                    topic = rule.plain_topic
                else:
                    topic = rule.topic.format(second_person(word).lower())
                stance = self._stance(plain, match)
                if stance == "settled" and any(
                    self._stance(plain, later) != "settled"
                    for later in pattern.finditer(text, match.end())
                ):
                    stance = "named"  # "it's ok with my mum but my dad is drinking again"
                found[rule.id] = Concern(
                    id=rule.id, topic=topic, clause=_clause(plain, match), stance=stance
                )
                break
        index = self._prototypes() if len(plain.split()) >= 4 else None
        if index is not None and self.encoder is not None and not found:
            query = self.encoder.encode([plain])[0]
            scores = index.scores(query)
            nothing = scores.pop("none", 0.0)
            label, score = max(scores.items(), key=lambda kv: kv[1])
            # Mid-conversation, a message that points back to someone and names nobody
            # new ("I keep replaying our last fight", "she said I never listen") is most
            # likely still about what was being talked about: the prototypes of
            # neighbouring concerns score within a few hundredths of each other, so a new
            # concern must clearly beat the known ones, and the nearest known one is
            # taken when it is close. "The landlord is threatening to evict me" points
            # back to no one and is read on its own.
            thread = {k: v for k, v in scores.items() if k in known}
            if thread and label not in thread and _POINTS_BACK.search(plain):
                label_known, score_known = max(thread.items(), key=lambda kv: kv[1])
                if score < score_known + self.thread_margin:
                    label, score = label_known, score_known
            if score >= self.concern_threshold and score > nothing + self.concern_margin:
                found[label] = Concern(
                    id=label,
                    topic=_default_topic(self.lexicon, label),
                    source="embedding",
                )
        return list(found.values())


def _sentence_bounds(plain: str, match: re.Match[str]) -> tuple[int, int]:
    """Where the sentence that holds a match starts and ends."""
    start = max(plain.rfind(p, 0, match.start()) for p in ".!?") + 1
    ends = [i for i in (plain.find(p, match.end()) for p in ".!?") if i != -1]
    return start, min(ends) if ends else len(plain)


def _part(plain: str, match: re.Match[str]) -> str:
    """The part of the sentence that holds a match, up to "but" or ";" either side."""
    start, end = _sentence_bounds(plain, match)
    sentence, offset = plain[start:end], match.start() - start
    pieces = list(_PART_SPLIT.finditer(sentence))
    left = max((m.end() for m in pieces if m.end() <= offset), default=0)
    right = min((m.start() for m in pieces if m.start() >= offset), default=len(sentence))
    return sentence[left:right]


def _default_topic(lexicon: Lexicon, concern: str) -> str:
    for rule in lexicon.concerns:
        if rule.id == concern:
            return rule.topic.replace("your {0}", "this").replace("{0}", "them")
    return "this"


def _clause(plain: str, match: re.Match[str]) -> str | None:
    """The person's words around a match, as a second-person clause."""
    # The sentence that holds the match...
    start, end = _sentence_bounds(plain, match)
    sentence, offset = plain[start:end], match.start() - start
    # ...narrowed to the clause that holds it.
    pos = 0
    for piece in _CLAUSE_SPLIT.split(sentence):
        piece_start = sentence.find(piece, pos)
        pos = piece_start + len(piece)
        if piece_start <= offset < pos:
            return _tidy_clause(piece)
    return _tidy_clause(sentence)


def _tidy_clause(piece: str) -> str | None:
    piece = _LEADING_FILLER.sub("", piece.strip(" ,;:-—"))
    words = piece.split()
    if len(words) < 3 or len(words) > 22 or "?" in piece:
        return None
    clause = second_person(piece)
    return clause[0].lower() + clause[1:] if not clause.startswith("I ") else clause


def _valence(emotions: list[Emotion], cues: list[Cue], absent: list[float]) -> tuple[float, bool]:
    parts = [EMOTIONS[e.name] * (0.5 + 0.5 * e.intensity) for e in emotions]
    parts += [cue.affect for cue in cues]
    parts += absent
    if not parts:
        return 0.0, False
    # The mean, pulled toward the strongest signal so one strong word is not diluted.
    mean = sum(parts) / len(parts)
    strongest = max(parts, key=abs)
    return max(-1.0, min(1.0, 0.6 * mean + 0.4 * strongest)), True


@cache
def _concern_prototypes() -> list[tuple[str, str]]:
    raw = load_yaml(
        resources.files("hearten.understanding").joinpath("prototypes.yaml").read_text("utf-8")
    )
    pairs = [(label, text) for label, texts in raw["concerns"].items() for text in texts]
    return pairs + [("none", text) for text in raw.get("none", [])]
