"""Evaluation: suites that measure hearten (and, later, any support bot)."""
