"""Alembic migrations of hearten's schema."""

# The newest revision in versions/. The store compares a database with it before it
# imports Alembic at all; a test checks that it matches Alembic's own head.
HEAD_REVISION = "0004"
