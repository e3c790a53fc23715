"""hearten: a private, offline emotional-support companion."""

from hearten.companion import Companion, Reply, Session

__all__ = ["Companion", "Reply", "Session"]
