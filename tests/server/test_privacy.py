"""Privacy: what people write never reaches the server's output, error paths included,
and a database with a key is encrypted at rest."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import sqlite3
from pathlib import Path

import httpx
import pytest

from hearten.store import Store, WrongKey
from tests.server.conftest import Server, running

J = {"Content-Type": "application/json"}


def _raw(server: Server, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(request)
        with contextlib.suppress(OSError):
            s.recv(65536)


def test_a_canary_sent_through_every_path_never_appears_in_the_output(tmp_path: Path) -> None:
    canary = "canary" + secrets.token_hex(12)
    with running(tmp_path, "sqlite", "--rate", "1000", "--burst", "1000") as server:
        token = server.add_user("wren")
        other = server.add_user("finch")
        with server.client(token) as c, server.client(other) as o:
            conv = c.post("/api/conversations").json()["id"]
            url = f"/api/conversations/{conv}/messages"
            said = f"My friend {canary} said I'll go for a run on Saturday morning."
            assert c.post(url, json={"text": said}).status_code == 200
            with c.stream(
                "POST",
                url,
                json={"text": f"{canary} again"},
                headers={"Accept": "text/event-stream"},
            ) as r:
                r.read()
            key = {"Idempotency-Key": canary}
            assert c.post(url, json={"text": canary}, headers=key).status_code == 200
            assert c.post(url, json={"text": canary}, headers=key).status_code == 200
            assert c.post(url, json={"text": canary + "!"}, headers=key).status_code == 422
            crisis = f"I want to end my life tonight {canary}"
            assert c.post(url, json={"text": crisis}).json()["crisis"] is True
            assert c.post(url, json={"text": canary * 400}).status_code == 413
            assert (
                c.post(url, content=json.dumps({"text": canary * 3000}), headers=J).status_code
                == 413
            )
            bad = [
                f'{{"text": "{canary}',
                f'{{"text": {canary}}}',
                f'{{"text": ["{canary}"]}}',
                f'{{"text": "{canary}", "{canary}": 1}}',
                f'{{"text": "{canary}\\u0000"}}',
            ]
            for body in bad:
                assert c.post(url, content=body.encode(), headers=J).status_code == 422
            invalid = b'{"text": "' + canary.encode() + b'\xff\xfe"}'
            assert c.post(url, content=invalid, headers=J).status_code == 400
            assert o.post(url, json={"text": canary}).status_code == 404  # someone else's
            assert c.get(f"/api/conversations/{canary}").status_code == 422
            assert c.get(f"/api/{canary}?q={canary}").status_code == 404
            assert c.patch("/api/goals/1", json={"status": canary}).status_code in (404, 422)
            assert c.put("/api/safety-plan", json={"reasons": [canary]}).status_code == 200
            assert c.put("/api/safety-plan", json={"reasons": canary}).status_code == 422
            chat = {"messages": [{"role": "user", "content": canary}], "stream": False}
            assert c.post("/v1/chat/completions", json=chat).status_code == 200
            chat["stream"] = True
            with c.stream("POST", "/v1/chat/completions", json=chat) as r:
                r.read()
            bad_chat = {"messages": [{"role": "assistant", "content": canary}]}
            assert c.post("/v1/chat/completions", json=bad_chat).status_code == 422
            assert c.get("/api/export").status_code == 200
        bearer = {"Authorization": f"Bearer {canary}"}
        assert httpx.get(server.url + "/api/goals", headers=bearer).status_code == 401
        _raw(server, f"GET /{canary} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        _raw(server, f"{canary} / HTTP/1.1\r\n\r\n".encode())
        _raw(
            server,
            f"POST {url} HTTP/1.1\r\nHost: x\r\nX-{canary}: {canary}\r\n"
            f"Content-Length: 5\r\n\r\n{canary}".encode(),
        )
        server.stop()
    out = server.output()
    assert b"POST /api/conversations/{conversation_id}/messages 200" in out  # it does log
    assert b" 413 " in out and b" 422 " in out and b" 404 " in out
    assert canary.encode() not in out
    assert canary[6:].encode() not in out  # nor a piece of it


def test_a_keyed_database_is_encrypted_at_rest(tmp_path: Path) -> None:
    pytest.importorskip("sqlcipher3", reason="encryption at rest needs sqlcipher3-binary")
    canary = "canary" + secrets.token_hex(12)
    key = secrets.token_urlsafe(24)
    with running(
        tmp_path, "sqlite", "--encoder", "none", env={"HEARTEN_DATABASE_KEY": key}
    ) as server:
        token = server.add_user("robin")
        with server.client(token) as c:
            conv = c.post("/api/conversations").json()["id"]
            text = f"Nobody knows about {canary} but you."
            assert c.post(f"/api/conversations/{conv}/messages", json={"text": text}).is_success
        server.stop()
    files = sorted(tmp_path.glob("hearten.db*"))
    assert files and all(canary.encode() not in f.read_bytes() for f in files)
    with pytest.raises(sqlite3.DatabaseError):  # without the key it is noise
        sqlite3.connect(server.db_path).execute("select * from messages").fetchall()
    with pytest.raises(WrongKey):
        Store(server.database_url, key="not the key")
    store = Store(server.database_url, key=key)  # with it, everything is there
    uid = store.find_user("robin")
    assert uid is not None
    assert text in str(store.export(uid))
    store.close()
    # A server given the wrong key says so and does not start.
    wrong = Server(tmp_path, None, env={"HEARTEN_DATABASE_KEY": "wrong"})
    with pytest.raises(RuntimeError, match="encryption key is wrong"):
        wrong.start()


def test_the_page_says_when_messages_leave_the_machine(tmp_path: Path) -> None:
    # Nothing is sent here, so the LLM server named below is never contacted.
    env = {"HEARTEN_VOICE": "openai", "HEARTEN_LLM_BASE_URL": "http://llm.example:8000/v1",
           "HEARTEN_LLM_MODEL": "some-model"}  # fmt: skip
    with running(tmp_path, "sqlite", "--encoder", "none", env=env) as server:
        with server.client(server.add_user("lark")) as c:
            me = c.get("/api/me").json()
        assert me["stays_on_this_machine"] is False
        assert me["remote_host"] == "llm.example"
        assert me["voice"] == "openai"
