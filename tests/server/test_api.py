"""The whole HTTP API over real HTTP against `hearten serve`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

import httpx

from tests.server.conftest import Server


def sse_events(response: httpx.Response) -> list[tuple[str, Any]]:
    """(event, data) for each event of a text/event-stream body, in order."""
    events: list[tuple[str, Any]] = []
    name, data = "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                raw = "\n".join(data)
                events.append((name, raw if raw == "[DONE]" else json.loads(raw)))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    return events


def new_person(server: Server) -> httpx.Client:
    return server.client(server.add_user("p-" + secrets.token_hex(4)))


def start(client: httpx.Client) -> int:
    r = client.post("/api/conversations")
    assert r.status_code == 201, r.text
    assert r.json()["opening"]
    return int(r.json()["id"])


def messages(client: httpx.Client, conv: int) -> list[dict[str, Any]]:
    r = client.get(f"/api/conversations/{conv}")
    assert r.status_code == 200, r.text
    return list(r.json()["messages"])


def test_openapi_schema_documents_the_api(server: Server) -> None:
    schema = httpx.get(server.url + "/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "/api/conversations",
        "/api/conversations/{conversation_id}",
        "/api/conversations/{conversation_id}/messages",
        "/api/goals",
        "/api/goals/{goal_id}",
        "/api/mood",
        "/api/safety-plan",
        "/api/export",
        "/api/me",
        "/api/resources",
        "/v1/chat/completions",
        "/v1/models",
    ]:
        assert path in paths, path
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    send = paths["/api/conversations/{conversation_id}/messages"]["post"]
    assert "text/event-stream" in send["responses"]["200"]["content"]
    assert "/" not in paths  # the page is not part of the API


def test_a_conversation_from_start_to_deletion(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        r = c.post(
            f"/api/conversations/{conv}/messages",
            json={"text": "*sighs* Work is crushing me and my boss keeps adding projects."},
        )
        assert r.status_code == 200, r.text
        reply = r.json()
        assert reply["text"] and reply["conversation_id"] == conv
        assert reply["stage"] in {"exploration", "comforting", "action"}
        assert reply["mood"] < 0
        assert reply["concerns"] and reply["risk"]["level"] == "none"
        listed = c.get("/api/conversations").json()
        assert [x["id"] for x in listed] == [conv]
        stored = messages(c, conv)
        assert [(m["role"], m["complete"]) for m in stored] == [
            ("assistant", True),
            ("user", True),
            ("assistant", True),
        ]
        assert stored[2]["text"] == reply["text"]
        assert c.delete(f"/api/conversations/{conv}").status_code == 204
        assert c.get(f"/api/conversations/{conv}").status_code == 404
        assert c.delete(f"/api/conversations/{conv}").status_code == 404
        assert c.get("/api/conversations").json() == []


def test_replies_stream_word_by_word_after_the_message_is_committed(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        text = "I feel so alone since the breakup, and the evenings are the worst."
        with c.stream(
            "POST",
            f"/api/conversations/{conv}/messages",
            json={"text": text},
            headers={"Accept": "text/event-stream"},
        ) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            lines = r.iter_lines()
            first = [next(lines), next(lines)]
            assert first[0] == "event: start"
            # The person's message is stored before the first word of the reply is read.
            with server.client(c.headers["Authorization"].split()[1]) as other:
                seen = messages(other, conv)
            assert [m["text"] for m in seen if m["role"] == "user"] == [text]
            rest = "\n".join(lines)
        events = sse_events_from_text("\n".join(first) + "\n" + rest)
        names = [n for n, _ in events]
        assert names[0] == "start" and names[-1] == "done"
        tokens = [d["text"] for n, d in events if n == "token"]
        done = events[-1][1]
        assert len(tokens) == len(done["text"].split()) > 5
        assert "".join(tokens) == done["text"]
        stored = messages(c, conv)
        assert stored[-1]["text"] == done["text"] and stored[-1]["complete"] is True


def sse_events_from_text(raw: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data:
            raw_data = "\n".join(data)
            out.append((name, raw_data if raw_data == "[DONE]" else json.loads(raw_data)))
    return out


def test_a_retried_send_stores_one_message_and_replays_the_first_reply(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        body = {"text": "My exams are next week and I can't focus at all."}
        key = {"Idempotency-Key": "exam-1"}
        first = c.post(f"/api/conversations/{conv}/messages", json=body, headers=key)
        again = c.post(f"/api/conversations/{conv}/messages", json=body, headers=key)
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        # The replay streams the same words, too.
        with c.stream(
            "POST",
            f"/api/conversations/{conv}/messages",
            json=body,
            headers={**key, "Accept": "text/event-stream"},
        ) as r:
            events = sse_events(r)
        assert events[-1][1]["text"] == first.json()["text"]
        assert events[0][1]["replayed"] is True
        # The same key with another body is refused, and stores nothing.
        other = c.post(
            f"/api/conversations/{conv}/messages", json={"text": "something else"}, headers=key
        )
        assert other.status_code == 422
        assert "Idempotency-Key" in other.json()["detail"]
        users = [m for m in messages(c, conv) if m["role"] == "user"]
        assert [m["text"] for m in users] == [body["text"]]


def test_ten_concurrent_duplicates_store_one_message(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        token = c.headers["Authorization"].split()[1]
        body = {"text": "I keep crying at night and I don't know why."}
        results: list[httpx.Response] = []
        barrier = threading.Barrier(10)

        def send() -> None:
            with server.client(token) as own:
                barrier.wait()
                results.append(
                    own.post(
                        f"/api/conversations/{conv}/messages",
                        json=body,
                        headers={"Idempotency-Key": "night-1"},
                    )
                )

        threads = [threading.Thread(target=send) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.status_code for r in results] == [200] * 10
        assert len({r.text for r in results}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in results) == 9
        stored = messages(c, conv)
        assert [m["text"] for m in stored if m["role"] == "user"] == [body["text"]]
        assert len(stored) == 3


def test_another_persons_things_are_404_on_every_route_and_method(server: Server) -> None:
    schema = httpx.get(server.url + "/openapi.json").json()
    with new_person(server) as alice, new_person(server) as bob:
        conv = start(alice)
        alice.post(
            f"/api/conversations/{conv}/messages",
            json={"text": "I'll take a short walk at lunch three times this week."},
        )
        goals = alice.get("/api/goals").json()
        assert goals, "the commitment became a goal"
        ids = {"conversation_id": conv, "goal_id": goals[0]["id"]}
        before = (messages(alice, conv), alice.get("/api/goals").json())
        bodies: dict[str, Any] = {"post": {"text": "hello"}, "patch": {"status": "done"}}
        checked = 0
        for path, item in schema["paths"].items():
            if "{" not in path:
                continue
            for method in item:
                url = path.format(**ids)
                missing = path.format(conversation_id=2**31 - 1, goal_id=2**31 - 1)
                r = bob.request(method.upper(), url, json=bodies.get(method))
                gone = bob.request(method.upper(), missing, json=bodies.get(method))
                assert r.status_code == 404, (method, path, r.status_code)
                assert r.json() == gone.json()  # indistinguishable from no such thing
                checked += 1
        assert checked >= 4  # GET and DELETE a conversation, send to it, PATCH a goal
        # Methods a route does not have: the same answer whoever owns the thing.
        assert bob.put(f"/api/conversations/{conv}").status_code == 405
        assert alice.put(f"/api/conversations/{conv}").status_code == 405
        assert (messages(alice, conv), alice.get("/api/goals").json()) == before


def test_requests_without_a_valid_token_are_401(server: Server) -> None:
    for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}]:
        r = httpx.get(server.url + "/api/conversations", headers=headers)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"
    assert httpx.get(server.url + "/api/resources").status_code == 200  # help needs no token


def test_bad_input_gets_a_clear_error_and_loses_nothing(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        url = f"/api/conversations/{conv}/messages"
        h = {"Content-Type": "application/json"}
        cases: list[tuple[bytes, int]] = [
            (b'{"text": ', 422),  # malformed JSON
            (b'{"text": "caf\xc3"}', 400),  # invalid UTF-8
            (b'\xff\xfe{"text": "x"}', 400),
            (b'{"text": 5}', 422),
            (b'{"text": ""}', 422),
            (b'{"text": "   "}', 422),
            (b'{"txt": "hello"}', 422),
            (b'{"text": "hi", "extra": 1}', 422),
            (b'{"text": "a\\u0000b"}', 422),  # NUL cannot be stored
            (b'{"text": "\\ud800"}', 422),  # a lone surrogate
            (b"[]", 422),
            (b"", 422),
            (json.dumps({"text": "x" * 8001}).encode(), 413),
        ]
        for body, code in cases:
            r = c.post(url, content=body, headers=h)
            assert r.status_code == code, (body[:30], r.status_code, r.text)
            assert isinstance(r.json()["detail"], str | list)
        assert c.post("/api/conversations/0/messages", json={"text": "x"}).status_code == 422
        assert c.post("/api/conversations/abc/messages", json={"text": "x"}).status_code == 422
        assert (
            c.post(url, json={"text": "ok"}, headers={"Idempotency-Key": "k" * 256}).status_code
            == 422
        )
        assert c.patch("/api/goals/1", json={"status": "maybe"}).status_code == 422
        assert [m["role"] for m in messages(c, conv)] == ["assistant"]  # nothing stored
        assert c.post(url, json={"text": "still here"}).status_code == 200


def test_oversized_bodies_are_413_whether_declared_or_streamed(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        url = f"/api/conversations/{conv}/messages"
        big = json.dumps({"text": "y" * 70_000}).encode()
        assert (
            c.post(url, content=big, headers={"Content-Type": "application/json"}).status_code
            == 413
        )

        def chunks() -> Any:  # no Content-Length: the server counts as it reads
            for i in range(0, len(big), 8192):
                yield big[i : i + 8192]

        r = c.post(url, content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert [m["role"] for m in messages(c, conv)] == ["assistant"]


def test_goals_mood_safety_plan_and_crisis(server: Server) -> None:
    with new_person(server) as c:
        conv = start(c)
        url = f"/api/conversations/{conv}/messages"
        c.post(url, json={"text": "I feel so low. Work is crushing me."})
        c.post(url, json={"text": "I think I'll take a short walk at lunch a few times this week."})
        goals = c.get("/api/goals").json()
        assert [g["status"] for g in goals] == ["open"]
        assert "walk" in goals[0]["text"]
        r = c.patch(f"/api/goals/{goals[0]['id']}", json={"status": "partly"})
        assert r.status_code == 200 and r.json()["status"] == "partly"
        mood = c.get("/api/mood").json()
        assert len(mood) == 2 and all(-1 <= m["valence"] <= 1 for m in mood)
        plan = {"warning_signs": ["not sleeping"], "reasons": ["my sister"]}
        assert c.put("/api/safety-plan", json=plan).status_code == 200
        assert c.get("/api/safety-plan").json()["reasons"] == ["my sister"]
        crisis = c.post(url, json={"text": "I want to kill myself tonight, I have the pills here"})
        assert crisis.json()["crisis"] is True
        assert crisis.json()["risk"]["level"] in {"high", "imminent"}
        assert "988" in crisis.json()["text"] or "911" in crisis.json()["text"]
        me = c.get("/api/me").json()
        assert me["stays_on_this_machine"] is True and me["remote_host"] is None


def test_export_has_everything_and_deletion_removes_it(server: Server) -> None:
    canary = "zebra-" + secrets.token_hex(8)
    with new_person(server) as c:
        conv = start(c)
        c.post(
            f"/api/conversations/{conv}/messages",
            json={"text": f"My friend {canary} moved away and I feel lonely."},
        )
        c.post(f"/api/conversations/{conv}/messages", json={"text": "long " * 1500 + canary})
        c.put("/api/safety-plan", json={"coping": [f"call {canary}"]})
        r = c.get("/api/export")
        assert r.status_code == 200
        assert "attachment" in r.headers["Content-Disposition"]
        data = r.json()
        assert data["user"]["name"]
        texts = [m["text"] for conv_ in data["conversations"] for m in conv_["messages"]]
        assert any(canary in t for t in texts)
        assert data["safety_plan"]["coping"] == [f"call {canary}"]
        assert len(data["mood"]) == 2
        assert c.delete("/api/me").status_code == 204
        assert c.get("/api/me").status_code == 401  # the token went with everything else
    if server.database_url.startswith("sqlite"):
        # The bytes are gone from the database file and its WAL.
        for path in server.home.glob("hearten.db*"):
            assert canary.encode() not in path.read_bytes(), path.name


def test_openai_compatible_chat_completions(server: Server) -> None:
    with new_person(server) as c:
        first = [
            {"role": "system", "content": "You are a pirate."},
            {"role": "user", "content": "I've been so stressed about my exams."},
        ]
        r = c.post("/v1/chat/completions", json={"model": "hearten", "messages": first})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["object"] == "chat.completion"
        answer = body["choices"][0]["message"]
        assert answer["role"] == "assistant" and answer["content"]
        assert body["choices"][0]["finish_reason"] == "stop"
        # The client sends the transcript back plus one message: the same conversation.
        second = [
            *first,
            answer,
            {
                "role": "user",
                "content": [{"type": "text", "text": "I can't sleep the night before."}],
            },
        ]
        with c.stream(
            "POST",
            "/v1/chat/completions",
            json={"model": "hearten", "messages": second, "stream": True},
        ) as s:
            events = sse_events(s)
        assert events[-1] == ("message", "[DONE]")
        chunks = [d for _, d in events[:-1]]
        assert all(ch["object"] == "chat.completion.chunk" for ch in chunks)
        assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
        assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
        content = "".join(ch["choices"][0]["delta"].get("content", "") for ch in chunks)
        assert content and len(chunks) > 5
        convs = c.get("/api/conversations").json()
        assert len(convs) == 1
        stored = messages(c, convs[0]["id"])
        assert [m["text"] for m in stored if m["role"] == "user"] == [
            "I've been so stressed about my exams.",
            "I can't sleep the night before.",
        ]
        assert stored[-1]["text"] == content
        models = c.get("/v1/models").json()
        assert models["data"][0]["id"] == "hearten"
        bad = c.post(
            "/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]}
        )
        assert bad.status_code == 422 and "message" in bad.json()["error"]
        assert c.post("/v1/chat/completions", json={"messages": []}).status_code == 422


def test_openai_sends_are_idempotent_too(server: Server) -> None:
    with new_person(server) as c:
        body = {"messages": [{"role": "user", "content": "Everything feels heavy lately."}]}
        key = {"Idempotency-Key": "oa-1"}
        a = c.post("/v1/chat/completions", json=body, headers=key)
        b = c.post("/v1/chat/completions", json=body, headers=key)
        assert a.json()["choices"] == b.json()["choices"]
        assert len(c.get("/api/conversations").json()) == 1
