"""Self-chat: a simulated user plays a persona against a bot for a number of turns.

Each conversation depends only on (persona, index, seed), so a run gives the same
transcripts with one worker or many. Conversations run in parallel worker processes,
each with its own Companion (loading the encoder takes about 0.1 s), sessions that
are never stored, and an encoder cache shared by the worker's conversations.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hearten.simulate.bots import Bot, BotSpec, BotTurn, make_bot, session_seed
from hearten.simulate.client import ChatClient
from hearten.simulate.personas import Persona, load_personas
from hearten.simulate.user import LLMUser, RuleUser, SimulatedUser, UserTurn
from hearten.transcripts import Transcript, Turn, parse, render


class TurnRecord(BaseModel):
    turn: int
    user: str
    act: str
    reply: str
    seconds: float
    user_mood: float
    accepted: list[str] = []
    resisted: list[str] = []
    committed: list[str] = []
    stage: str | None = None
    strategies: list[str] | None = None
    moves: list[str] | None = None
    ideas: list[str] | None = None
    risk: dict[str, Any] | None = None  # {"level", "categories"}
    mood: float | None = None  # the bot's reading of the mood (hearten)
    concerns: list[str] | None = None
    goals: list[str] | None = None
    crisis: bool | None = None


class Conversation(BaseModel):
    id: str
    persona: str
    topic: str
    seed: int
    bot: str
    intro: str
    turns: list[TurnRecord]

    def transcript(self) -> Transcript:
        out = Transcript(intro=self.intro)
        for t in self.turns:
            out.turns += [Turn("Human", t.user), Turn("Assistant", t.reply)]
        return out


@dataclass(frozen=True)
class UserSpec:
    url: str | None = None  # an OpenAI-compatible URL for an LLM user; None: rule-driven
    model: str = "default"
    timeout: float = 120.0
    api_key: str | None = None


@dataclass(frozen=True)
class Job:
    index: int
    persona: str
    seed: int
    turns: int

    @property
    def id(self) -> str:
        return f"{self.index:04d}-{self.persona}"


def plan_jobs(personas: list[Persona], count: int | None, turns: int, seed: int) -> list[Job]:
    """`count` conversations (default: one per persona), round-robin over the personas."""
    total = len(personas) if count is None else count
    return [
        Job(index=i, persona=personas[i % len(personas)].id, seed=seed, turns=turns)
        for i in range(total)
    ]


def make_user(persona: Persona, job: Job, spec: UserSpec) -> SimulatedUser:
    key = f"{job.seed}:{job.index}:{persona.id}"
    if spec.url:
        client = ChatClient(
            spec.url, spec.model, timeout=spec.timeout, api_key=spec.api_key, temperature=0.7
        )
        return LLMUser(persona, job.turns, client, session_seed("user:" + key))
    return RuleUser(persona, job.turns, random.Random(key))


def converse(bot: Bot, job: Job, user_spec: UserSpec = UserSpec()) -> Conversation:
    persona = load_personas()[job.persona]
    user = make_user(persona, job, user_spec)
    seed = session_seed(f"bot:{job.seed}:{job.index}:{persona.id}")
    session = bot.session(persona.name, seed)
    records: list[TurnRecord] = []
    reply: BotTurn | None = None
    for number in range(1, job.turns + 1):
        said: UserTurn = user.next(reply)
        reply = session.send(said.text)
        records.append(_record(number, said, reply))
    return Conversation(
        id=job.id, persona=persona.id, topic=persona.topic, seed=seed, bot=bot.name,
        intro=persona.intro, turns=records,
    )  # fmt: skip


def _record(number: int, said: UserTurn, reply: BotTurn) -> TurnRecord:
    risk = None
    if reply.risk_level is not None:
        risk = {"level": reply.risk_level, "categories": reply.risk_categories or []}
    return TurnRecord(
        turn=number, user=said.text, act=said.act, reply=reply.text,
        seconds=round(reply.seconds, 5), user_mood=said.mood, accepted=said.accepted,
        resisted=said.resisted, committed=said.goals, stage=reply.stage,
        strategies=reply.strategies, moves=reply.moves, ideas=reply.ideas, risk=risk,
        mood=reply.mood, concerns=reply.concerns, goals=reply.goals, crisis=reply.crisis,
    )  # fmt: skip


# running many

_worker: dict[str, Any] = {}


def _init_worker(bot_spec: BotSpec, user_spec: UserSpec) -> None:
    # One thread per worker: the encoder's OpenMP threads would otherwise fight over
    # the same cores as the other workers, which makes every process much slower.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _worker["bot"] = make_bot(bot_spec)
    _worker["user"] = user_spec


def _run_job(job: Job) -> Conversation:
    bot: Bot = _worker["bot"]
    return converse(bot, job, _worker["user"])


def run(
    jobs: list[Job],
    bot_spec: BotSpec,
    user_spec: UserSpec = UserSpec(),
    *,
    workers: int | None = None,
    on_done: Callable[[Conversation], None] | None = None,
) -> Iterator[Conversation]:
    """Conversations in job order. `workers` processes (default: one per CPU, never
    more than there are jobs); with one, everything runs in this process."""
    count = min(workers or os.cpu_count() or 1, max(1, len(jobs)))
    if count <= 1:
        bot = make_bot(bot_spec)
        try:
            for job in jobs:
                conv = converse(bot, job, user_spec)
                if on_done:
                    on_done(conv)
                yield conv
        finally:
            bot.close()
        return
    context = multiprocessing.get_context("spawn")
    chunk = max(1, min(8, len(jobs) // (count * 8) or 1))
    with context.Pool(count, initializer=_init_worker, initargs=(bot_spec, user_spec)) as pool:
        for conv in pool.imap(_run_job, jobs, chunksize=chunk):
            if on_done:
                on_done(conv)
            yield conv


# writing and reading

def write_seed(conversations: Iterable[Conversation], out: Path) -> list[Path]:
    """One seed-format transcript per conversation: DIR/NNNN-persona.txt."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for conv in conversations:
        path = out / f"{conv.id}.txt"
        path.write_text(render(conv.transcript()), "utf-8")
        paths.append(path)
    return paths


def jsonl_lines(conv: Conversation) -> Iterator[str]:
    """One JSON object per turn, with the conversation's metadata."""
    for t in conv.turns:
        row = {
            "conversation": conv.id, "persona": conv.persona, "topic": conv.topic,
            "seed": conv.seed, "bot": conv.bot, **t.model_dump(),
        }  # fmt: skip
        yield json.dumps(row, ensure_ascii=False)


def read_jsonl(path: Path) -> list[Conversation]:
    convs: dict[str, Conversation] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        cid = row.pop("conversation")
        meta = {k: row.pop(k) for k in ("persona", "topic", "seed", "bot")}
        if cid not in convs:
            persona = load_personas().get(meta["persona"])
            intro = persona.intro if persona else ""
            convs[cid] = Conversation(id=cid, intro=intro, turns=[], **meta)
        convs[cid].turns.append(TurnRecord.model_validate(row))
    return list(convs.values())




def read_seed(path: Path) -> Conversation:
    """A seed-format transcript back as a Conversation. The persona comes from the
    file name (NNNN-persona.txt); what each user turn did is inferred from its card."""
    transcript = parse(path.read_text("utf-8"))
    persona_id = _persona_from_name(path.stem)
    persona = load_personas().get(persona_id) if persona_id else None
    records: list[TurnRecord] = []
    pending: str | None = None
    for turn in transcript.turns:
        if turn.role == "Human":
            pending = turn.text
        elif pending is not None:
            act = infer_act(persona, pending, len(records) + 1)
            records.append(TurnRecord(turn=len(records) + 1, user=pending, act=act,
                                      reply=turn.text, seconds=0.0, user_mood=0.0))  # fmt: skip
            pending = None
    return Conversation(
        id=path.stem, persona=persona.id if persona else "", topic=persona.topic if persona else "",
        seed=0, bot="transcript", intro=transcript.intro or "", turns=records,
    )  # fmt: skip


def _persona_from_name(stem: str) -> str | None:
    table = load_personas()
    candidate = stem.split("-", 1)[1] if stem[:4].isdigit() and "-" in stem else stem
    return candidate if candidate in table else None


def infer_act(persona: Persona | None, text: str, number: int) -> str:
    """What a user turn did, judged from the persona card's own lines."""
    from hearten.simulate.personas import load_phrases

    if number == 1:
        return "open"
    if persona is None:
        return "unknown"
    if persona.risk is not None and persona.risk.say in text:
        return "risk"
    if persona.risk is not None and persona.risk.after in text:
        return "risk_after"
    if any(g in text for g in persona.goals):
        return "commit"
    if persona.hidden is not None and any(s in text for s in persona.hidden.say):
        return "hidden"
    if any(s in text for s in persona.concern.say):
        return "disclose"
    phrases = load_phrases()
    if any(s in text for s in phrases.thanks):
        return "thanks"
    if any(s in text for s in phrases.farewell):
        return "farewell"
    if any(s in text for s in [*phrases.accept, *phrases.neutral, *persona.resists.values()]):
        return "react"
    return "detail"
