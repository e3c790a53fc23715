"""The store: users, conversations, messages, goals and mood in a SQL database."""

from hearten.store.repository import ConversationRecord, GoalRecord, MoodRecord, Store, sqlite_url

__all__ = ["ConversationRecord", "GoalRecord", "MoodRecord", "Store", "sqlite_url"]
