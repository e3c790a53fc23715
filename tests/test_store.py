"""The store and memory across sessions, on a real SQLite file and on a real
PostgreSQL server (HEARTEN_TEST_POSTGRES_URL; scripts/test starts one)."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from hearten.companion import Companion
from hearten.config import Settings
from hearten.dialogue import Plan
from hearten.store import DuplicateKey, IdempotencyClaim, Store, TurnResult, WrongKey
from hearten.understanding.encoders import Encoder
from hearten.voices import Utterance
from tests.server.pg import fresh_database

HEAD = "0004"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'h.db'}"
    else:
        with fresh_database() as pg:
            yield pg


def test_head_revision_constant_is_alembics_head() -> None:
    # The store skips importing Alembic when a database is at HEAD_REVISION; a new
    # migration must move the constant too.
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hearten.store.migrations import HEAD_REVISION

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("hearten.store").joinpath("migrations"))
    )
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION == HEAD


def test_schema_is_migrated_to_head_and_commits_are_durable(url: str) -> None:
    store = Store(url)
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == HEAD
        if url.startswith("sqlite"):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        else:
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"users", "conversations", "messages", "goals", "moods", "safety_plans",
            "api_tokens", "idempotency_keys", "alembic_version"} <= names  # fmt: skip
    store.close()
    Store(url).close()  # opening again is a no-op migration


def test_messages_keep_their_order(url: str) -> None:
    store = Store(url)
    uid = store.user_id("sam")
    assert store.user_id("sam") == uid
    conv = store.start_conversation(uid)
    for i in range(5):
        store.add_message(conv, "user" if i % 2 == 0 else "assistant", f"m{i}")
    assert store.messages(conv) == [
        ("user", "m0"), ("assistant", "m1"), ("user", "m2"), ("assistant", "m3"), ("user", "m4"),
    ]  # fmt: skip
    store.close()


class PeekingVoice:
    """A voice that looks in the database while it speaks: the person's message must
    already be committed, seen from a separate connection."""

    name = "peeking"

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[str] = []

    def speak(self, plan: Plan) -> Utterance:
        engine = sa.create_engine(self.url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select text from messages where role='user' order by id"))
            self.seen = [r[0] for r in rows]
        engine.dispose()
        raise RuntimeError("backend down")  # the composer must answer instead


def test_user_message_is_committed_before_the_reply(
    url: str, tmp_path: Path, encoder: Encoder
) -> None:
    settings = Settings(home=tmp_path, locale="US", database_url=url)
    voice = PeekingVoice(url)
    companion = Companion(settings, voice=voice, encoder=encoder)
    session = companion.session("sam")
    session.send("hello")
    reply = session.send("My exams are next week and I can't focus at all")
    assert voice.seen == ["hello", "My exams are next week and I can't focus at all"]
    assert reply.voice == "composer"  # the fallback answered
    assert reply.text
    companion.close()


def test_next_session_greets_back_and_checks_in(url: str, tmp_path: Path, encoder: Encoder) -> None:
    settings = Settings(home=tmp_path, locale="US", database_url=url)
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
    second.close()


def test_a_turn_commits_the_message_first_and_the_reply_after(url: str) -> None:
    store = Store(url)
    uid = store.user_id("sam")
    conv = store.start_conversation(uid)
    claim = IdempotencyClaim(uid, "key-1", "hash-1", owner="a", lease_until=10.0)
    start = store.begin_turn(conv, "I feel low", claim)
    # Before any reply: the message is there, the reply is an empty incomplete row.
    assert store.messages(conv) == [("user", "I feel low"), ("assistant", "")]
    assert store.message(start.reply_message_id).complete is False  # type: ignore[union-attr]
    with pytest.raises(DuplicateKey) as dup:
        store.begin_turn(conv, "I feel low", claim)
    assert dup.value.existing.user_message_id == start.user_message_id
    assert store.messages(conv) == [("user", "I feel low"), ("assistant", "")]  # nothing added
    # Another owner may not take it over while the lease holds; after it, it may.
    assert not store.take_over(dup.value.existing.id, "b", lease_until=20.0, now=5.0)
    assert store.take_over(dup.value.existing.id, "b", lease_until=20.0, now=11.0)
    store.finish_turn(
        TurnResult(user_id=uid, conversation_id=conv, user_message_id=start.user_message_id,
                   reply_message_id=start.reply_message_id, text="That sounds heavy.",
                   plan={"stage": "exploration"}, state={"turn": 1}, mood=-0.4,
                   goals=[{"text": "walk at lunch", "what": "walk"}], complete=False,
                   response={"text": "That sounds heavy."}, idempotency_id=start.idempotency_id,
                   thread_key="t" * 64)
    )  # fmt: skip
    done = store.idempotent_send(uid, "key-1")
    assert done is not None and done.response == {"text": "That sounds heavy."}
    assert not store.take_over(done.id, "c", lease_until=99.0, now=98.0)  # finished: no
    assert store.message(start.reply_message_id).complete is False  # type: ignore[union-attr]
    store.complete_message(start.reply_message_id)
    assert store.message(start.reply_message_id).complete is True  # type: ignore[union-attr]
    assert [g.text for g in store.goals(uid)] == ["walk at lunch"]
    assert [m.valence for m in store.moods(uid)] == [-0.4]
    assert store.find_thread(uid, "t" * 64) == conv
    assert store.conversation(uid, conv)["state"] == {"turn": 1}  # type: ignore[index]
    store.close()


def test_a_persons_things_are_theirs_alone(url: str) -> None:
    store = Store(url)
    a, b = store.user_id("a"), store.user_id("b")
    conv = store.start_conversation(a)
    goal = store.add_goal(a, conv, "walk", "walk")
    assert store.owns(a, conv) and not store.owns(b, conv)
    assert store.conversation_messages(b, conv) is None
    assert not store.delete_conversation(b, conv)
    assert not store.set_user_goal_status(b, goal, "done")
    assert store.set_user_goal_status(a, goal, "done")
    store.add_token(a, "h" * 64)
    assert store.token_user("h" * 64) == (a, "a")
    assert store.token_user("x" * 64) is None
    assert [(u.name, u.tokens) for u in store.users()] == [("a", 1), ("b", 0)]
    store.close()


def test_deleting_a_person_removes_everything_and_leaves_no_bytes(url: str) -> None:
    store = Store(url)
    canary = "canary" + secrets.token_hex(10)
    uid = store.user_id(canary)
    conv = store.start_conversation(uid)
    start = store.begin_turn(conv, f"short {canary}")
    store.add_message(conv, "user", ("long " * 2000) + canary)  # overflow pages too
    store.add_goal(uid, conv, canary, canary)
    store.add_mood(uid, conv, start.user_message_id, -0.5)
    store.save_safety_plan(uid, {"reasons": [canary]})
    store.add_token(uid, "t" * 64)
    exported = store.export(uid)
    assert exported is not None and canary in str(exported)
    assert store.delete_user(uid)
    assert store.export(uid) is None
    assert store.token_user("t" * 64) is None
    with store.engine.connect() as conn:
        for table in ("conversations", "messages", "goals", "moods", "safety_plans"):
            assert conn.execute(sa.text(f"select count(*) from {table}")).scalar() == 0
    store.close()
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for f in path.parent.glob(path.name + "*"):
            assert canary.encode() not in f.read_bytes(), f.name


def test_an_encrypted_database_holds_no_plain_text(tmp_path: Path) -> None:
    pytest.importorskip("sqlcipher3", reason="encryption at rest needs sqlcipher3-binary")
    url = f"sqlite:///{tmp_path / 'secret.db'}"
    canary = "canary" + secrets.token_hex(10)
    store = Store(url, key="correct horse battery staple")
    uid = store.user_id("sam")
    conv = store.start_conversation(uid)
    store.add_message(conv, "user", f"nobody knows {canary}")
    store.close()
    for f in tmp_path.glob("secret.db*"):
        assert canary.encode() not in f.read_bytes()
    with pytest.raises(WrongKey):
        Store(url, key="wrong")
    with pytest.raises(WrongKey):
        Store(url)
    again = Store(url, key="correct horse battery staple")
    assert again.messages(conv) == [("user", f"nobody knows {canary}")]
    again.close()
    with pytest.raises(ValueError, match="SQLite"):
        Store("postgresql+psycopg://x@127.0.0.1:1/x", key="k")


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


def test_plain_sqlite_readers_see_committed_rows(tmp_path: Path) -> None:
    store = Store.at(tmp_path / "h.db")
    conv = store.start_conversation(store.user_id("sam"))
    store.add_message(conv, "user", "hello")
    rows = sqlite3.connect(tmp_path / "h.db").execute("select text from messages").fetchall()
    assert rows == [("hello",)]
    store.close()
