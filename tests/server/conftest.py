"""Real `hearten serve` processes on 127.0.0.1 for the HTTP tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from hearten.server.commands import users
from tests.server.pg import fresh_database

BACKENDS = ["sqlite", "postgresql"]
_CLI = threading.Lock()


def serve_command() -> list[str]:
    """`hearten serve` once hearten.cli registers it; the same click command through
    `python -m hearten.server` until then."""
    import click

    from hearten.cli import main

    if main.get_command(click.Context(main), "serve") is not None:
        return [sys.executable, "-m", "hearten", "serve"]
    return [sys.executable, "-m", "hearten.server", "serve"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One `hearten serve` process (restartable) and everything it printed."""

    def __init__(
        self,
        home: Path,
        database_url: str | None = None,
        *args: str,
        env: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url or f"sqlite:///{home / 'hearten.db'}"
        self.args = list(args)
        self.env = {
            **os.environ,
            "HEARTEN_HOME": str(home),
            "HEARTEN_LOCALE": "US",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.env.pop("HEARTEN_DATABASE_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self.log_path = home / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.home / "hearten.db"

    def start(self, timeout: float = 60.0) -> Server:
        self.port = free_port()
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it
        self.proc = subprocess.Popen(
            [
                *serve_command(),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--database-url",
                self.database_url,
                *self.args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as probe:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"hearten serve exited:\n{self.output()[-3000:]!r}")
                with contextlib.suppress(httpx.HTTPError):
                    if probe.get(self.url + "/healthz").status_code == 200:
                        return self
                time.sleep(0.05)
        raise RuntimeError("hearten serve did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, no goodbye."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> bytes:
        return self.log_path.read_bytes() if self.log_path.exists() else b""

    def add_user(self, name: str) -> str:
        """`hearten users add NAME`: the token it prints."""
        with _CLI:  # CliRunner swaps sys.stdout for the whole process
            result = CliRunner().invoke(
                users, ["add", name, "--database-url", self.database_url], env=self.env
            )
        assert result.exit_code == 0, result.output
        token = result.output.strip().splitlines()[-1]
        assert token.startswith("hearten_")
        return token

    def client(self, token: str | None = None, **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0, **kw)


@contextlib.contextmanager
def running(
    home: Path, backend: str = "sqlite", *args: str, env: dict[str, str] | None = None
) -> Iterator[Server]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_database()) if backend == "postgresql" else None
        server = Server(home, url, *args, env=env)
        stack.callback(server.stop)
        yield server.start()


# Limits high enough that only the tests about limits meet them.
ROOMY = ("--rate", "100000", "--burst", "100000", "--stream-delay", "0.002")


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A roomy server for the module, on SQLite and on PostgreSQL."""
    with running(tmp_path_factory.mktemp("serve"), request.param, *ROOMY) as s:
        yield s


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("serve"), "sqlite", *ROOMY) as s:
        yield s
