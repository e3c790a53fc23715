"""Limits over real HTTP: rate per person (429), bounded concurrency (503), and a
stream cut off by the client leaves the reply marked incomplete."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from tests.server.conftest import running


def test_a_person_going_too_fast_gets_429_with_retry_after(tmp_path: Path) -> None:
    with running(tmp_path, "sqlite", "--rate", "6", "--burst", "3", "--encoder", "none") as server:
        fast, calm = server.add_user("fast"), server.add_user("calm")
        with server.client(fast) as c:
            codes = [c.get("/api/goals").status_code for _ in range(3)]
            assert codes == [200, 200, 200]
            r = c.get("/api/goals")
            assert r.status_code == 429
            assert int(r.headers["Retry-After"]) >= 1
            assert "wait" in r.json()["detail"]
        with server.client(calm) as c:  # one person's pace does not slow another
            assert c.get("/api/goals").status_code == 200


def test_a_full_server_answers_503_with_retry_after_instead_of_queueing(tmp_path: Path) -> None:
    with running(tmp_path, "sqlite", "--max-concurrency", "1", "--encoder", "none") as server:
        # One request in flight: its headers are in, its body never comes.
        hold = socket.create_connection(("127.0.0.1", server.port))
        hold.sendall(
            b"POST /api/conversations/1/messages HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        try:
            deadline = time.monotonic() + 10
            r = httpx.get(server.url + "/healthz")
            while r.status_code != 503 and time.monotonic() < deadline:
                time.sleep(0.05)  # until the server has taken the held request in
                r = httpx.get(server.url + "/healthz")
            assert r.status_code == 503
            assert r.headers["Retry-After"] == "1"
        finally:
            hold.close()
        deadline = time.monotonic() + 10
        while httpx.get(server.url + "/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the slot was never given back"
            time.sleep(0.05)


def test_a_stream_cut_off_leaves_the_message_and_an_incomplete_reply(tmp_path: Path) -> None:
    delay = 0.1
    with (
        running(tmp_path, "sqlite", "--stream-delay", str(delay), "--encoder", "none") as server,
        server.client(server.add_user("cut")) as c,
    ):
        conv = c.post("/api/conversations").json()["id"]
        text = "Everything at home has been so tense and I can't switch off at night."
        with c.stream(
            "POST",
            f"/api/conversations/{conv}/messages",
            json={"text": text},
            headers={"Accept": "text/event-stream"},
        ) as r:
            lines = r.iter_lines()
            while not next(lines).startswith("event: token"):
                pass
        # Gone after the first word. Wait as long as the whole reply would take.
        stored = c.get(f"/api/conversations/{conv}").json()["messages"]
        time.sleep(len(stored[-1]["text"].split()) * delay + 0.5)
        stored = c.get(f"/api/conversations/{conv}").json()["messages"]
        assert [(m["role"], m["complete"]) for m in stored] == [
            ("assistant", True),
            ("user", True),
            ("assistant", False),
        ]
        assert stored[1]["text"] == text
        assert stored[2]["text"]  # the whole reply is kept, marked as cut off
