"""A minimal OpenAI-compatible echo endpoint in hearten's own stack (FastAPI, pydantic,
uvicorn with the same options as `hearten serve`): `POST /v1/chat/completions` answers
with the last user message, in the shape of an OpenAI chat completion.

It is the floor under hearten's figures: what parsing a request, validating it and
writing JSON costs on this stack and machine, with no companion, no database and no
threads. The load benchmark runs the same clients against it and against hearten's
own `/v1/chat/completions`, side by side, and reports the ratio.

    python -m benchmarks.echo_server --port 8500
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException

# hearten's own request models (server/schemas.py), so that validation costs alike.
from hearten.server.schemas import ChatMessage, ChatRequest


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    if isinstance(message.content, list):
        return "".join(str(p.get("text", "")) for p in message.content if p.get("type") == "text")
    return ""


app = FastAPI(title="echo", docs_url=None, redoc_url=None)
_ids = itertools.count(1)


@app.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@app.post("/v1/chat/completions")
async def chat_completions(body: ChatRequest) -> dict[str, Any]:
    last = body.messages[-1]
    if last.role != "user":
        raise HTTPException(422, "the last message must be the user's")
    text = _text(last)
    prompt = sum(len(_text(m).split()) for m in body.messages)
    completion = len(text.split())
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8500)
    args = parser.parse_args(argv)
    # As `hearten serve` runs uvicorn (server/commands.py), less hearten's access log.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
