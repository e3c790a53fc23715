"""The `llama-cpp` voice: a local GGUF model through llama-cpp-python (the optional
extra `hearten[llama]`), in this process, with no server and no network.

The model loads when the voice is made (a missing file or a broken model is an error
then, not a silent fallback later). Replies are generated one at a time (a llama.cpp
context is not thread-safe); a reply that cannot get the model within its deadline,
fails, or runs past the deadline is answered by the composer. The deadline also stops
prompt processing: llama.cpp's abort callback is asked between graph nodes. After
`breaker_failures` failed replies in a row the voice rests for `breaker_cooldown`.

`stream(plan)` yields the words as they come; closing it stops generation."""

from __future__ import annotations

import ctypes
import importlib
import logging
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from hearten.config import Settings
from hearten.dialogue.plan import Plan
from hearten.voices.base import Utterance
from hearten.voices.prompting import (
    MAX_REPLY_CHARS,
    Message,
    PromptTemplate,
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
    ReplyTooLong,
    UpstreamError,
    VoiceError,
    current_scope,
)

log = logging.getLogger(__name__)


class ModelBusy(VoiceError):
    """Another reply held the model for the whole deadline."""


class LlamaVoice:
    """Speaks with a GGUF model loaded by llama-cpp-python."""

    name = "llama-cpp"

    def __init__(
        self,
        model_path: str | Path,
        *,
        context_tokens: int = 4096,
        max_tokens: int = 256,
        temperature: float = 0.7,
        threads: int | None = None,
        seed: int | None = None,
        limits: Limits | None = None,
        template: PromptTemplate | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        try:
            llama_cpp: Any = importlib.import_module("llama_cpp")
        except ImportError as exc:
            raise ImportError(
                "the llama-cpp voice needs llama-cpp-python: pip install 'hearten[llama]'"
            ) from exc
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no GGUF model at {path} (set gguf_path)")
        self.path = path
        self.context_tokens = context_tokens
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.limits = limits or Limits()
        self.template = template or load_template()
        self.breaker = breaker or CircuitBreaker(
            self.limits.breaker_failures, self.limits.breaker_cooldown
        )
        self._llama_cpp = llama_cpp
        self._lock = threading.Lock()
        self._abort_at = float("inf")  # monotonic time after which llama.cpp stops
        self._scope: CancelScope | None = None  # the running reply's, to stop it early
        options: dict[str, Any] = {"n_ctx": context_tokens, "verbose": False}
        if threads:
            options["n_threads"] = threads
        if seed is not None:
            options["seed"] = seed
        try:
            self._llm = llama_cpp.Llama(model_path=str(path), **options)
        except Exception as exc:  # llama.cpp says little more than "failed to load"
            raise ValueError(f"cannot load the GGUF model {path}: {exc}") from exc
        self._abort = _install_abort(llama_cpp, self._llm, self._should_abort)

    @classmethod
    def from_settings(cls, settings: Settings) -> LlamaVoice:
        path = settings.gguf_path
        if not path:
            raise ValueError(
                "the llama-cpp voice needs gguf_path (HEARTEN_GGUF_PATH), the path of a "
                "GGUF model file; see docs/voices.md"
            )
        # The defaults live in Settings alone.
        return cls(
            path,
            context_tokens=settings.llm_context_tokens,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
            threads=settings.llm_threads,
            limits=Limits.from_settings(settings),
            template=load_template(settings.llm_prompt) if settings.llm_prompt else None,
        )

    # speaking

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def messages(self, plan: Plan) -> list[Message]:
        return build_messages(
            plan,
            budget=self.context_tokens - self.max_tokens,
            template=self.template,
            count=self.count_tokens,
        )

    def speak(self, plan: Plan) -> Utterance:
        finish: list[str] = []
        pieces: list[str] = []
        size = 0
        words = self._generate(self.messages(plan), finish)
        try:
            for piece in words:
                pieces.append(piece)
                size += len(piece)
                if size > MAX_REPLY_CHARS:
                    raise ReplyTooLong(f"reply ran past {MAX_REPLY_CHARS} characters")
        finally:
            words.close()
        text = tidy("".join(pieces), cut=finish[-1:] == ["length"])
        if not text:
            raise EmptyReply("the model said nothing")
        return Utterance(text=text, voice=self.name)

    def stream(self, plan: Plan) -> Generator[str, None, None]:
        """The reply's words as they are generated; closing the iterator stops it."""
        return self._generate(self.messages(plan), [])

    def _should_abort(self) -> bool:
        scope = self._scope
        return time.monotonic() >= self._abort_at or (scope is not None and scope.cancelled)

    def _generate(self, messages: list[Message], finish: list[str]) -> Generator[str, None, None]:
        deadline = Deadline(self.limits.deadline)
        scope = current_scope()
        if scope is not None and scope.cancelled:
            raise Cancelled("the reply was cancelled")
        self.breaker.acquire()
        if not self._lock.acquire(timeout=deadline.remaining()):
            self.breaker.release()
            raise ModelBusy("another reply held the model for the whole deadline")
        verdict: bool | None = None
        spoke = False
        first_by = time.monotonic() + self.limits.first_token
        chunks: Iterator[Any] | None = None
        try:
            # Prompt processing is stopped by the abort callback at the first-token
            # limit; once words flow, at the deadline.
            self._abort_at = min(first_by, deadline.at)
            self._scope = scope
            try:
                chunks = iter(
                    self._llm.create_chat_completion(
                        messages=messages,
                        stream=True,
                        max_tokens=self.max_tokens,
                        temperature=self.temperature,
                    )
                )
                for chunk in chunks:
                    if not spoke:
                        spoke = True
                        self._abort_at = deadline.at
                    choice = chunk["choices"][0]
                    if choice.get("finish_reason"):
                        finish.append(str(choice["finish_reason"]))
                    content = choice.get("delta", {}).get("content")
                    if scope is not None and scope.cancelled:
                        raise Cancelled("the reply was cancelled")
                    deadline.check()
                    if content:
                        yield content
                # llama.cpp can end a stream quietly when aborted mid-prompt (no error,
                # no chunk): a cancelled scope still means a cancelled reply.
                if scope is not None and scope.cancelled:
                    raise Cancelled("the reply was cancelled")
                deadline.check()
            except VoiceError:
                raise
            except Exception as exc:  # llama.cpp raises RuntimeError when aborted
                if scope is not None and scope.cancelled:
                    raise Cancelled("the reply was cancelled") from exc
                if deadline.expired():
                    raise DeadlineExceeded(f"no reply within {deadline.seconds:g} s") from exc
                if not spoke and time.monotonic() >= first_by:
                    raise FirstTokenTimeout(
                        f"no words within {self.limits.first_token:g} s"
                    ) from exc
                raise UpstreamError(f"llama.cpp failed: {type(exc).__name__}: {exc}") from exc
            verdict = True
        except (GeneratorExit, Cancelled):
            raise  # not the model's fault
        except Exception:
            verdict = False
            raise
        finally:
            self._abort_at = float("inf")
            self._scope = None
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # stop generating now, not at the next token someone asks for
            self._lock.release()
            if verdict is False:
                self.breaker.failure()
            elif verdict or spoke:
                self.breaker.success()
            else:
                self.breaker.release()


def _install_abort(llama_cpp: Any, llm: Any, should_abort: Any) -> Any:
    """Ask llama.cpp to call `should_abort` during decoding, so a long prompt cannot
    hold a reply past its deadline. Returns the callback (it must stay referenced),
    or None when this llama-cpp-python cannot do it."""
    setter = getattr(llama_cpp, "llama_set_abort_callback", None)
    kind = getattr(llama_cpp, "ggml_abort_callback", None)
    ctx = getattr(getattr(llm, "_ctx", None), "ctx", None)
    if setter is None or kind is None or ctx is None:
        log.info("llama-cpp-python has no abort callback; prompts run to the end")
        return None

    def abort(_data: Any) -> bool:
        return bool(should_abort())

    callback = kind(abort)
    setter(ctx, callback, ctypes.c_void_p(0))
    return callback
