"""Evaluation: suites that measure hearten, or any support bot behind an
OpenAI-compatible URL, and their reports (docs/evaluation.md)."""
