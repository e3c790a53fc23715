"""The crash test: a client sends messages (with Idempotency-Keys, retrying until it
gets an answer) while the server is killed with SIGKILL at random moments and started
again. Afterwards every acknowledged message is there exactly once, and the database
passes its integrity check."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.server.conftest import Server
from tests.server.pg import ENV as PG_ENV
from tests.server.pg import fresh_database

# SIGKILLs per backend; HEARTEN_CRASH_KILLS raises or lowers them.
KILLS = {"sqlite": 100, "postgresql": 30}
LINES = [
    "the day felt long and heavy",
    "work keeps piling up and my boss doesn't notice",
    "I couldn't sleep again last night",
    "my sister called and we argued",
    "I think I'll take a short walk after dinner this week",
    "the exam results come out on Friday",
    "I miss how things used to be",
    "I managed to cook a proper meal today",
]
PER_CONVERSATION = 8


class Client(threading.Thread):
    """Sends numbered messages one after another; a message is acknowledged when its
    reply arrives whole (JSON, or the `done` event of a stream). Until then the same
    message is sent again with the same key."""

    def __init__(self, server: Server, token: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.server, self.token, self.conv = server, token, 0
        self.rng = random.Random(seed)
        self.acked: dict[str, str] = {}  # key -> text
        self.attempts = 0
        self.last: list[str] = []  # what the latest failed sends got, for the report
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self.http = httpx.Client(timeout=20)

    def run(self) -> None:
        try:
            n = 0
            while not self.stopping.is_set():
                if n % PER_CONVERSATION == 0:
                    while not self._new_conversation():
                        time.sleep(0.1)
                n += 1
                key, text = f"k{n}", f"{n}: {self.rng.choice(LINES)} ({n})"
                streamed = self.rng.random() < 0.5
                while not self._send(key, text, streamed):
                    time.sleep(0.1)
                self.acked[key] = text
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _new_conversation(self) -> bool:
        try:
            r = self.http.post(
                f"{self.server.url}/api/conversations",
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except httpx.TransportError:
            return False
        if r.status_code != 201:
            return False
        self.conv = r.json()["id"]
        return True

    def _send(self, key: str, text: str, streamed: bool) -> bool:
        self.attempts += 1
        ok = self._try(key, text, streamed)
        self.last = (
            [] if ok is True else [*self.last[-9:], f"{key} {'sse' if streamed else 'json'} {ok}"]
        )
        return ok is True

    def _try(self, key: str, text: str, streamed: bool) -> bool | str:
        url = f"{self.server.url}/api/conversations/{self.conv}/messages"
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}
        try:
            if not streamed:
                r = self.http.post(url, json={"text": text}, headers=headers)
                if r.status_code in (409, 503):
                    return str(r.status_code)
                assert r.status_code == 200, r.text
                return r.json()["user_message_id"] > 0
            headers["Accept"] = "text/event-stream"
            with self.http.stream("POST", url, json={"text": text}, headers=headers) as r:
                if r.status_code in (409, 503):
                    return str(r.status_code)
                assert r.status_code == 200
                return any(line == "event: done" for line in r.iter_lines()) or "no done"
        except httpx.TransportError as exc:  # the server died under us
            return type(exc).__name__


@pytest.mark.slow
def test_acknowledged_messages_survive_sigkill(tmp_path: Path) -> None:
    """100 SIGKILLs of a server on SQLite and, at the same time (two cores), 30 of one
    on PostgreSQL; each with its own client."""
    lanes = ["sqlite", "postgresql"]
    if not os.environ.get(PG_ENV) and os.environ.get("CI", "").lower() != "true":
        lanes = ["sqlite"]  # no PostgreSQL here; under CI its absence fails below
    with ThreadPoolExecutor(len(lanes)) as pool:
        futures = [pool.submit(lane, b, tmp_path / b) for b in lanes]
        summaries = [f.result() for f in futures]
    print("\n".join(summaries))


def lane(backend: str, home: Path) -> str:
    kills = int(os.environ.get("HEARTEN_CRASH_KILLS", KILLS[backend]))
    seed = int(os.environ.get("HEARTEN_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    with fresh_database() if backend == "postgresql" else nullcontext() as url:
        # With PostgreSQL no server can tell the others are dead: a short lease lets
        # a retry finish a send whose server was killed.
        args = ("--encoder", "none", "--stream-delay", "0", "--rate", "1e6", "--burst", "1000000")
        server = Server(home, url, *args, env={"HEARTEN_LEASE_SECONDS": "2"})
        client: Client | None = None
        try:
            server.start()
            client = Client(server, server.add_user("crash"), seed)
            client.start()
            started = time.monotonic()
            for _ in range(kills):
                time.sleep(rng.uniform(0.0, 0.4))  # a random moment in the client's sends
                before = len(client.acked)
                server.kill()
                server.start()
                # Each restart must let the client through before the next kill.
                deadline = time.monotonic() + 60
                while len(client.acked) == before and client.error is None:
                    assert time.monotonic() < deadline, ("no progress", backend, seed, client.last)
                    time.sleep(0.02)
                assert client.error is None, client.error
        finally:
            if client is not None:
                client.stopping.set()
                client.join(120)
            server.stop()
        assert not client.is_alive() and client.error is None, (seed, client.error, client.last)
        assert server.starts == kills + 1

        engine = sa.create_engine(server.database_url)
        with engine.connect() as db:
            rows = db.execute(
                sa.text("select id, text from messages where role = 'user' order by id")
            ).all()
            replies = db.execute(
                sa.text("select text, complete from messages where role = 'assistant' and seq > 1")
            ).all()
            # Every message has its reply after it, written or (cut off by a crash) not.
            orphans = db.execute(
                sa.text(
                    "select count(*) from messages m where role = 'user' and not exists ("
                    "select 1 from messages r where r.conversation_id = m.conversation_id "
                    "and r.seq = m.seq + 1 and r.role = 'assistant')"
                )
            ).scalar()
        engine.dispose()
        texts = [t for _, t in rows]
        assert len(client.acked) >= kills
        for key, text in client.acked.items():
            assert texts.count(text) == 1, (backend, seed, key, texts.count(text))
        assert len(texts) == len(set(texts)), f"a message was stored twice ({backend}, {seed})"
        assert len(texts) == len(client.acked)  # every stored message was retried to an answer
        assert orphans == 0
        if backend == "sqlite":
            check = sqlite3.connect(server.db_path).execute("PRAGMA integrity_check").fetchall()
            assert check == [("ok",)]
        return (
            f"{backend}: {kills} SIGKILLs in {time.monotonic() - started:.0f}s, "
            f"{len(client.acked)} messages acknowledged and each stored once, "
            f"{client.attempts} sends, {sum(not r.complete for r in replies)} replies "
            f"marked cut off, seed {seed}"
        )
