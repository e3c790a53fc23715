"""A throwaway PostgreSQL database per test, on the server HEARTEN_TEST_POSTGRES_URL
points at (scripts/test starts one from Debian's packages)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import make_url

ENV = "HEARTEN_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The server's URL, or a skip (a failure under CI=true, where it must be there)."""
    url = os.environ.get(ENV)
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{ENV} is not set: scripts/test starts PostgreSQL and sets it")
        pytest.skip(f"{ENV} is not set (scripts/test starts PostgreSQL and sets it)")
    return url


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database; its SQLAlchemy URL; dropped afterwards."""
    base = postgres_url()
    name = "hearten_test_" + secrets.token_hex(6)
    with psycopg.connect(_libpq(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
