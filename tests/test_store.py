"""The store and memory across sessions, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext

from hearten.companion import Companion
from hearten.config import Settings
from hearten.dialogue import Plan
from hearten.store import Store
from hearten.understanding.encoders import Encoder
from hearten.voices import Utterance


def test_schema_is_migrated_to_head_and_sqlite_is_durable(tmp_path: Path) -> None:
    store = Store.at(tmp_path / "h.db")
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0003"
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    names = {r[0] for r in sqlite3.connect(tmp_path / "h.db").execute(
        "select name from sqlite_master where type='table'")}  # fmt: skip
    assert {"users", "conversations", "messages", "goals", "moods", "safety_plans",
            "alembic_version"} <= names  # fmt: skip
    Store.at(tmp_path / "h.db").close()  # opening again is a no-op migration


def test_messages_keep_their_order(tmp_path: Path) -> None:
    store = Store.at(tmp_path / "h.db")
    uid = store.user_id("sam")
    assert store.user_id("sam") == uid
    conv = store.start_conversation(uid)
    for i in range(5):
        store.add_message(conv, "user" if i % 2 == 0 else "assistant", f"m{i}")
    assert store.messages(conv) == [
        ("user", "m0"), ("assistant", "m1"), ("user", "m2"), ("assistant", "m3"), ("user", "m4"),
    ]  # fmt: skip


class PeekingVoice:
    """A voice that looks in the database while it speaks: the person's message must
    already be committed, seen from a separate connection."""

    name = "peeking"

    def __init__(self, db: Path) -> None:
        self.db = db
        self.seen: list[str] = []

    def speak(self, plan: Plan) -> Utterance:
        rows = sqlite3.connect(self.db).execute(
            "select text from messages where role='user' order by id"
        )
        self.seen = [r[0] for r in rows]
        raise RuntimeError("backend down")  # the composer must answer instead


def test_user_message_is_committed_before_the_reply(tmp_path: Path, encoder: Encoder) -> None:
    settings = Settings(home=tmp_path, locale="US")
    voice = PeekingVoice(settings.db_path)
    companion = Companion(settings, voice=voice, encoder=encoder)
    session = companion.session("sam")
    session.send("hello")
    reply = session.send("My exams are next week and I can't focus at all")
    assert voice.seen == ["hello", "My exams are next week and I can't focus at all"]
    assert reply.voice == "composer"  # the fallback answered
    assert reply.text


def test_next_session_greets_back_and_checks_in(tmp_path: Path, encoder: Encoder) -> None:
    settings = Settings(home=tmp_path, locale="US")
    first = Companion(settings, encoder=encoder)
    s1 = first.session("sam", seed=3)
    s1.opening()
    for text in [
        "I feel low.",
        "Work is crushing me and my boss keeps adding projects.",
        "I think I'll take a short walk at lunch a few times this week.",
        "Thanks, bye.",
    ]:
        s1.send(text)
    first.close()

    second = Companion(settings, encoder=encoder)
    s2 = second.session("sam", seed=4)
    opening = s2.opening()
    assert "take a short walk at lunch a few times this week" in opening
    assert "?" in opening
    reply = s2.send("I only managed it once, but it helped actually")
    assert "affirmation_and_reassurance/affirm_progress" in reply.moves
    goals = second.store.goals(second.store.user_id("sam"))
    assert [(g.text, g.status) for g in goals] == [
        ("take a short walk at lunch a few times this week", "partly")
    ]
    convs = second.store.conversations(second.store.user_id("sam"))
    assert len(convs) == 2
    assert second.store.messages(convs[1].id)[0] == ("assistant", opening)
    moods = second.store.moods(second.store.user_id("sam"))
    assert len(moods) == 5


def test_no_store_session_writes_nothing(tmp_path: Path, encoder: Encoder) -> None:
    settings = Settings(home=tmp_path, locale="US")
    companion = Companion(settings, encoder=encoder)
    companion.session("ghost", persist=False).send("I feel sad")
    assert not settings.db_path.exists()


@pytest.mark.parametrize("bad", ["", "   ", "x" * 8001])
def test_bad_messages_get_a_clear_error(tmp_path: Path, bad: str) -> None:
    companion = Companion(Settings(home=tmp_path), encoder=None)
    with pytest.raises(ValueError, match="message"):
        companion.session("sam").send(bad)
