"""The outermost layer of the app: bounded concurrency (503), bounded bodies (413),
security headers, an access log without paths or bodies, and errors that never echo
what people wrote (no message text in any log line or error)."""

from __future__ import annotations

import json
import logging
import time
import traceback
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("hearten.server")
access = logging.getLogger("hearten.server.access")

# The page loads only its own files and talks only to its own server.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class BodyTooLarge(HTTPException):
    """Raised from inside the app while it reads the body: an HTTPException, so the
    app answers 413 itself rather than calling it a parse error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is over {limit} bytes")


class Guard:
    def __init__(self, app: ASGIApp, *, max_concurrency: int, max_body_bytes: int) -> None:
        self.app = app
        self.max_concurrency = max_concurrency
        self.max_body_bytes = max_body_bytes
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = {"code": 0}

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in present]
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        if self.in_flight >= self.max_concurrency:
            # Refuse now rather than queue without bound; the client comes back soon.
            await _json(send_guarded, 503, "the server is busy; try again shortly", retry=1)
            self._log(scope, status["code"], started)
            return

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _json(send_guarded, 413, f"the body is over {self.max_body_bytes} bytes")
            self._log(scope, status["code"], started)
            return

        received = 0

        async def receive_bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        self.in_flight += 1
        try:
            await self.app(scope, receive_bounded, send_guarded)
        except BodyTooLarge:
            if not status["code"]:
                await _json(send_guarded, 413, f"the body is over {self.max_body_bytes} bytes")
        except Exception as exc:
            # Only the kind of error and where it happened: an exception's message or
            # its locals can hold what someone wrote.
            log.error("internal error: %s at %s", type(exc).__name__, _where(exc))
            if not status["code"]:
                await _json(send_guarded, 500, "something went wrong on our side")
        finally:
            self.in_flight -= 1
            self._log(scope, status["code"], started)

    @staticmethod
    def _log(scope: Scope, code: int, started: float) -> None:
        route = scope.get("route")
        # The route's template, never the path: paths can carry what a client put there.
        template = getattr(route, "path", None) or "-"
        access.info(
            "%s %s %s %.0fms",
            scope.get("method", "-"),
            template,
            code,
            (time.monotonic() - started) * 1000,
        )


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


async def _json(send: Send, code: int, detail: str, retry: int | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if retry is not None:
        headers.append((b"retry-after", str(retry).encode()))
    start: dict[str, Any] = {"type": "http.response.start", "status": code, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
