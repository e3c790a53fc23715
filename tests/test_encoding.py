"""One encoding a turn, kept no longer than the turn; the lazy subcommands; the store's
conversation list counted in SQL."""

from __future__ import annotations

import threading
from pathlib import Path

import click
import numpy as np
import pytest

from hearten.companion import Companion
from hearten.config import Settings
from hearten.store import Store
from hearten.understanding.encoders import CachingEncoder, Encoder, Vectors, caching
from hearten.understanding.text import sentence_text


class Counting:
    """A real encoder that records every text it is asked to encode."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> Vectors:
        with self._lock:
            self.calls += texts
        return self.inner.encode(texts)


def test_cache_evicts_the_least_recently_used_and_handles_repeats(encoder: Encoder) -> None:
    counting = Counting(encoder)
    cache = CachingEncoder(counting, size=2)
    a, b, c = "the first text", "the second text", "the third text"
    first = cache.encode([a, a, b])
    assert counting.calls == [a, b]  # a repeat in one call is encoded once
    assert np.array_equal(first[0], first[1])
    cache.encode([a])  # a is now the most recent
    cache.encode([c])  # evicts b
    assert cache.remembered() == 2
    cache.encode([a, b])
    assert counting.calls == [a, b, c, b]
    cache.forget([a, "never seen"])
    assert cache.remembered() == 1
    assert cache.encode([]).shape[0] == 0
    assert caching(cache) is cache and caching(None) is None


def test_an_empty_cache_is_still_an_encoder(encoder: Encoder, tmp_path: Path) -> None:
    # `encoder or None` must keep it: the simulator hands its companion a fresh cache.
    fresh = CachingEncoder(encoder)
    assert fresh
    settings = Settings(home=tmp_path / "home", locale="US", user="sam")
    c = Companion(settings, encoder=fresh)
    assert c.encoder is fresh
    c.close()
    from hearten.simulate.bots import BotSpec, make_bot

    bot = make_bot(BotSpec(), home=tmp_path / "sim")
    assert isinstance(bot.companion.encoder, CachingEncoder)
    bot.close()


def test_a_turn_encodes_its_text_once_and_keeps_nothing(encoder: Encoder, tmp_path: Path) -> None:
    counting = Counting(encoder)
    settings = Settings(home=tmp_path / "home", locale="US", user="sam")
    c = Companion(settings, encoder=counting)
    session = c.session(seed=1)
    session.opening()
    counting.calls.clear()  # the prototype indexes were encoded (or read) above
    # No lexical concern, so understanding encodes it; the screen needs it too.
    text = "*stares at the floor* everything feels grey and slow lately, honestly"
    session.send(text)
    assert counting.calls == [sentence_text(text)]
    assert isinstance(c.encoder, CachingEncoder) and c.encoder.remembered() == 0
    c.close()


def test_a_missing_room_is_no_command_but_a_broken_one_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hearten.cli as cli

    real = cli.import_module

    def missing(name: str) -> object:
        if name == "hearten.simulate.commands":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name)

    ctx = click.Context(cli.main)
    assert cli.main.get_command(ctx, "simulate") is not None
    assert {"chat", "eval", "serve", "simulate", "users"} <= set(cli.main.list_commands(ctx))
    monkeypatch.setattr(cli, "import_module", missing)
    assert cli.main.get_command(ctx, "simulate") is None

    def broken(name: str) -> object:
        raise ModuleNotFoundError("No module named 'locust'", name="locust")

    monkeypatch.setattr(cli, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="locust"):
        cli.main.get_command(ctx, "serve")


def test_conversation_list_counts_messages_and_takes_the_first_words(tmp_path: Path) -> None:
    store = Store.at(tmp_path / "h.db")
    uid = store.user_id("sam")
    assert not store.has_conversations(uid)
    first = store.start_conversation(uid)
    store.add_message(first, "assistant", "Hello, how are you?")
    store.add_message(first, "user", "Not great, honestly.")
    store.add_message(first, "assistant", "I'm sorry.")
    store.add_message(first, "user", "Work again.")
    empty = store.start_conversation(uid)
    other = store.start_conversation(store.user_id("alex"))
    store.add_message(other, "user", "Someone else's words.")
    assert store.has_conversations(uid)
    listed = store.conversations(uid)
    assert [(c.id, c.messages, c.first_words) for c in listed] == [
        (first, 4, "Not great, honestly."),
        (empty, 0, ""),
    ]
    store.close()
