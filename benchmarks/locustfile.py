"""The simulated clients of the load benchmark (benchmarks/load.py runs this file with
`locust --headless`; it is not meant to be run by hand).

Each locust user is one person in one ongoing conversation, with no think time (a
closed loop): it starts a conversation, sends the user turns of one script, one after
the other as soon as each reply is in, then starts the next conversation. Every
request is recorded with its exact latency and, for a reply, the id of the stored
reply message, so the benchmark can compute its own percentiles and check that each
acknowledged reply is in the database.

Read from the environment:
    LOAD_TARGET   "api" (hearten's /api) or "openai" (any /v1/chat/completions)
    LOAD_TOKENS   a JSON file: a list of bearer tokens, one per user (cycled)
    LOAD_SCRIPTS  a JSON file: a list of conversations, each a list of user messages
    LOAD_OFFSET   the first conversation of the list this run takes (then the next...)
    LOAD_OUT      where to write the records (JSON) when locust quits
"""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task
from locust.env import Environment

TARGET = os.environ.get("LOAD_TARGET", "api")
TOKENS: list[str] = json.loads(Path(os.environ["LOAD_TOKENS"]).read_text("utf-8"))
SCRIPTS: list[list[str]] = json.loads(Path(os.environ["LOAD_SCRIPTS"]).read_text("utf-8"))
OFFSET = int(os.environ.get("LOAD_OFFSET", "0"))
OUT = Path(os.environ["LOAD_OUT"])

# One row a request: kind ("start" or "turn"), client, wall-clock end, latency in ms,
# HTTP status (0: no response), error (None when it succeeded), reply message id.
RECORDS: list[tuple[str, int, float, float, int, str | None, int | None]] = []
WINDOW: dict[str, float] = {}
_clients = itertools.count()
# Shared by all users: each new conversation takes the next script, so no two clients
# (and, with LOAD_OFFSET, no two runs) send the same one.
_scripts = itertools.count(OFFSET)


def _started(environment: Environment, **_: Any) -> None:
    WINDOW["start"] = time.time()


def _stopping(environment: Environment, **_: Any) -> None:
    # The end of the measured window: from here on users only finish the turn in hand.
    WINDOW["stop"] = time.time()


def _quitting(environment: Environment, **_: Any) -> None:
    used = next(_scripts) - OFFSET
    OUT.write_text(json.dumps({"window": WINDOW, "scripts": used, "records": RECORDS}), "utf-8")


# Plain calls rather than decorators, whose lack of types would hide the listeners'.
events.test_start.add_listener(_started)  # type: ignore[no-untyped-call]
events.test_stopping.add_listener(_stopping)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_quitting)  # type: ignore[no-untyped-call]


class Person(FastHttpUser):
    wait_time = constant(0)  # closed loop: the next turn goes as soon as the reply is in
    # One connection per user (as one browser tab would keep), and no retries: a failed
    # request must count as a failure, not be hidden by a second try.
    concurrency = 1
    max_retries = 0
    network_timeout = 120.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.number = next(_clients)
        self.headers = {"Authorization": f"Bearer {TOKENS[self.number % len(TOKENS)]}"}
        self.script: list[str] = []
        self.conversation: int | None = None
        self.transcript: list[dict[str, str]] = []

    def _next_script(self) -> None:
        self.script = list(SCRIPTS[next(_scripts) % len(SCRIPTS)])

    def _request(self, kind: str, path: str, body: dict[str, Any], expect: int) -> Any:
        """POST body to path; the parsed JSON answer, or None after recording a failure."""
        started = time.perf_counter()
        with self.client.post(
            path, json=body, headers=self.headers, name=f"{kind} {path.split('/')[-1]}",
            catch_response=True,
        ) as response:  # fmt: skip
            ms = (time.perf_counter() - started) * 1000
            status = int(response.status_code or 0)
            error: str | None = None
            data: Any = None
            if status != expect:
                error = f"HTTP {status}" if status else type(response.error).__name__
            else:
                try:
                    data = response.json()
                except ValueError:
                    error = "not JSON"
            reply = _reply_id(data) if kind == "turn" and error is None else None
            if kind == "turn" and error is None and reply is None:
                error = "no reply id"
            if error is None:
                response.success()
            else:
                response.failure(error)
        RECORDS.append((kind, self.number, time.time(), ms, status, error, reply))
        return data if error is None else None

    @task
    def turn(self) -> None:
        if TARGET == "openai":
            self._openai_turn()
        else:
            self._api_turn()

    def _api_turn(self) -> None:
        if self.conversation is None or not self.script:
            self._next_script()
            created = self._request("start", "/api/conversations", {}, 201)
            if created is None:
                self.conversation = None
                return
            self.conversation = int(created["id"])
        text = self.script.pop(0)
        self._request("turn", f"/api/conversations/{self.conversation}/messages",
                      {"text": text}, 200)  # fmt: skip

    def _openai_turn(self) -> None:
        # An OpenAI client sends the whole transcript each time; a new one starts empty.
        if not self.script:
            self._next_script()
            self.transcript = []
        text = self.script.pop(0)
        messages = [*self.transcript, {"role": "user", "content": text}]
        data = self._request("turn", "/v1/chat/completions",
                             {"model": "hearten", "messages": messages}, 200)  # fmt: skip
        if data is not None:
            answer = data["choices"][0]["message"]["content"]
            self.transcript = [*messages, {"role": "assistant", "content": answer}]


def _reply_id(data: Any) -> int | None:
    """The stored reply's id: hearten's /api says it; its /v1 names it chatcmpl-ID."""
    if not isinstance(data, dict):
        return None
    if "reply_message_id" in data:
        return int(data["reply_message_id"])
    ident = str(data.get("id", ""))
    if ident.startswith("chatcmpl-") and data.get("choices"):
        return int(ident.removeprefix("chatcmpl-"))
    return None
