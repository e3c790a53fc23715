"""The `openai` voice: any server that speaks OpenAI's chat completions API (Ollama,
vLLM, llama.cpp's server, llama-cpp-python's server, LM Studio, a hosted model),
streamed, under the limits of resilience.py.

How a reply can fail, and what happens (the composer answers every time):
- refused or unreachable: retried with jittered backoff, only before any response byte;
- 429 or 503: retried after Retry-After when that fits in the deadline, else at once;
- any other error status: no retry;
- no words within the first-token timeout, or the whole reply past the deadline:
  the connection is shut (a watchdog thread shuts the socket, so a stalled or
  trickling server cannot hold the person past the deadline);
- dropped, malformed or runaway streams: no retry (words had arrived).
After `breaker_failures` failed replies in a row the breaker opens and the backend is
not called for `breaker_cooldown` seconds; then one trial reply decides.

`stream(plan)` yields the words as they come; closing the iterator (the person went
away) closes the upstream connection, so the server stops generating. The words are
not checked yet: show them only after the guard has passed the whole reply."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlparse

import httpx

from hearten.config import Settings
from hearten.dialogue.plan import Plan
from hearten.voices.base import Utterance
from hearten.voices.prompting import (
    MAX_REPLY_CHARS,
    Message,
    PromptTemplate,
    approx_tokens,
    build_messages,
    load_template,
    tidy,
)
from hearten.voices.resilience import (
    Cancelled,
    CancelScope,
    CircuitBreaker,
    Deadline,
    DeadlineExceeded,
    EmptyReply,
    FirstTokenTimeout,
    Limits,
    MalformedStream,
    ReplyTooLong,
    UpstreamError,
    VoiceError,
    backoff,
    current_scope,
    retry_after,
)

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 2_000_000  # a whole reply's events are ~100 kB; more is a runaway server
MAX_LINE_BYTES = 256_000
MIN_ATTEMPT_SECONDS = 0.25  # do not start a retry with less time than this left
RETRY_STATUSES = {429, 503}


@dataclass
class _Outcome:
    finish_reason: str | None = None
    runaway: bool = False  # the reader gave up on a reply past max_tokens: a failure


class OpenAIVoice:
    """Speaks through an OpenAI-compatible chat completions endpoint."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        api_key: str | None = None,
        limits: Limits | None = None,
        max_tokens: int = 256,
        context_tokens: int = 4096,
        temperature: float = 0.7,
        template: PromptTemplate | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"llm_base_url must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model or "default"
        self.limits = limits or Limits()
        self.max_tokens = max_tokens
        self.context_tokens = context_tokens
        self.temperature = temperature
        self.template = template or load_template()
        self.breaker = breaker or CircuitBreaker(
            self.limits.breaker_failures, self.limits.breaker_cooldown
        )
        self._sleep = sleep
        self._rng = rng or random.Random()
        headers = {"accept": "text/event-stream", "user-agent": "hearten"}
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
        host = urlparse(self.base_url).hostname or ""
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            transport=transport,
            trust_env=not is_loopback(host),  # a server on this machine needs no proxy
            follow_redirects=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIVoice:
        base_url = settings.llm_base_url
        if not base_url:
            raise ValueError(
                "the openai voice needs llm_base_url (HEARTEN_LLM_BASE_URL), e.g. "
                "http://127.0.0.1:11434/v1 for Ollama; see docs/voices.md"
            )
        # The defaults live in Settings alone.
        return cls(
            str(base_url),
            settings.llm_model,
            api_key=os.environ.get(settings.llm_api_key_env) or None,
            limits=Limits.from_settings(settings),
            max_tokens=settings.llm_max_tokens,
            context_tokens=settings.llm_context_tokens,
            temperature=settings.llm_temperature,
            template=load_template(settings.llm_prompt) if settings.llm_prompt else None,
        )

    def close(self) -> None:
        self._client.close()

    # speaking

    def messages(self, plan: Plan) -> list[Message]:
        """The chat messages this plan is spoken from."""
        return build_messages(
            plan,
            budget=self.context_tokens - self.max_tokens,
            template=self.template,
            count=approx_tokens,
        )

    def speak(self, plan: Plan) -> Utterance:
        outcome = _Outcome()
        pieces: list[str] = []
        size = 0
        words = self._generate(self.messages(plan), outcome)
        try:
            for piece in words:
                pieces.append(piece)
                size += len(piece)
                if size > MAX_REPLY_CHARS:
                    outcome.runaway = True  # the server ignores max_tokens
                    raise ReplyTooLong(f"reply ran past {MAX_REPLY_CHARS} characters")
        finally:
            words.close()
        text = tidy("".join(pieces), cut=outcome.finish_reason == "length")
        if not text:
            raise EmptyReply("the model said nothing")
        return Utterance(text=text, voice=self.name)

    def stream(self, plan: Plan) -> Generator[str, None, None]:
        """The reply's words as they arrive. Close the iterator to cancel: the upstream
        connection is closed and the server sees the client go."""
        return self._generate(self.messages(plan), _Outcome())

    def _generate(self, messages: list[Message], outcome: _Outcome) -> Generator[str, None, None]:
        deadline = Deadline(self.limits.deadline)
        scope = current_scope()
        if scope is not None and scope.cancelled:
            raise Cancelled("the reply was cancelled")
        self.breaker.acquire()
        verdict: bool | None = None  # True: the backend works; False: it failed
        spoke = False
        try:
            response, sent_at = self._open(messages, deadline, scope)
            first_by = sent_at + self.limits.first_token
            with (
                contextlib.closing(response),
                _Watchdog(response, first_by, deadline) as dog,
                _on_cancel(scope, dog.cancel),
            ):
                try:
                    for piece in _read(response, deadline, outcome):
                        if not spoke:
                            spoke = True
                            dog.spoke()
                        yield piece
                except VoiceError:
                    dog.raise_if_fired()
                    raise
                except httpx.TimeoutException as exc:
                    dog.raise_if_fired()
                    if not spoke:
                        raise FirstTokenTimeout(
                            f"no words within {self.limits.first_token:g} s"
                        ) from exc
                    raise UpstreamError("the stream stalled") from exc
                except httpx.HTTPError as exc:
                    dog.raise_if_fired()
                    raise UpstreamError(f"the stream broke: {exc or type(exc).__name__}") from exc
                dog.raise_if_fired()
            verdict = True
        except (GeneratorExit, Cancelled):
            raise  # the consumer stopped listening: not the backend's fault
        except Exception as exc:
            verdict = False
            if not isinstance(exc, VoiceError):
                raise UpstreamError(f"{type(exc).__name__}: {exc}") from exc
            raise
        finally:
            if verdict is False or outcome.runaway:
                self.breaker.failure()
            elif verdict or spoke:
                self.breaker.success()
            else:
                self.breaker.release()

    def _open(
        self, messages: list[Message], deadline: Deadline, scope: CancelScope | None
    ) -> tuple[httpx.Response, float]:
        """Send the request and wait for the response head; retry only failures that
        came before any response byte, and only while the deadline allows. Returns the
        response and when its request was sent (the first-token clock starts there)."""
        body = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }
        attempt = 0
        while True:
            deadline.check()
            if scope is not None and scope.cancelled:
                raise Cancelled("the reply was cancelled")
            left = deadline.remaining()
            timeout = httpx.Timeout(
                connect=min(self.limits.connect, left),
                read=min(self.limits.first_token, left),
                write=left,
                pool=left,
            )
            request = self._client.build_request(
                "POST", "/chat/completions", json=body, timeout=timeout
            )
            sent_at = time.monotonic()
            try:
                response = self._client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error: UpstreamError = UpstreamError(f"cannot reach {self.base_url}: {exc}")
                cause: Exception | None = exc
                wait = self._backoff(attempt)
            except httpx.RemoteProtocolError as exc:
                # Closed without a response (a stale kept-alive connection, a restart):
                # nothing was said yet, so a new connection may try again.
                error, cause = UpstreamError(f"{self.base_url} closed the connection"), exc
                wait = self._backoff(attempt)
            except httpx.TimeoutException as exc:  # the request was taken: do not repeat it
                if deadline.expired():
                    raise DeadlineExceeded(f"no reply within {self.limits.deadline:g} s") from exc
                raise FirstTokenTimeout(
                    f"no response within {self.limits.first_token:g} s"
                ) from exc
            else:
                if scope is not None and scope.cancelled:
                    response.close()
                    raise Cancelled("the reply was cancelled")
                if response.status_code < 300:
                    return response, sent_at
                status = response.status_code
                detail = _error_detail(response)
                error = UpstreamError(f"{self.base_url} answered {status}{detail}", status=status)
                cause = None
                if status not in RETRY_STATUSES:
                    raise error
                asked = retry_after(response.headers.get("retry-after"))
                wait = self._backoff(attempt) if asked is None else asked
            if attempt >= self.limits.retries or wait + MIN_ATTEMPT_SECONDS > deadline.remaining():
                raise error from cause
            log.info("voice openai: %s; retrying in %.2f s", error, wait)
            if scope is None:
                self._sleep(wait)
            elif scope.wait(wait):
                raise Cancelled("the reply was cancelled")
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return backoff(
            attempt, base=self.limits.backoff_base, cap=self.limits.backoff_cap, rng=self._rng
        )


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine."""
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _error_detail(response: httpx.Response) -> str:
    """A short reason from an error response (at most 2 kB read), then close it."""
    try:
        raw = b""
        for chunk in response.iter_bytes():
            raw += chunk
            if len(raw) > 2048:
                break
        text = raw[:2048].decode("utf-8", "replace")
        try:
            data = json.loads(text)
            message = data.get("error", {}).get("message") if isinstance(data, dict) else None
        except (ValueError, AttributeError):
            message = None
        found = str(message or text).strip().splitlines()
        return f": {found[0][:200]}" if found else ""
    except httpx.HTTPError:
        return ""
    finally:
        response.close()


# reading the answer


def _read(response: httpx.Response, deadline: Deadline, outcome: _Outcome) -> Iterator[str]:
    """The words of a streamed (or, from servers that ignore `stream`, whole) answer."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        yield from _whole(response, deadline, outcome)
    elif kind == "text/event-stream":
        yield from _events(response, deadline, outcome)
    else:
        raise MalformedStream(f"expected an event stream, got {kind or 'no content type'}")


def _whole(response: httpx.Response, deadline: Deadline, outcome: _Outcome) -> Iterator[str]:
    raw = bytearray()
    for chunk in response.iter_bytes():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise MalformedStream(f"the answer ran past {MAX_BODY_BYTES} bytes")
        deadline.check()
    try:
        data = json.loads(bytes(raw))
    except ValueError as exc:
        raise MalformedStream("the answer is not JSON") from exc
    content = _choice_text(data, outcome, key="message")
    if content:
        yield content
    if outcome.finish_reason is None:
        outcome.finish_reason = "stop"


def _events(response: httpx.Response, deadline: Deadline, outcome: _Outcome) -> Iterator[str]:
    """Server-sent events: `data:` lines joined per event, `[DONE]` at the end."""
    total = 0
    buffer = b""
    data: list[str] = []
    event = ""
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise MalformedStream(f"the stream ran past {MAX_BODY_BYTES} bytes")
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        if len(buffer) > MAX_LINE_BYTES:
            raise MalformedStream(f"an event line ran past {MAX_LINE_BYTES} bytes")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if line:
                if line.startswith(":"):
                    continue  # a comment: keep-alive pings
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "data":
                    data.append(value)
                elif field == "event":
                    event = value
                continue
            if not data:
                continue
            payload, data = "\n".join(data), []
            if payload.strip() == "[DONE]":
                if outcome.finish_reason is None:
                    outcome.finish_reason = "stop"
                return
            if event == "error":
                raise UpstreamError(f"the server reported an error: {payload[:200]}")
            event = ""
            try:
                message = json.loads(payload)
            except ValueError as exc:
                raise MalformedStream(f"an event is not JSON: {payload[:80]!r}") from exc
            content = _choice_text(message, outcome, key="delta")
            if content:
                yield content
        deadline.check()
    if outcome.finish_reason is None:
        raise MalformedStream("the stream ended before the reply did")


def _choice_text(message: Any, outcome: _Outcome, *, key: str) -> str:
    if not isinstance(message, dict):
        raise MalformedStream("an event is not a JSON object")
    if message.get("error"):
        error = message["error"]
        text = error.get("message") if isinstance(error, dict) else error
        raise UpstreamError(f"the server reported an error: {str(text)[:200]}")
    choices = message.get("choices")
    if choices is None:
        raise MalformedStream("an event has no choices")
    if not isinstance(choices, list):
        raise MalformedStream("choices is not a list")
    if not choices:
        return ""  # e.g. a closing usage event
    choice = choices[0]
    if not isinstance(choice, dict):
        raise MalformedStream("a choice is not an object")
    if choice.get("finish_reason"):
        outcome.finish_reason = str(choice["finish_reason"])
    part = choice.get(key) or {}
    content = part.get("content") if isinstance(part, dict) else None
    if content is None:
        return ""
    if not isinstance(content, str):
        raise MalformedStream("content is not text")
    return content


# the watchdog


@contextlib.contextmanager
def _on_cancel(scope: CancelScope | None, callback: Callable[[], None]) -> Iterator[None]:
    undo = scope.on_cancel(callback) if scope is not None else None
    try:
        yield
    finally:
        if undo is not None:
            undo()


class _Watchdog:
    """Shuts the connection when no words came by `first_by` (monotonic time), the
    deadline passes or the turn is cancelled, so a read blocked on a stalled server
    returns at once."""

    def __init__(self, response: httpx.Response, first_by: float, deadline: Deadline) -> None:
        self._response = response
        self._deadline = deadline
        self._lock = threading.Lock()
        self._done = False
        self.fired: str | None = None
        now = time.monotonic()
        self._first = threading.Timer(max(0.0, first_by - now), self._fire, ("first_token",))
        self._last = threading.Timer(deadline.remaining(), self._fire, ("deadline",))
        for timer in (self._first, self._last):
            timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._first.start()
        self._last.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._first.cancel()
        self._last.cancel()

    def spoke(self) -> None:
        self._first.cancel()

    def cancel(self) -> None:
        self._fire("cancelled")

    def raise_if_fired(self) -> None:
        if self.fired == "cancelled":
            raise Cancelled("the reply was cancelled")
        if self.fired == "deadline" or self._deadline.expired():
            raise DeadlineExceeded(f"no complete reply within {self._deadline.seconds:g} s")
        if self.fired == "first_token":
            raise FirstTokenTimeout("no words within the first-token timeout")

    def _fire(self, reason: str) -> None:
        with self._lock:
            if self._done or self.fired:
                return
            self.fired = reason
            stream = self._response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                # Wakes the blocked reader. The base class's shutdown, so that a TLS
                # socket's state is left alone; an already closed socket is fine.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                return
        self._response.close()  # no socket to shut (another transport): close instead
