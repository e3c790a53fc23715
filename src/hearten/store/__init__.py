"""The store: users, conversations, messages, goals and mood in a SQL database."""

from hearten.store.repository import (
    ConversationRecord,
    DuplicateKey,
    GoalRecord,
    IdempotencyClaim,
    IdempotentSend,
    MessageRecord,
    MoodRecord,
    Store,
    TurnResult,
    TurnStart,
    UserRecord,
    WrongKey,
    sqlite_url,
)

__all__ = [
    "ConversationRecord",
    "DuplicateKey",
    "GoalRecord",
    "IdempotencyClaim",
    "IdempotentSend",
    "MessageRecord",
    "MoodRecord",
    "Store",
    "TurnResult",
    "TurnStart",
    "UserRecord",
    "WrongKey",
    "sqlite_url",
]
