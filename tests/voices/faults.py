"""A misbehaving OpenAI-compatible server on 127.0.0.1, for testing the openai voice.

Raw sockets, so it can do what a real framework would not: hang before or after the
headers, trickle, drop mid-stream, send broken events or 10 MB. POST
`/v1/chat/completions` behaves as `server.mode`; `/m/<mode>/v1/chat/completions`
as <mode>. It records every request and every client that went away early.

    python tests/voices/faults.py [--port 8011]   # to try a voice against it by hand
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

SAFE_REPLY = (
    "That sounds like a lot to carry, with your boss piling on more and more. "
    "It makes sense that you feel like you are falling behind. "
    "What has the past week been like for you?"
)
UNSAFE_REPLY = (
    "You clearly have clinical depression. Here is what to do:\n"
    "- Take a week off\n- Ask your doctor about medication"
)
HANG_LIMIT = 60.0  # no hang outlives this, whatever the test does


@dataclass
class Hit:
    mode: str
    path: str
    body: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class FaultServer:
    """Start with `with FaultServer() as server:`; `server.url()` is the base URL."""

    MODES: tuple[str, ...] = (
        "ok", "json", "unsafe", "error500", "busy429", "busy429_once", "busy503_long",
        "hang_headers", "hang_body", "pings", "trickle", "trickle_bytes", "drop",
        "malformed", "not_sse", "huge", "huge_line", "huge_json", "slow",
    )  # fmt: skip

    def __init__(self, mode: str = "ok", port: int = 0) -> None:
        self.mode = mode
        self.hits: list[Hit] = []
        self.gone: list[str] = []  # modes whose client disconnected before the end
        self.stopping = threading.Event()
        self.changed = threading.Condition()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fault = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, mode: str | None = None) -> str:
        prefix = f"/m/{mode}" if mode else ""
        return f"http://127.0.0.1:{self.port}{prefix}/v1"

    def count(self, mode: str) -> int:
        return sum(h.mode == mode for h in self.hits)

    def record(self, hit: Hit | None = None, gone: str | None = None) -> None:
        with self.changed:
            if hit is not None:
                self.hits.append(hit)
            if gone is not None:
                self.gone.append(gone)
            self.changed.notify_all()

    def wait_gone(self, mode: str, timeout: float) -> bool:
        """Whether a client of `mode` went away within `timeout` seconds."""
        with self.changed:
            return self.changed.wait_for(lambda: mode in self.gone, timeout)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    fault: FaultServer


class _ClientGone(Exception):
    pass


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        fault = self.server.fault
        sock: socket.socket = self.request
        try:
            path, headers, body = _read_request(sock)
        except (OSError, ValueError):
            return
        mode = fault.mode
        if path.startswith("/m/"):
            mode = path.split("/")[2]
        fault.record(Hit(mode=mode, path=path, body=body, headers=headers))
        try:
            _ACTIONS[mode](self, mode)
        except _ClientGone:
            fault.record(gone=mode)
        except OSError:
            fault.record(gone=mode)

    # writing

    def send(self, data: bytes) -> None:
        try:
            self.request.sendall(data)
        except OSError as exc:
            raise _ClientGone from exc

    def head(self, status: str, kind: str, extra: str = "", *, length: int | None = None) -> None:
        framing = (
            f"content-length: {length}" if length is not None else "transfer-encoding: chunked"
        )
        self.send(
            f"HTTP/1.1 {status}\r\ncontent-type: {kind}\r\n{framing}\r\n{extra}"
            "connection: close\r\n\r\n".encode()
        )

    def chunk(self, data: bytes) -> None:
        self.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def end(self) -> None:
        self.send(b"0\r\n\r\n")

    def idle(self, seconds: float) -> None:
        """Wait, noticing a client that goes away meanwhile."""
        fault = self.server.fault
        until = time.monotonic() + min(seconds, HANG_LIMIT)
        while (left := until - time.monotonic()) > 0 and not fault.stopping.is_set():
            ready, _, _ = select.select([self.request], [], [], min(left, 0.05))
            if ready:
                try:
                    if not self.request.recv(1024):
                        raise _ClientGone
                except OSError as exc:
                    raise _ClientGone from exc

    def json_reply(self, status: str, payload: object, extra: str = "") -> None:
        data = json.dumps(payload).encode()
        self.head(status, "application/json", extra, length=len(data))
        self.send(data)


def _read_request(sock: socket.socket) -> tuple[str, dict[str, str], dict[str, object]]:
    sock.settimeout(5)
    raw = b""
    while b"\r\n\r\n" not in raw:
        part = sock.recv(65536)
        if not part:
            raise ValueError("no request")
        raw += part
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        part = sock.recv(65536)
        if not part:
            break
        rest += part
    sock.settimeout(None)
    body = json.loads(rest[:length] or b"{}")
    return path, headers, body if isinstance(body, dict) else {}


def event(content: str | None = None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    chunk = {
        "id": "chatcmpl-fault",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fault",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def stream_of(text: str) -> Iterator[bytes]:
    """The events of a whole streamed reply, a word at a time."""
    yield b'data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n'
    words = text.split(" ")
    for i, word in enumerate(words):
        yield event(word if i == 0 else " " + word)
    yield event(finish="stop")
    yield b"data: [DONE]\n\n"


def _ok(h: _Handler, mode: str, text: str = SAFE_REPLY) -> None:
    h.head("200 OK", "text/event-stream")
    for e in stream_of(text):
        h.chunk(e)
    h.end()


def _json(h: _Handler, mode: str) -> None:
    h.json_reply(
        "200 OK",
        {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": SAFE_REPLY},
                    "finish_reason": "stop",
                }
            ],
        },
    )


def _error(status: str, message: str, extra: str = "") -> Callable[[_Handler, str], None]:
    def act(h: _Handler, mode: str) -> None:
        h.json_reply(status, {"error": {"message": message, "type": "fault"}}, extra)

    return act


def _busy429_once(h: _Handler, mode: str) -> None:
    """Every other request is turned away for a moment: a retry gets through."""
    if h.server.fault.count(mode) % 2 == 1:
        _error("429 Too Many Requests", "slow down", "retry-after: 0.2\r\n")(h, mode)
    else:
        _ok(h, mode)


def _hang_headers(h: _Handler, mode: str) -> None:
    h.idle(HANG_LIMIT)


def _hang_body(h: _Handler, mode: str) -> None:
    h.head("200 OK", "text/event-stream")
    h.idle(HANG_LIMIT)


def _pings(h: _Handler, mode: str) -> None:
    h.head("200 OK", "text/event-stream")
    while not h.server.fault.stopping.is_set():
        h.chunk(b": ping\n\n")
        h.idle(0.1)


def _trickle(h: _Handler, mode: str) -> None:
    """Words keep coming, each a little late: the whole would take minutes."""
    h.head("200 OK", "text/event-stream")
    h.chunk(b'data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n')
    for i in range(600):
        h.chunk(event(SAFE_REPLY[i % len(SAFE_REPLY)]))
        h.idle(0.1)


def _trickle_bytes(h: _Handler, mode: str) -> None:
    """A byte at a time: the connection is alive, a word never completes in time."""
    h.head("200 OK", "text/event-stream")
    for e in stream_of(SAFE_REPLY):
        for b in e:
            h.chunk(bytes([b]))
            h.idle(0.05)
    h.end()


def _drop(h: _Handler, mode: str) -> None:
    h.head("200 OK", "text/event-stream")
    for e in list(stream_of(SAFE_REPLY))[:4]:
        h.chunk(e)
    h.request.shutdown(socket.SHUT_RDWR)  # mid-reply, no final chunk


def _malformed(h: _Handler, mode: str) -> None:
    h.head("200 OK", "text/event-stream")
    h.chunk(event("That"))
    h.chunk(b'data: {"choices": [{"index": 0, "delta": {"content": " sounds\n\n')
    h.chunk(b"data: [DONE]\n\n")
    h.end()


def _not_sse(h: _Handler, mode: str) -> None:
    page = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
    h.head("200 OK", "text/html", length=len(page))
    h.send(page)


TEN_MB = 10 * 1024 * 1024


def _huge(h: _Handler, mode: str) -> None:
    """Ten megabytes of words, as fast as the socket takes them."""
    h.head("200 OK", "text/event-stream")
    sent = 0
    piece = event("so " * 300)
    while sent < TEN_MB:
        h.chunk(piece)
        sent += len(piece)
    for e in list(stream_of("."))[-2:]:
        h.chunk(e)
    h.end()


def _huge_line(h: _Handler, mode: str) -> None:
    """One event line of ten megabytes, never ended."""
    h.head("200 OK", "text/event-stream")
    h.chunk(b'data: {"choices": [{"index": 0, "delta": {"content": "')
    block = b"a" * 65536
    for _ in range(TEN_MB // len(block)):
        h.chunk(block)
    h.end()


def _huge_json(h: _Handler, mode: str) -> None:
    """A non-streamed answer of ten megabytes."""
    block = b" " * 65536
    head = b'{"choices": [{"index": 0, "message": {"content": "hi"}, "finish_reason": "stop"}]'
    h.head("200 OK", "application/json", length=len(head) + TEN_MB + 1)
    h.send(head)
    for _ in range(TEN_MB // len(block)):
        h.send(block)
    h.send(b"}")


def _slow(h: _Handler, mode: str) -> None:
    """A long reply at a steady pace, for cancellation."""
    h.head("200 OK", "text/event-stream")
    for i in range(2000):
        h.chunk(event(f" word{i}"))
        h.idle(0.02)
    h.end()


_ACTIONS: dict[str, Callable[[_Handler, str], None]] = {
    "ok": _ok,
    "json": _json,
    "unsafe": lambda h, mode: _ok(h, mode, UNSAFE_REPLY),
    "error500": _error("500 Internal Server Error", "model crashed"),
    "busy429": _error("429 Too Many Requests", "slow down", "retry-after: 1\r\n"),
    "busy429_once": _busy429_once,
    "busy503_long": _error("503 Service Unavailable", "loading model", "retry-after: 3600\r\n"),
    "hang_headers": _hang_headers,
    "hang_body": _hang_body,
    "pings": _pings,
    "trickle": _trickle,
    "trickle_bytes": _trickle_bytes,
    "drop": _drop,
    "malformed": _malformed,
    "not_sse": _not_sse,
    "huge": _huge,
    "huge_line": _huge_line,
    "huge_json": _huge_json,
    "slow": _slow,
}
assert set(_ACTIONS) == set(FaultServer.MODES)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--mode", default="ok", choices=FaultServer.MODES)
    args = parser.parse_args()
    with FaultServer(args.mode, args.port) as server:
        print(f"faults on {server.url()} (mode {args.mode}; /m/<mode>/v1 for others)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
