"""What the HTTP API takes and gives, as pydantic models (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="What the person says (at most 8000 characters).")


class Created(BaseModel):
    id: int
    opening: str = Field(description="What hearten says first.")


class ConversationItem(BaseModel):
    id: int
    started_at: str
    messages: int
    first_words: str


class MessageOut(BaseModel):
    id: int
    seq: int
    role: Literal["user", "assistant"]
    text: str
    complete: bool = Field(description="False for a reply cut off before all of it was sent.")
    created_at: str


class ConversationOut(BaseModel):
    id: int
    messages: list[MessageOut]


class RiskOut(BaseModel):
    level: str
    categories: list[str]


class ReplyOut(BaseModel):
    conversation_id: int
    user_message_id: int
    reply_message_id: int
    text: str
    turn: int
    stage: str
    strategies: list[str]
    risk: RiskOut
    mood: float
    concerns: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    crisis: bool
    ideas: list[str]


class GoalOut(BaseModel):
    id: int
    text: str
    status: str
    created_at: str
    conversation_id: int | None


class GoalPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "done", "partly", "not"]


class MoodPoint(BaseModel):
    conversation_id: int
    valence: float
    at: str


class Me(BaseModel):
    name: str
    locale: str
    voice: str
    stays_on_this_machine: bool = Field(
        description="False when replies come from a model on another host."
    )
    remote_host: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """An OpenAI chat completion request; hearten reads the messages and `stream`."""

    model_config = ConfigDict(extra="allow")
    model: str = "hearten"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
