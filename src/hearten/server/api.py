"""The REST API under /api: conversations and messages (JSON or Server-Sent Events),
goals, mood, the safety plan, crisis resources, export and deletion. Every route is
for the person whose token it carries; anyone else's conversation or goal is a 404."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from hearten.safety.plan import SafetyPlan
from hearten.safety.resources import LocaleResources
from hearten.server.schemas import (
    ConversationItem,
    ConversationOut,
    Created,
    GoalOut,
    GoalPatch,
    Me,
    MessageOut,
    MoodPoint,
    ReplyOut,
    SendBody,
)
from hearten.server.service import Service, Svc, Who, checked_text, idempotency_key
from hearten.server.turns import KeyReused, NotFound, Outcome, StillRunning, request_hash

router = APIRouter(prefix="/api")

# Ids are 32-bit in every database hearten runs on; anything else is a 422, not a 500.
ConversationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
GoalId = Annotated[int, Path(ge=1, le=2**31 - 1)]

_NOT_FOUND = "no such conversation"
_SSE = {"description": "With `Accept: text/event-stream`: events `start`, `token` (one per "
        "word), `done` (the whole reply, as in the JSON answer)."}  # fmt: skip


def words(text: str) -> list[str]:
    """The reply cut into tokens, one word each with the spaces after it; joined
    they give back the text exactly."""
    return [w for w in re.split(r"(?<=\s)(?=\S)", text) if w]


@router.get("/me", response_model=Me, tags=["people"])
async def me(who: Who, svc: Svc) -> Me:
    """Who this token is for, and whether anything leaves this machine."""
    local, host = svc.privacy()
    return Me(
        name=who.name,
        locale=svc.settings.locale,
        voice=svc.companion.voice.name,
        stays_on_this_machine=local,
        remote_host=host,
    )


@router.delete("/me", status_code=204, tags=["people"])
async def forget_me(who: Who, svc: Svc) -> Response:
    """Delete this person and everything of theirs (tokens too); the bytes are gone
    from the database file and its WAL."""
    await svc.runner.io(svc.store.delete_user, who.id)
    return Response(status_code=204)


@router.get("/export", tags=["people"])
async def export(who: Who, svc: Svc) -> JSONResponse:
    """Everything stored about this person, as one JSON document."""
    data = await svc.runner.io(svc.store.export, who.id)
    return JSONResponse(
        data, headers={"Content-Disposition": 'attachment; filename="hearten-export.json"'}
    )


@router.get("/resources", response_model=LocaleResources, tags=["safety"])
async def resources(svc: Svc) -> LocaleResources:
    """Crisis lines for the server's locale. Needs no token: help is never behind a
    sign-in."""
    return svc.companion.protocol.resources


@router.get("/conversations", response_model=list[ConversationItem], tags=["conversations"])
async def conversations(who: Who, svc: Svc) -> list[ConversationItem]:
    found = await svc.runner.io(svc.store.conversations, who.id)
    return [
        ConversationItem(
            id=c.id, started_at=c.started_at.isoformat(), messages=c.messages,
            first_words=c.first_words,
        )
        for c in found
    ]  # fmt: skip


@router.post("/conversations", status_code=201, response_model=Created, tags=["conversations"])
async def new_conversation(who: Who, svc: Svc) -> Created:
    """Start a conversation; hearten says hello (or welcome back, with a check-in)."""
    conv, opening = await svc.runner.start(who.name)
    return Created(id=conv, opening=opening)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut,
            tags=["conversations"])  # fmt: skip
async def conversation(conversation_id: ConversationId, who: Who, svc: Svc) -> ConversationOut:
    found = await svc.runner.io(svc.store.conversation_messages, who.id, conversation_id)
    if found is None:
        raise HTTPException(404, _NOT_FOUND)
    return ConversationOut(
        id=conversation_id,
        messages=[
            MessageOut(
                id=m.id, seq=m.seq, role=m.role, text=m.text,  # type: ignore[arg-type]
                complete=m.complete, created_at=m.created_at.isoformat(),
            )
            for m in found
        ],
    )  # fmt: skip


@router.delete("/conversations/{conversation_id}", status_code=204, tags=["conversations"])
async def delete_conversation(conversation_id: ConversationId, who: Who, svc: Svc) -> Response:
    if not await svc.runner.io(svc.store.delete_conversation, who.id, conversation_id):
        raise HTTPException(404, _NOT_FOUND)
    return Response(status_code=204)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=ReplyOut,
    tags=["conversations"],
    responses={200: {"content": {"text/event-stream": _SSE}}},
)
async def send(
    conversation_id: ConversationId, body: SendBody, request: Request, who: Who, svc: Svc
) -> Response:
    """Say something and get hearten's reply. The message is committed before any of
    the reply exists. With an `Idempotency-Key` header a retried send stores one
    message and gets the first reply again; the same key with another body is 422."""
    text = checked_text(body.text)
    key = idempotency_key(request)
    stream = "text/event-stream" in request.headers.get("accept", "")
    outcome = await run_send(
        svc, who.id, who.name, conversation_id, text, key=key, streamed=stream,
        fingerprint=request_hash({"route": "messages", "conversation": conversation_id,
                                  "text": text}),
    )  # fmt: skip
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    if stream:
        return EventSourceResponse(sse_reply(svc, outcome), headers=headers, ping=600)
    await svc.runner.io(svc.store.complete_message, outcome.reply_message_id)
    return JSONResponse(outcome.response, headers=headers)


async def run_send(
    svc: Service,
    person_id: int,
    person: str,
    conversation_id: int,
    text: str,
    **options: Any,
) -> Outcome:
    """A turn, with the runner's refusals as HTTP errors."""
    try:
        return await svc.runner.send(person_id, person, conversation_id, text, **options)
    except NotFound:
        raise HTTPException(404, _NOT_FOUND) from None
    except KeyReused:
        raise HTTPException(422, "this Idempotency-Key was used for a different request") from None
    except StillRunning:
        raise HTTPException(
            409, "the first request with this Idempotency-Key is still running",
            headers={"Retry-After": "2"},
        ) from None  # fmt: skip


async def sse_reply(svc: Service, outcome: Outcome) -> AsyncIterator[dict[str, str]]:
    r = outcome.response
    yield {
        "event": "start",
        "data": json.dumps({
            "conversation_id": r["conversation_id"], "user_message_id": r["user_message_id"],
            "reply_message_id": r["reply_message_id"], "replayed": outcome.replayed,
        }),
    }  # fmt: skip
    for token in words(outcome.text):
        yield {"event": "token", "data": json.dumps({"text": token}, ensure_ascii=False)}
        if svc.config.stream_delay:
            await anyio.sleep(svc.config.stream_delay)
    yield {"event": "done", "data": json.dumps(r, ensure_ascii=False)}
    # Every word has gone out: only now is the stored reply complete.
    await svc.runner.io(svc.store.complete_message, outcome.reply_message_id)


@router.get("/goals", response_model=list[GoalOut], tags=["goals and mood"])
async def goals(who: Who, svc: Svc) -> list[GoalOut]:
    found = await svc.runner.io(svc.store.goals, who.id)
    return [
        GoalOut(id=g.id, text=g.text, status=g.status, created_at=g.created_at.isoformat(),
                conversation_id=g.conversation_id)
        for g in found
    ]  # fmt: skip


@router.patch("/goals/{goal_id}", response_model=GoalOut, tags=["goals and mood"])
async def set_goal(goal_id: GoalId, body: GoalPatch, who: Who, svc: Svc) -> GoalOut:
    """Mark how a goal went: open, done, partly or not."""
    if not await svc.runner.io(svc.store.set_user_goal_status, who.id, goal_id, body.status):
        raise HTTPException(404, "no such goal")
    found = [g for g in await svc.runner.io(svc.store.goals, who.id) if g.id == goal_id]
    g = found[0]
    return GoalOut(id=g.id, text=g.text, status=g.status, created_at=g.created_at.isoformat(),
                   conversation_id=g.conversation_id)  # fmt: skip


@router.get("/mood", response_model=list[MoodPoint], tags=["goals and mood"])
async def mood(who: Who, svc: Svc) -> list[MoodPoint]:
    """The mood read from each message, oldest first, in [-1, 1]."""
    found = await svc.runner.io(svc.store.moods, who.id)
    return [
        MoodPoint(conversation_id=m.conversation_id, valence=m.valence, at=m.created_at.isoformat())
        for m in found
    ]


@router.get("/safety-plan", response_model=SafetyPlan, tags=["safety"])
async def safety_plan(who: Who, svc: Svc) -> SafetyPlan:
    saved = await svc.runner.io(svc.store.safety_plan, who.id)
    return SafetyPlan(**saved) if saved else SafetyPlan()


@router.put("/safety-plan", response_model=SafetyPlan, tags=["safety"])
async def save_safety_plan(plan: SafetyPlan, who: Who, svc: Svc) -> SafetyPlan:
    for items in plan.model_dump().values():
        for item in items:
            checked_text(item)
    await svc.runner.io(svc.store.save_safety_plan, who.id, plan.model_dump())
    return plan
