"""An OpenAI-compatible API (`POST /v1/chat/completions`, `GET /v1/models`), so chat
front-ends that speak that protocol can use hearten as their model.

Such clients send the whole transcript every time. hearten keeps the conversation
itself: a hash of the transcript after each reply finds the conversation again when
the client comes back with that transcript plus one message. System prompts are
ignored: hearten speaks with its own voice and its own safety protocol."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from hearten.server.api import run_send, words
from hearten.server.schemas import ChatMessage, ChatRequest
from hearten.server.service import Service, Svc, Who, checked_text, idempotency_key
from hearten.server.turns import Outcome, request_hash, thread_key

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

MODEL = "hearten"


def _content(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    if isinstance(message.content, list):  # [{"type": "text", "text": ...}, ...]
        return "".join(
            str(part.get("text", "")) for part in message.content if part.get("type") == "text"
        )
    return ""


@router.get("/models")
async def models(who: Who) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "hearten"}],
    }


@router.post("/chat/completions")
async def chat_completions(body: ChatRequest, request: Request, who: Who, svc: Svc) -> Response:
    """The reply to the last user message, as `chat.completion` JSON or, with
    `"stream": true`, as `chat.completion.chunk` events ending in `[DONE]`."""
    last = body.messages[-1]
    if last.role != "user":
        raise HTTPException(422, "the last message must be the user's")
    text = checked_text(_content(last))
    transcript = [
        (m.role, _content(m)) for m in body.messages[:-1] if m.role in {"user", "assistant"}
    ]
    key = idempotency_key(request)
    fingerprint = request_hash({"route": "chat", "messages": [[*t] for t in transcript],
                                "text": text})  # fmt: skip
    conversation_id = await _conversation(svc, who.id, who.name, transcript, key)
    outcome = await run_send(
        svc, who.id, who.name, conversation_id, text, key=key, fingerprint=fingerprint,
        streamed=body.stream, thread=transcript,
        history=[t for role, t in transcript if role == "user"],
    )  # fmt: skip
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    if body.stream:
        return EventSourceResponse(_chunks(svc, outcome), headers=headers, ping=600)
    await svc.runner.io(svc.store.complete_message, outcome.reply_message_id)
    return JSONResponse(_completion(outcome, transcript, text), headers=headers)


async def _conversation(
    svc: Service, person_id: int, person: str, transcript: list[tuple[str, str]], key: str | None
) -> int:
    if key is not None:  # a retry goes to the conversation of the first try
        seen = await svc.runner.io(svc.store.idempotent_send, person_id, key)
        if seen is not None:
            return seen.conversation_id
    if transcript:
        found = await svc.runner.io(svc.store.find_thread, person_id, thread_key(transcript))
        if found is not None:
            return found
    conv, _ = await svc.runner.start(person, greet=False)  # its client shows no greeting
    return conv


def _completion(outcome: Outcome, transcript: list[tuple[str, str]], text: str) -> dict[str, Any]:
    prompt = sum(len(t.split()) for _, t in transcript) + len(text.split())
    completion = len(outcome.text.split())
    return {
        "id": f"chatcmpl-{outcome.reply_message_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": outcome.text},
                "finish_reason": "stop",
            }
        ],
        # Words, not model tokens: hearten has no tokenizer of its own.
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


async def _chunks(svc: Service, outcome: Outcome) -> AsyncIterator[dict[str, str]]:
    base = {
        "id": f"chatcmpl-{outcome.reply_message_id}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
    }

    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, str]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {"data": json.dumps({**base, "choices": [choice]}, ensure_ascii=False)}

    yield chunk({"role": "assistant"})
    for token in words(outcome.text):
        yield chunk({"content": token})
        if svc.config.stream_delay:
            await anyio.sleep(svc.config.stream_delay)
    yield chunk({}, "stop")
    yield {"data": "[DONE]"}
    await svc.runner.io(svc.store.complete_message, outcome.reply_message_id)
