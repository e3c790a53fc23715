"""The store: every read and write of hearten's database goes through here."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Engine,
    Result,
    create_engine,
    delete,
    event,
    func,
    inspect,
    make_url,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hearten.store.migrations import HEAD_REVISION
from hearten.store.tables import (
    ApiToken,
    Conversation,
    Goal,
    IdempotencyKey,
    Message,
    Mood,
    SafetyPlanRow,
    User,
    utcnow,
)


@dataclass(frozen=True)
class GoalRecord:
    id: int
    text: str
    status: str
    created_at: datetime
    conversation_id: int | None


@dataclass(frozen=True)
class ConversationRecord:
    id: int
    started_at: datetime
    messages: int
    first_words: str


@dataclass(frozen=True)
class MoodRecord:
    conversation_id: int
    valence: float
    created_at: datetime


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class MessageRecord:
    id: int
    seq: int
    role: str
    text: str
    complete: bool
    created_at: datetime
    plan: dict[str, Any] | None


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    created_at: datetime
    tokens: int


@dataclass(frozen=True)
class IdempotencyClaim:
    """What a send under an Idempotency-Key commits with the person's message."""

    user_id: int
    key: str
    request_hash: str
    owner: str
    lease_until: float


@dataclass(frozen=True)
class IdempotentSend:
    id: int
    request_hash: str
    conversation_id: int
    user_message_id: int
    reply_message_id: int
    response: dict[str, Any] | None
    owner: str | None
    lease_until: float | None


class DuplicateKey(Exception):
    """The Idempotency-Key was used before; `existing` is the send it belongs to."""

    def __init__(self, existing: IdempotentSend) -> None:
        super().__init__("idempotency key already used")
        self.existing = existing


class WrongKey(RuntimeError):
    """The database cannot be read: a wrong encryption key, or none given."""


@dataclass(frozen=True)
class TurnStart:
    user_message_id: int
    reply_message_id: int
    idempotency_id: int | None = None


@dataclass
class TurnResult:
    """Everything a finished turn writes, committed together."""

    user_id: int
    conversation_id: int
    user_message_id: int
    reply_message_id: int
    text: str
    plan: dict[str, Any]
    state: dict[str, Any]
    mood: float
    goals: list[dict[str, str | None]] = field(default_factory=list)
    complete: bool = True
    response: dict[str, Any] | None = None  # for the Idempotency-Key, if any
    idempotency_id: int | None = None
    thread_key: str | None = None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, key: str | None = None) -> None:
    cur = dbapi_conn.cursor()
    if key is not None:
        # SQLCipher: the key must be the first statement on a connection.
        cur.execute("PRAGMA key = '" + key.replace("'", "''") + "'")
        try:
            cur.execute("SELECT count(*) FROM sqlite_master")
        except Exception as exc:  # the driver's DatabaseError: "file is not a database"
            cur.close()
            raise WrongKey(
                "cannot read the database: the encryption key is wrong, or it is not encrypted"
            ) from exc
    # Durability first: a message acknowledged is a message kept.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    # Deleted rows are overwritten with zeros, so a deletion leaves no bytes behind.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


class Store:
    """A SQL database (SQLite by default, or PostgreSQL) with its schema kept by Alembic.

    `key` encrypts a SQLite database at rest with SQLCipher (the sqlcipher3 package)."""

    def __init__(self, url: str, *, key: str | None = None) -> None:
        self.url = url
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Parameters stay out of error messages: they hold what people wrote.
        options: dict[str, Any] = {"hide_parameters": True}
        if key is not None:
            if backend != "sqlite":
                raise ValueError(
                    "a database key encrypts SQLite files; encrypt PostgreSQL's storage instead"
                )
            if not key:
                raise ValueError("the database key is empty")
            try:
                import sqlcipher3  # type: ignore[import-untyped,import-not-found,unused-ignore]
            except ImportError as exc:
                raise RuntimeError(
                    "an encrypted database needs SQLCipher: pip install sqlcipher3-binary"
                ) from exc
            options["module"] = sqlcipher3.dbapi2
        elif backend == "postgresql":
            # Never acknowledge a commit the server could still lose.
            options["connect_args"] = {"options": "-c synchronous_commit=on"}
            options["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **options)
        self.encrypted = key is not None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", functools.partial(_sqlite_pragmas, key=key))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            self.migrate()
        except DatabaseError as exc:
            if isinstance(exc.orig, WrongKey) or "not a database" in str(exc):
                raise WrongKey(
                    "cannot read the database: the encryption key is wrong, or it is not encrypted"
                ) from None
            raise

    @classmethod
    def at(cls, path: Path) -> Store:
        return cls(sqlite_url(path))

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a no-op when it is there). A
        database already at HEAD_REVISION is recognised without importing Alembic,
        which would cost a start of `hearten chat` a good part of a second."""
        if self._revision() == HEAD_REVISION:
            return
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = Config()
        location = resources.files("hearten.store").joinpath("migrations")
        config.set_main_option("script_location", str(location))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.begin() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def _revision(self) -> str | None:
        """The schema revision Alembic recorded, or None (a new or foreign database)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            found = conn.scalar(text("SELECT version_num FROM alembic_version"))
            return None if found is None else str(found)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    # users and conversations

    def user_id(self, name: str) -> int:
        with self.session() as s:
            found = s.scalar(select(User.id).where(User.name == name))
            if found is not None:
                return found
            user = User(name=name)
            s.add(user)
            s.flush()
            return user.id

    def start_conversation(self, user_id: int, voice: str = "composer") -> int:
        with self.session() as s:
            conv = Conversation(user_id=user_id, voice=voice)
            s.add(conv)
            s.flush()
            return conv.id

    def add_message(
        self,
        conversation_id: int,
        role: str,
        text: str,
        plan: dict[str, Any] | None = None,
        complete: bool = True,
    ) -> int:
        """Append a message and commit it before returning."""
        with self.session() as s:
            seq = _last_seq(s, conversation_id) + 1
            msg = Message(
                conversation_id=conversation_id,
                seq=seq,
                role=role,
                text=text,
                plan=plan,
                complete=complete,
            )
            s.add(msg)
            s.flush()
            return msg.id

    def save_state(self, conversation_id: int, state: dict[str, Any]) -> None:
        with self.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is not None:
                conv.state = state

    def conversation(self, user_id: int, conversation_id: int) -> dict[str, Any] | None:
        """A conversation of this user (None for anyone else's): its state and the
        person's messages, oldest first."""
        with self.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None or conv.user_id != user_id:
                return None
            return {
                "id": conv.id,
                "state": conv.state,
                "user_messages": [m.text for m in conv.messages if m.role == "user"],
            }

    def messages(self, conversation_id: int) -> list[tuple[str, str]]:
        with self.session() as s:
            rows = s.execute(
                select(Message.role, Message.text)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.seq)
            )
            return [(role, text) for role, text in rows]

    def conversations(self, user_id: int) -> list[ConversationRecord]:
        """This person's conversations, oldest first, counted and titled in SQL (one
        query, however many there are)."""
        count = (
            select(func.count(Message.id))
            .where(Message.conversation_id == Conversation.id)
            .scalar_subquery()
        )
        first = (
            select(Message.text)
            .where(Message.conversation_id == Conversation.id, Message.role == "user")
            .order_by(Message.seq)
            .limit(1)
            .scalar_subquery()
        )
        with self.session() as s:
            rows = s.execute(
                select(Conversation.id, Conversation.started_at, count, first)
                .where(Conversation.user_id == user_id)
                .order_by(Conversation.started_at, Conversation.id)
            ).all()
            return [ConversationRecord(r[0], r[1], r[2], r[3] or "") for r in rows]

    def has_conversations(self, user_id: int) -> bool:
        """Whether this person has talked with hearten before (cheap at any history)."""
        with self.session() as s:
            found = s.scalar(
                select(Conversation.id).where(Conversation.user_id == user_id).limit(1)
            )
            return found is not None

    # goals and mood

    def add_goal(
        self,
        user_id: int,
        conversation_id: int | None,
        text: str,
        what: str,
        when: str | None = None,
        how_often: str | None = None,
        duration: str | None = None,
    ) -> int:
        with self.session() as s:
            goal = Goal(
                user_id=user_id,
                conversation_id=conversation_id,
                text=text,
                what=what,
                when=when,
                how_often=how_often,
                duration=duration,
            )
            s.add(goal)
            s.flush()
            return goal.id

    def goals(self, user_id: int, open_only: bool = False) -> list[GoalRecord]:
        with self.session() as s:
            query = select(Goal).where(Goal.user_id == user_id)
            if open_only:
                query = query.where(Goal.status == "open")
            rows = s.scalars(query.order_by(Goal.created_at, Goal.id)).all()
            return [
                GoalRecord(g.id, g.text, g.status, g.created_at, g.conversation_id) for g in rows
            ]

    def set_goal_status(self, goal_id: int, status: str) -> None:
        with self.session() as s:
            goal = s.get(Goal, goal_id)
            if goal is not None:
                goal.status = status
                goal.checked_at = utcnow()

    def add_mood(self, user_id: int, conversation_id: int, message_id: int, valence: float) -> None:
        with self.session() as s:
            s.add(
                Mood(
                    user_id=user_id,
                    conversation_id=conversation_id,
                    message_id=message_id,
                    valence=valence,
                )
            )

    def moods(self, user_id: int) -> list[MoodRecord]:
        with self.session() as s:
            rows = s.execute(
                select(Mood.conversation_id, Mood.valence, Mood.created_at)
                .where(Mood.user_id == user_id)
                .order_by(Mood.created_at, Mood.id)
            )
            return [MoodRecord(c, v, t) for c, v, t in rows]

    # safety plan

    def safety_plan(self, user_id: int) -> dict[str, Any] | None:
        with self.session() as s:
            row = s.scalar(select(SafetyPlanRow).where(SafetyPlanRow.user_id == user_id))
            return dict(row.plan) if row is not None else None

    def save_safety_plan(self, user_id: int, plan: dict[str, Any]) -> None:
        with self.session() as s:
            row = s.scalar(select(SafetyPlanRow).where(SafetyPlanRow.user_id == user_id))
            if row is None:
                s.add(SafetyPlanRow(user_id=user_id, plan=plan))
            else:
                row.plan = plan
                row.updated_at = utcnow()

    # the HTTP service: users and tokens

    def users(self) -> list[UserRecord]:
        with self.session() as s:
            counts = (
                select(ApiToken.user_id, func.count(ApiToken.id).label("n"))
                .group_by(ApiToken.user_id)
                .subquery()
            )
            rows = s.execute(
                select(User.id, User.name, User.created_at, counts.c.n)
                .outerjoin(counts, counts.c.user_id == User.id)
                .order_by(User.name)
            )
            return [UserRecord(i, n, t, c or 0) for i, n, t, c in rows]

    def find_user(self, name: str) -> int | None:
        with self.session() as s:
            return s.scalar(select(User.id).where(User.name == name))

    def user_name(self, user_id: int) -> str | None:
        with self.session() as s:
            return s.scalar(select(User.name).where(User.id == user_id))

    def add_token(self, user_id: int, token_hash: str) -> None:
        with self.session() as s:
            s.add(ApiToken(user_id=user_id, token_hash=token_hash))

    def token_user(self, token_hash: str) -> tuple[int, str] | None:
        with self.session() as s:
            row = s.execute(
                select(User.id, User.name)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == token_hash)
            ).first()
            return (row[0], row[1]) if row is not None else None

    def revoke_tokens(self, user_id: int) -> int:
        with self.session() as s:
            return _count(s.execute(delete(ApiToken).where(ApiToken.user_id == user_id)))

    # the HTTP service: conversations seen by their owner only

    def owns(self, user_id: int, conversation_id: int) -> bool:
        with self.session() as s:
            found = s.scalar(select(Conversation.user_id).where(Conversation.id == conversation_id))
            return found == user_id

    def conversation_messages(
        self, user_id: int, conversation_id: int
    ) -> list[MessageRecord] | None:
        """The messages of a conversation of this user; None for anyone else's."""
        with self.session() as s:
            if s.scalar(select(Conversation.user_id).where(Conversation.id == conversation_id)) != (
                user_id
            ):
                return None
            rows = s.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.seq)
            ).all()
            return [_message_record(m) for m in rows]

    def message(self, message_id: int) -> MessageRecord | None:
        with self.session() as s:
            m = s.get(Message, message_id)
            return _message_record(m) if m is not None else None

    def delete_conversation(self, user_id: int, conversation_id: int) -> bool:
        with self.session() as s:
            done = _count(
                s.execute(
                    delete(Conversation).where(
                        Conversation.id == conversation_id, Conversation.user_id == user_id
                    )
                )
            )
        if done:
            self._wipe()
        return bool(done)

    def delete_user(self, user_id: int) -> bool:
        """Delete a person and everything of theirs, and leave none of its bytes behind."""
        with self.session() as s:
            done = _count(s.execute(delete(User).where(User.id == user_id)))
        if done:
            self._wipe()
        return bool(done)

    def _wipe(self) -> None:
        """After a deletion: SQLite's secure_delete has zeroed the freed content; a
        TRUNCATE checkpoint moves it into the file and empties the WAL. PostgreSQL: VACUUM
        prunes the dead rows (its WAL segments are recycled by the server)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                for _ in range(50):
                    busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
                    if not busy:
                        break
        elif self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(
                    "VACUUM messages, conversations, goals, moods, safety_plans, "
                    "idempotency_keys, api_tokens, users"
                )

    def set_user_goal_status(self, user_id: int, goal_id: int, status: str) -> bool:
        with self.session() as s:
            goal = s.get(Goal, goal_id)
            if goal is None or goal.user_id != user_id:
                return False
            goal.status = status
            goal.checked_at = utcnow()
            return True

    def export(self, user_id: int) -> dict[str, Any] | None:
        """Everything stored about a person, as plain JSON values."""
        with self.session() as s:
            user = s.get(User, user_id)
            if user is None:
                return None
            convs = s.scalars(
                select(Conversation)
                .where(Conversation.user_id == user_id)
                .order_by(Conversation.started_at, Conversation.id)
            ).all()
            goals = s.scalars(
                select(Goal).where(Goal.user_id == user_id).order_by(Goal.created_at, Goal.id)
            ).all()
            moods = s.scalars(
                select(Mood).where(Mood.user_id == user_id).order_by(Mood.created_at, Mood.id)
            ).all()
            plan = s.scalar(select(SafetyPlanRow).where(SafetyPlanRow.user_id == user_id))
            return {
                "user": {"name": user.name, "created_at": _iso(user.created_at)},
                "conversations": [
                    {
                        "id": c.id,
                        "started_at": _iso(c.started_at),
                        "voice": c.voice,
                        "messages": [
                            {
                                "id": m.id,
                                "role": m.role,
                                "text": m.text,
                                "complete": m.complete,
                                "created_at": _iso(m.created_at),
                                "plan": m.plan,
                            }
                            for m in c.messages
                        ],
                    }
                    for c in convs
                ],
                "goals": [
                    {
                        "id": g.id,
                        "conversation_id": g.conversation_id,
                        "text": g.text,
                        "what": g.what,
                        "when": g.when,
                        "how_often": g.how_often,
                        "duration": g.duration,
                        "status": g.status,
                        "created_at": _iso(g.created_at),
                        "checked_at": _iso(g.checked_at) if g.checked_at else None,
                    }
                    for g in goals
                ],
                "mood": [
                    {
                        "conversation_id": m.conversation_id,
                        "message_id": m.message_id,
                        "valence": m.valence,
                        "at": _iso(m.created_at),
                    }
                    for m in moods
                ],
                "safety_plan": dict(plan.plan) if plan is not None else None,
            }

    # the HTTP service: durable turns and idempotent sends

    def begin_turn(
        self, conversation_id: int, text: str, claim: IdempotencyClaim | None = None
    ) -> TurnStart:
        """Commit the person's message, an empty incomplete reply after it and, with a
        claim, the Idempotency-Key, all in one transaction, before any reply exists.
        Raises DuplicateKey when the key was used before."""
        for _attempt in range(5):
            try:
                with self.session() as s:
                    seq = _last_seq(s, conversation_id)
                    said = Message(
                        conversation_id=conversation_id, seq=seq + 1, role="user", text=text
                    )
                    reply = Message(
                        conversation_id=conversation_id,
                        seq=seq + 2,
                        role="assistant",
                        text="",
                        complete=False,
                    )
                    s.add_all([said, reply])
                    s.flush()
                    sent = None
                    if claim is not None:
                        sent = IdempotencyKey(
                            user_id=claim.user_id,
                            key=claim.key,
                            request_hash=claim.request_hash,
                            conversation_id=conversation_id,
                            user_message_id=said.id,
                            reply_message_id=reply.id,
                            owner=claim.owner,
                            lease_until=claim.lease_until,
                        )
                        s.add(sent)
                        s.flush()
                    return TurnStart(said.id, reply.id, sent.id if sent is not None else None)
            except IntegrityError:
                if claim is not None:
                    existing = self.idempotent_send(claim.user_id, claim.key)
                    if existing is not None:
                        raise DuplicateKey(existing) from None
                # Another writer took the same sequence number: read it again.
        raise RuntimeError("could not append to the conversation")

    def add_reply(self, result: TurnResult) -> int:
        """Append a turn's reply together with what the turn changed, in one commit
        (the person's message was committed on its own, before the reply existed).
        `result.reply_message_id` is not read: the reply is new. Returns its id."""
        with self.session() as s:
            seq = _last_seq(s, result.conversation_id) + 1
            msg = Message(conversation_id=result.conversation_id, seq=seq, role="assistant",
                          text=result.text, plan=result.plan, complete=result.complete)  # fmt: skip
            s.add(msg)
            s.flush()
            _write_effects(s, result)
            return msg.id

    def finish_turn(self, result: TurnResult) -> None:
        """Commit the reply, the dialogue state, the mood and the goals of a turn."""
        r = result
        with self.session() as s:
            msg = s.get(Message, r.reply_message_id)
            if msg is None:  # deleted while the reply was being written
                return
            msg.text = r.text
            msg.plan = r.plan
            msg.complete = r.complete
            _write_effects(s, r)

    def complete_message(self, message_id: int) -> None:
        """Mark a reply as whole: every part of it reached the person."""
        with self.session() as s:
            s.execute(update(Message).where(Message.id == message_id).values(complete=True))

    def idempotent_send(self, user_id: int, key: str) -> IdempotentSend | None:
        with self.session() as s:
            row = s.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
                )
            )
            if row is None:
                return None
            return IdempotentSend(
                row.id,
                row.request_hash,
                row.conversation_id,
                row.user_message_id,
                row.reply_message_id,
                row.response,
                row.owner,
                row.lease_until,
            )

    def take_over(self, send_id: int, owner: str, lease_until: float, now: float) -> bool:
        """Claim an unfinished send whose producer is gone (its lease ran out or was
        released); True when this owner now holds it."""
        with self.session() as s:
            done = _count(
                s.execute(
                    update(IdempotencyKey)
                    .where(
                        IdempotencyKey.id == send_id,
                        IdempotencyKey.response.is_(None),
                        or_(
                            IdempotencyKey.owner.is_(None),
                            IdempotencyKey.owner == owner,
                            IdempotencyKey.lease_until.is_(None),
                            IdempotencyKey.lease_until < now,
                        ),
                    )
                    .values(owner=owner, lease_until=lease_until)
                )
            )
            return bool(done)

    def renew_lease(self, user_id: int, key: str, owner: str, lease_until: float) -> None:
        with self.session() as s:
            s.execute(
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.user_id == user_id,
                    IdempotencyKey.key == key,
                    IdempotencyKey.owner == owner,
                )
                .values(lease_until=lease_until)
            )

    def release_leases(self) -> int:
        """Free every unfinished send: for a server that knows it is the only one (a
        SQLite file), whatever was in flight before it started died with its process."""
        with self.session() as s:
            return _count(
                s.execute(
                    update(IdempotencyKey)
                    .where(IdempotencyKey.response.is_(None))
                    .values(owner=None, lease_until=None)
                )
            )

    def find_thread(self, user_id: int, thread_key: str) -> int | None:
        with self.session() as s:
            return s.scalar(
                select(Conversation.id)
                .where(Conversation.user_id == user_id, Conversation.thread_key == thread_key)
                .order_by(Conversation.id.desc())
                .limit(1)
            )


def _message_record(m: Message) -> MessageRecord:
    return MessageRecord(m.id, m.seq, m.role, m.text, m.complete, m.created_at, m.plan)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _count(result: Result[Any]) -> int:
    """Rows changed by an UPDATE or DELETE."""
    return int(cast(CursorResult[Any], result).rowcount)


def _last_seq(s: Session, conversation_id: int) -> int:
    """The number of the conversation's newest message (0 when it has none)."""
    newest = select(func.max(Message.seq)).where(Message.conversation_id == conversation_id)
    return int(s.scalar(newest) or 0)


def _write_effects(s: Session, r: TurnResult) -> None:
    """What a finished turn changes besides its reply: the dialogue state, the mood
    read from the person's message, new goals, the stored idempotent response."""
    conv = s.get(Conversation, r.conversation_id)
    if conv is not None:
        conv.state = r.state
        if r.thread_key is not None:
            conv.thread_key = r.thread_key
    s.add(
        Mood(
            user_id=r.user_id,
            conversation_id=r.conversation_id,
            message_id=r.user_message_id,
            valence=r.mood,
        )
    )
    for g in r.goals:
        s.add(
            Goal(
                user_id=r.user_id,
                conversation_id=r.conversation_id,
                text=g["text"],
                what=g["what"],
                when=g.get("when"),
                how_often=g.get("how_often"),
                duration=g.get("duration"),
            )
        )
    if r.idempotency_id is not None:
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == r.idempotency_id)
            .values(response=r.response, owner=None, lease_until=None)
        )
