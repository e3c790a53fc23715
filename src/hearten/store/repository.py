"""The store: every read and write of hearten's database goes through here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from hearten.store.tables import (
    Conversation,
    Goal,
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


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Durability first: a message acknowledged is a message kept.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Store:
    """A SQL database (SQLite by default) with its schema kept by Alembic."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.migrate()

    @classmethod
    def at(cls, path: Path) -> Store:
        return cls(sqlite_url(path))

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a no-op when it is there)."""
        config = Config()
        location = resources.files("hearten.store").joinpath("migrations")
        config.set_main_option("script_location", str(location))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.begin() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

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
            seq = (
                s.scalar(
                    select(func.max(Message.seq)).where(Message.conversation_id == conversation_id)
                )
                or 0
            ) + 1
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
        with self.session() as s:
            convs = s.scalars(
                select(Conversation)
                .where(Conversation.user_id == user_id)
                .order_by(Conversation.started_at, Conversation.id)
            ).all()
            out = []
            for conv in convs:
                first = next((m.text for m in conv.messages if m.role == "user"), "")
                out.append(ConversationRecord(conv.id, conv.started_at, len(conv.messages), first))
            return out

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
