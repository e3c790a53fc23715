"""`hearten serve` under load: turns per second and message latency (p50/p99) at 1, 8,
32 and 128 concurrent clients, on SQLite and on PostgreSQL; failed requests; whether
every acknowledged reply is stored; the server's peak memory under load; and the same
load against a minimal echo endpoint in the same stack (benchmarks/echo_server.py), to
say what hearten costs beyond FastAPI and uvicorn.

The load generator is locust (`locust --headless`, benchmarks/locustfile.py) in its
own process, against a real `hearten serve` on 127.0.0.1 with its own HEARTEN_HOME.
Each simulated client is one person (`hearten users add`) in one ongoing conversation
with no think time: a closed loop, so turns/s is the throughput the server sustains
with that many people waiting on it. Every run has people of its own, with no history
(see People), and turns/s and latency are taken once every client has had a reply.

The messages are the user turns of the persona cards (src/hearten/simulate/cards;
the people-at-risk cards are left out, their crisis replies are scripted and cheap)
and of the seed transcripts in ../shared/seeds, each with everyday hedges around it
so that, as in real traffic, almost no message is sent twice (see BEFORE).

The servers run with the rate limits lifted and room for every client in flight
(--max-concurrency), so the figures are the service's, not its limits': with the
default of 32, 128 clients would be refused with 503 by design.

    python -m benchmarks load            # about 10 minutes
    python -m benchmarks load --quick    # about 30 seconds: SQLite at 1 and 8 clients
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Measure, hearten_cli, peak_rss_mb, percentile, spread

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SEEDS = ROOT.parent / "shared" / "seeds"
# Lifted limits (see the docstring): larger than any client count here.
ROOMY = ("--rate", "1000000", "--burst", "1000000", "--max-concurrency", "1000")
PG_ENV = "HEARTEN_TEST_POSTGRES_URL"


@dataclass(frozen=True)
class Plan:
    """What one run of the benchmark does."""

    levels: tuple[int, ...]  # client counts against hearten's /api
    seconds: dict[int, float]  # how long a run at each level lasts
    repeats: int  # runs at each level (the median is reported)
    peer_levels: tuple[int, ...]  # client counts against echo and hearten's /v1
    peer_seconds: dict[int, float]
    peer_repeats: int
    postgres: bool
    memory_level: int  # the level (on SQLite) whose peak RSS is reported


FULL = Plan(
    levels=(1, 8, 32, 128),
    # 128 clients need a while to reach a steady cycle: every one of them must have
    # had a reply before the measured window opens.
    seconds={1: 6, 8: 6, 32: 10, 128: 25},
    repeats=3,
    peer_levels=(1, 8, 32, 128),
    peer_seconds={1: 5, 8: 5, 32: 6, 128: 15},
    peer_repeats=2,
    postgres=True,
    memory_level=32,
)
QUICK = Plan(
    levels=(1, 8),
    seconds={1: 5, 8: 5},
    repeats=1,
    peer_levels=(8,),
    peer_seconds={8: 4},
    peer_repeats=1,
    postgres=False,
    memory_level=8,
)


# --- the workload -------------------------------------------------------------------

# hearten caches sentence encodings by text, so a message it has seen before costs a
# fraction of a new one. People rarely send byte-identical messages, so each authored
# line is sent with everyday hedges around it: as in real traffic, nearly every message
# of a run is new to the server.
BEFORE = ("", "Honestly, ", "I guess ", "Well, ", "To be honest, ", "Hmm, ", "So, ",
          "I mean, ", "Yeah, ", "Okay, ", "Right, ", "You know, ")  # fmt: skip
AFTER = ("", " I don't know.", " If that makes sense.", " Anyway.", " It's a lot.",
         " That's where I am.", " Yeah.", " I suppose.")  # fmt: skip
LAST = ("", " Sorry.", " Ugh.", " It's been a long week.", " Thanks for asking.",
        " Sorry for rambling.", " I'm tired.")  # fmt: skip
VARIANTS = len(BEFORE) * len(AFTER) * len(LAST)


def authored() -> list[list[str]]:
    """User turns, one list a conversation: a script per persona card (people at risk
    left out: their scripted crisis replies are cheap), built from the card and the
    shared phrasings hearten's simulated users speak with, and the Human turns of each
    seed transcript."""
    from hearten.simulate.personas import load_personas, load_phrases
    from hearten.transcripts import parse

    p = load_phrases()
    out: list[list[str]] = []
    for i, card in enumerate(c for c in load_personas().values() if c.risk is None):

        def pick(options: Sequence[str], n: int = i) -> str:
            return options[n % len(options)]

        so = "so" if card.intensity >= 0.7 else "really" if card.intensity >= 0.4 else ""
        opening = pick(p.openings).format(so=so, feeling=card.feeling)
        turns = [
            f"{pick(card.cues.low)} {opening}",
            card.concern.say[0],
            card.concern.more[0] if card.concern.more else pick(p.more),
        ]
        if card.hidden is not None:
            turns.append(f"{pick(p.hidden_lead)} {card.hidden.say[0]}")
        if card.resists:
            turns.append(next(iter(card.resists.values())))
        warm = pick(card.cues.warm) if card.cues.warm else ""
        commit = pick(p.commit).format(goal=card.goals[0])
        turns += [f"{warm} {pick(p.accept)} {commit}", pick(p.doubt), pick(p.thanks)]
        out.append([re.sub(r"\s+", " ", t).strip() for t in turns if t.strip()])
    for path in sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []:
        with contextlib.suppress(ValueError, OSError):
            out.append(parse(path.read_text("utf-8")).human_turns)
    return out


def hedged(text: str, variant: int) -> str:
    """The line with the variant's hedges, after any leading *cue*."""
    found = re.match(r"((?:\*[^*]*\*\s*)*)(.*)", text, re.DOTALL)
    assert found is not None  # both groups match the empty string
    cue, body = found.groups()
    before = BEFORE[variant % len(BEFORE)]
    after = AFTER[variant // len(BEFORE) % len(AFTER)]
    last = LAST[variant // (len(BEFORE) * len(AFTER)) % len(LAST)]
    if before and body and not re.match(r"I\b", body):
        body = body[0].lower() + body[1:]
    return f"{cue}{before}{body}{after}{last}".strip()


@dataclass
class Workload:
    """The conversations on disk for the load generator, and how many runs so far
    have taken: the next run starts after them."""

    path: Path
    size: int
    offset: int = 0

    @classmethod
    def write(cls, path: Path) -> Workload:
        scripts = conversations()
        path.write_text(json.dumps(scripts), "utf-8")
        return cls(path, len(scripts))


def conversations() -> list[list[str]]:
    """Every authored conversation in many hedged variants, mixed so that lines many
    scripts share (thanks, doubts) vary too: the clients take them in order, and a run
    sends few messages twice."""
    base = authored()
    return [
        [hedged(t, 7 * v + 31 * k + j) for j, t in enumerate(script)]
        for v in range(VARIANTS // 7)
        for k, script in enumerate(base)
    ]


# --- processes ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A server process on 127.0.0.1 at a free port, its output in a file."""

    def __init__(self, argv: list[str], log: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [*argv, "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True,
            )  # fmt: skip
        self.started = time.perf_counter()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 90) -> float:
        """Seconds from launch until /healthz answers."""
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0, trust_env=False) as probe:  # no proxy for 127.0.0.1
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.log.name}: exited\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if probe.get(self.url + "/healthz").status_code == 200:
                        return time.perf_counter() - self.started
                time.sleep(0.05)
        raise RuntimeError(f"{self.log.name}: not ready in {timeout:.0f} s\n{self.tail()}")

    def reset_peak_rss(self) -> bool:
        """Start VmHWM afresh (Linux: 5 > clear_refs), so the next reading is the peak
        of what comes after, not of start-up or earlier levels."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text("utf-8", "replace")[-chars:] if self.log.exists() else ""


def server_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "HEARTEN_HOME": str(home), "HEARTEN_LOCALE": "US"}
    env.pop("HEARTEN_DATABASE_URL", None)  # the URL is given on the command line
    return env


def hearten_serve(home: Path, database_url: str) -> Server:
    home.mkdir(parents=True, exist_ok=True)
    argv = [*hearten_cli(), "serve", "--database-url", database_url, *ROOMY]
    return Server(argv, home / "serve.log", server_env(home))


def echo_serve(work: Path) -> Server:
    # Run from the repository's root, where `-m benchmarks.echo_server` is found.
    argv = [sys.executable, "-m", "benchmarks.echo_server"]
    return Server(argv, work / "echo.log", dict(os.environ))


class People:
    """People made up front, handed out fresh to each run, so that a run never
    measures the history earlier runs left behind: every run starts with people who
    have none, and runs compare."""

    def __init__(self, home: Path, database_url: str, count: int) -> None:
        from click.testing import CliRunner

        from hearten.server.auth import new_token, token_hash
        from hearten.server.commands import users
        from hearten.store import Store

        # The first through `hearten users add` itself (its click command, in-process),
        # so the documented way in is what the benchmark relies on ...
        result = CliRunner().invoke(
            users, ["add", "client0000", "--database-url", database_url], env=server_env(home)
        )
        if result.exit_code != 0:
            raise RuntimeError(f"hearten users add: {result.output}")
        self.tokens = [result.output.strip().splitlines()[-1]]
        # ... the rest with the same two store calls on one Store: the command opens
        # (and migrates) the database afresh each time, 20-40 ms a person here.
        store = Store(database_url)
        try:
            for i in range(1, count):
                token = new_token()
                store.add_token(store.user_id(f"client{i:04d}"), token_hash(token))
                self.tokens.append(token)
        finally:
            store.close()
        self.given = 0

    def take(self, count: int) -> list[str]:
        if self.given + count > len(self.tokens):
            raise RuntimeError("the plan needs more people than were made")
        self.given += count
        return self.tokens[self.given - count : self.given]


# --- one run of the load generator --------------------------------------------------


@dataclass
class Run:
    """One locust run at one client count."""

    clients: int
    window: float  # seconds measured: from steady state to the stop signal
    turns: int  # replies (200) received inside the window
    latencies: list[float]  # their latency, ms
    failures: Counter[str]  # every failed request of the run, by kind
    acknowledged: list[int]  # the reply id of every 200 of the run
    starts: list[float]  # latency of conversation starts (POST /api/conversations), ms
    steady: bool  # every client had a reply before the window began
    loadgen_cpu: float  # the load generator's share of one core
    server_cpu_ms: float = float("nan")  # server CPU per turn, when the server is known
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.window if self.window > 0 else float("nan")

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)


def drive(
    url: str,
    target: str,
    tokens: Sequence[str],
    workload: Workload,
    clients: int,
    seconds: float,
    work: Path,
    server_pid: int | None = None,
) -> Run:
    """Run `clients` closed-loop clients against url for `seconds`; what they saw."""
    tag = f"{target}-{clients}-{secrets.token_hex(3)}"
    tokens_file, out = work / f"{tag}.tokens.json", work / f"{tag}.records.json"
    tokens_file.write_text(json.dumps(list(tokens)), "utf-8")
    env = {
        **os.environ,
        "LOAD_TARGET": target,
        "LOAD_TOKENS": str(tokens_file),
        "LOAD_SCRIPTS": str(workload.path),
        "LOAD_OFFSET": str(workload.offset),
        "LOAD_OUT": str(out),
    }
    argv = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "-u", str(clients), "-r", str(clients), "-t", f"{seconds:g}s", "-H", url,
        # Users finish the turn in hand when time is up: a reply cut off by the load
        # generator would be stored without ever being acknowledged.
        "--stop-timeout", "150", "--only-summary", "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(work / f"{tag}.locust.log", "wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:  # the run, the stop timeout, and slack: a hung load generator must not hang CI
        proc.wait(timeout=seconds + 150 + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    # The load generator's CPU: what the children reaped meanwhile used (only it was).
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    usage_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    wall = time.perf_counter() - started
    server_cpu = cpu_seconds(server_pid) - cpu_before if server_pid else float("nan")
    if proc.returncode != 0 or not out.exists():
        log_text = (work / f"{tag}.locust.log").read_text("utf-8", "replace")[-3000:]
        raise RuntimeError(f"locust exited with {proc.returncode}:\n{log_text}")
    data = json.loads(out.read_text("utf-8"))
    run = summarise(data, clients, seconds, usage_cpu / wall, server_cpu)
    workload.offset += int(data["scripts"])
    run.detail["scripts_reused"] = workload.offset > workload.size  # all taken: wrapped round
    run.detail["load_average"] = round(os.getloadavg()[0], 2)  # the machine is shared
    return run


def summarise(
    data: dict[str, Any], clients: int, seconds: float, loadgen_cpu: float, server_cpu: float
) -> Run:
    """Turns/s and latency over the steady part of a run, failures over all of it."""
    window = data["window"]
    records = data["records"]
    start, stop = window["start"], window.get("stop", window["start"] + seconds)
    # Steady state of a closed loop: every client has had its first reply (the first
    # round also starts conversations and opens connections). If that takes more than
    # half the run, measure the second half and say it was not steady.
    first: dict[int, float] = {}
    for kind, client, end, _ms, _status, error, _reply in records:
        if kind == "turn" and error is None:
            first[client] = min(end, first.get(client, end))
    steady_at = max(first.values()) if len(first) == clients else stop
    steady = steady_at <= start + (stop - start) / 2
    begin = steady_at if steady else start + (stop - start) / 2
    inside = [
        r for r in records if r[0] == "turn" and r[5] is None and begin <= r[2] <= stop
    ]  # fmt: skip
    turns = len(inside)
    failures = Counter(f"{r[0]}: {r[5]}" for r in records if r[5] is not None)
    return Run(
        clients=clients,
        window=stop - begin,
        turns=turns,
        latencies=[r[3] for r in inside],
        failures=failures,
        acknowledged=[r[6] for r in records if r[0] == "turn" and r[5] is None],
        starts=[r[3] for r in records if r[0] == "start" and r[5] is None],
        steady=steady,
        loadgen_cpu=loadgen_cpu,
        server_cpu_ms=1000 * server_cpu / turns if turns else float("nan"),
        detail={"records": len(records), "run_seconds": seconds},
    )


# --- PostgreSQL ---------------------------------------------------------------------


class NoPostgres(Exception):
    """Neither HEARTEN_TEST_POSTGRES_URL nor PostgreSQL's binaries: the reason."""


def _libpq(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_server() -> Iterator[tuple[str, str]]:
    """A PostgreSQL server's SQLAlchemy URL and where it came from: the one
    HEARTEN_TEST_POSTGRES_URL names, else a throwaway cluster on 127.0.0.1 at a random
    port (as scripts/test starts one), stopped afterwards."""
    if os.environ.get(PG_ENV):
        yield os.environ[PG_ENV], PG_ENV
        return
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", p.parts[-3])])  # fmt: skip
    if not found:
        raise NoPostgres(f"{PG_ENV} is not set and PostgreSQL is not installed "
                         "(apt-get install postgresql)")  # fmt: skip
    bin_dir = found[-1].parent
    as_pg: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="hearten-load-pg."))
    password = secrets.token_hex(16)
    (tmp / "pw").write_text(password + "\n")
    (tmp / "pw").chmod(0o600)
    if os.geteuid() == 0:  # initdb will not run as root
        shutil.chown(tmp, "postgres")
        shutil.chown(tmp / "pw", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = tmp / "data"

    def pg(*argv: str) -> None:
        subprocess.run([*as_pg, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, check=True)  # fmt: skip

    try:
        pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "hearten", "--auth=scram-sha-256",
           f"--pwfile={tmp / 'pw'}", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        # Durable as hearten asks (fsync, synchronous_commit), as in scripts/test.
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} "
                   "-c fsync=on -c synchronous_commit=on")  # fmt: skip
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w", "-s",
           "-o", options, "start")  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        reason = getattr(exc, "stderr", None) or str(exc)
        raise NoPostgres(f"could not start PostgreSQL: {reason.strip()[-500:]}") from None
    try:
        yield (f"postgresql+psycopg://hearten:{password}@127.0.0.1:{port}/postgres",
               f"throwaway cluster ({bin_dir.parent.name})")  # fmt: skip
    finally:
        subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on that server (dropped afterwards); its URL."""
    import psycopg
    from sqlalchemy import make_url

    name = "hearten_load_" + secrets.token_hex(6)
    with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- stored against acknowledged ----------------------------------------------------


def stored_replies(database_url: str) -> tuple[set[int], int]:
    """Every reply row in the database (an assistant message right after a user
    message: openings are not replies), and how many of them are incomplete."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT r.id, r.complete FROM messages r JOIN messages u "
                "ON u.conversation_id = r.conversation_id AND u.seq = r.seq - 1 "
                "WHERE r.role = 'assistant' AND u.role = 'user'"
            )).all()  # fmt: skip
    finally:
        engine.dispose()
    return {int(r[0]) for r in rows}, sum(1 for r in rows if not r[1])


def durability(label: str, database_url: str, acknowledged: Sequence[int]) -> Measure:
    stored, incomplete = stored_replies(database_url)
    acked = set(acknowledged)
    missing, unacknowledged = acked - stored, stored - acked
    return Measure(
        "service load", f"{label}: replies stored ≠ acknowledged", len(missing | unacknowledged),
        "replies", "≤ 0",
        detail={"stored": len(stored), "acknowledged": len(acknowledged),
                "stored_minus_acknowledged": len(stored) - len(acknowledged),
                "acknowledged_twice": len(acknowledged) - len(acked),
                "acknowledged_not_stored": len(missing), "stored_not_acknowledged":
                len(unacknowledged), "incomplete": incomplete},
    )  # fmt: skip


# --- putting it together ------------------------------------------------------------


def _median(runs: Sequence[Run], attr: str) -> tuple[float, str]:
    values = [float(getattr(r, attr)) for r in runs]
    return statistics.median(values), spread(values)


def _brief(r: Run) -> dict[str, Any]:
    """One run, for the JSON (no NaN in it: None where there is no figure)."""

    def num(x: float, digits: int = 1) -> float | None:
        return None if math.isnan(x) else round(x, digits)

    return {
        "turns_per_s": num(r.turns_per_s, 2), "p50_ms": num(r.p50), "p99_ms": num(r.p99),
        "turns": r.turns, "window_s": round(r.window, 2), "steady": r.steady,
        "failures": dict(r.failures), "server_cpu_ms_per_turn": num(r.server_cpu_ms),
        "load_generator_cpu_share": num(r.loadgen_cpu, 2),
        "conversation_start_p50_ms": num(percentile(r.starts, 50)),
        **r.detail,
    }  # fmt: skip


def level_measures(label: str, level: int, runs: Sequence[Run], targets: bool) -> list[Measure]:
    tps, tps_spread = _median(runs, "turns_per_s")
    p50, p50_spread = _median(runs, "p50")
    p99, p99_spread = _median(runs, "p99")
    detail = {"runs": [_brief(r) for r in runs]}
    name = f"{label}, {level} client{'s' if level != 1 else ''}"
    return [
        Measure("service load", f"{name}: turns/s", tps, "turns/s",
                "≥ 150" if targets else "", tps_spread, detail),
        Measure("service load", f"{name}: p50", p50, "ms", "", p50_spread),
        Measure("service load", f"{name}: p99", p99, "ms", "≤ 250" if targets else "", p99_spread),
    ]  # fmt: skip


def failures_measure(label: str, runs: Sequence[Run]) -> Measure:
    total: Counter[str] = Counter()
    for r in runs:
        total.update(r.failures)
    return Measure("service load", f"{label}: failed requests", sum(total.values()), "requests",
                   "≤ 0", detail={"by_kind": dict(total), "runs": len(runs)})  # fmt: skip


@dataclass
class Backend:
    """hearten serve on one database, and its people."""

    label: str
    database_url: str
    server: Server
    people: People
    startup_s: float
    runs: list[Run] = field(default_factory=list)


@contextlib.contextmanager
def backend(label: str, database_url: str, home: Path, people: int) -> Iterator[Backend]:
    home.mkdir(parents=True, exist_ok=True)
    made = People(home, database_url, people)
    server = hearten_serve(home, database_url)
    try:
        ready = server.wait_ready()
        print(f"  {label}: hearten serve ready in {ready:.1f} s", flush=True)
        yield Backend(label, database_url, server, made, ready)
    finally:
        server.stop()


def measure_backend(b: Backend, plan: Plan, workload: Workload, work: Path) -> list[Measure]:
    """Every level of the plan against hearten's /api on one backend."""
    out: list[Measure] = []
    memory = b.label == "SQLite" and plan.memory_level in plan.levels
    for level in plan.levels:
        if memory and level == plan.memory_level:
            b.server.reset_peak_rss()
        runs = []
        for _ in range(plan.repeats):
            run = drive(b.server.url, "api", b.people.take(level), workload, level,
                        plan.seconds[level], work, b.server.pid)  # fmt: skip
            runs.append(run)
            print(f"  {b.label} {level:>3} clients: {run.turns_per_s:6.1f} turns/s  "
                  f"p50 {run.p50:7.1f} ms  p99 {run.p99:7.1f} ms  "
                  f"failures {sum(run.failures.values())}", flush=True)  # fmt: skip
        b.runs += runs
        out += level_measures(b.label, level, runs, targets=b.label == "SQLite" and level == 32)
        if memory and level == plan.memory_level:
            out.append(Measure(
                "memory", "hearten serve peak RSS under load", peak_rss_mb(b.server.pid), "MB",
                "≤ 400", detail={"clients": level, "backend": b.label, "runs": plan.repeats},
            ))  # fmt: skip
    return out


def measure_peer(b: Backend, plan: Plan, workload: Workload, work: Path) -> list[Measure]:
    """The same clients against hearten's /v1/chat/completions and the echo endpoint,
    one after the other at each level, repeat by repeat, so both see the same noise."""
    echo = echo_serve(work)
    out: list[Measure] = []
    try:
        echo.wait_ready()
        echo_runs: list[Run] = []
        for level in plan.peer_levels:
            ours: list[Run] = []
            theirs: list[Run] = []
            for _ in range(plan.peer_repeats):
                seconds = plan.peer_seconds[level]
                ours.append(drive(b.server.url, "openai", b.people.take(level), workload, level,
                                  seconds, work, b.server.pid))  # fmt: skip
                theirs.append(drive(echo.url, "openai", ["echo"], workload, level, seconds,
                                    work, echo.pid))  # fmt: skip
                print(f"  /v1 {level:>3} clients: hearten {ours[-1].turns_per_s:6.1f} turns/s "
                      f"p50 {ours[-1].p50:6.1f} ms | echo {theirs[-1].turns_per_s:7.1f} turns/s "
                      f"p50 {theirs[-1].p50:6.1f} ms", flush=True)  # fmt: skip
            b.runs += ours
            echo_runs += theirs
            out += peer_measures(level, ours, theirs)
        out.append(failures_measure("echo", echo_runs))
    finally:
        echo.stop()
    return out


def peer_measures(level: int, ours: Sequence[Run], theirs: Sequence[Run]) -> list[Measure]:
    """hearten's /v1 and the echo endpoint side by side, and hearten/echo: for turns/s
    in percent (a ratio far below 1 would print as 0.0), for p50 as a factor."""
    name = f"{level} client{'s' if level != 1 else ''}"
    out: list[Measure] = []
    for attr, unit, what, scale, ratio_unit in (("turns_per_s", "turns/s", "turns/s", 100, "%"),
                                                 ("p50", "ms", "p50", 1, "×")):  # fmt: skip
        h, h_spread = _median(ours, attr)
        e, e_spread = _median(theirs, attr)
        ratios = [
            scale * getattr(a, attr) / getattr(b, attr)
            for a, b in zip(ours, theirs, strict=True)
            if getattr(b, attr)
        ]
        out += [
            Measure("service load vs echo", f"{name}: hearten /v1 {what}", h, unit, "", h_spread,
                    {"runs": [_brief(r) for r in ours]}),
            Measure("service load vs echo", f"{name}: echo {what}", e, unit, "", e_spread,
                    {"runs": [_brief(r) for r in theirs]}),
            Measure("service load vs echo", f"{name}: hearten/echo {what}",
                    scale * h / e if e else float("nan"), ratio_unit, "", spread(ratios, "{:.3g}")),
        ]  # fmt: skip
    return out


def run_plan(plan: Plan, work: Path) -> list[Measure]:
    import importlib.util

    if importlib.util.find_spec("locust") is None:
        raise RuntimeError("the load benchmark needs locust: pip install locust")
    workload = Workload.write(work / "scripts.json")
    measures: list[Measure] = []

    sqlite_url = f"sqlite:///{work / 'sqlite' / 'hearten.db'}"
    people = plan.repeats * sum(plan.levels) + plan.peer_repeats * sum(plan.peer_levels)
    with backend("SQLite", sqlite_url, work / "sqlite", people) as b:
        measures += measure_backend(b, plan, workload, work)
        if plan.peer_levels:
            measures += measure_peer(b, plan, workload, work)
    # With the server stopped: every reply either endpoint acknowledged must be there.
    measures.append(failures_measure("SQLite", b.runs))
    measures.append(durability("SQLite", sqlite_url, [i for r in b.runs for i in r.acknowledged]))

    if plan.postgres:
        try:
            with postgres_server() as (server_url, origin), fresh_database(server_url) as url:
                print(f"  PostgreSQL: {origin}", flush=True)
                people = plan.repeats * sum(plan.levels)
                with backend("PostgreSQL", url, work / "postgres", people) as pg:
                    measures += measure_backend(pg, plan, workload, work)
                acked = [i for r in pg.runs for i in r.acknowledged]
                measures.append(failures_measure("PostgreSQL", pg.runs))
                measures.append(durability("PostgreSQL", url, acked))
        except NoPostgres as why:
            print(f"  PostgreSQL skipped: {why}", flush=True)
        except Exception as exc:  # keep SQLite's figures; the missing rows say the rest
            print(f"  PostgreSQL failed: {type(exc).__name__}: {exc}", flush=True)
    return measures


def run(quick: bool) -> list[Measure]:
    with tempfile.TemporaryDirectory(prefix="hearten-load.") as tmp:
        return run_plan(QUICK if quick else FULL, Path(tmp))


if __name__ == "__main__":
    for m in run(quick="--quick" in sys.argv):
        print(m.as_json())
