"""Past one machine, shown running (issue 19): a streaming replica, PgBouncer and two app servers.

Run (as root, on Debian with PostgreSQL and PgBouncer: ``apt-get install pgbouncer``):
      .venv/bin/python -m bench.scale_out
      (--workers 2 --clients 8 --rounds 5 --step-seconds 6 --open-rounds 3 --seconds 10)

Everything it measures, it builds, and it removes it all at the end, after an error or Ctrl-C
too. It installs nothing and never touches another cluster (the one on 5432 included):

1. its own PostgreSQL cluster ``scale_out_primary`` (``pg_createcluster`` on a free port in
   5433–5499, pg_stat_statements loaded), filled with bench/load.py's world: the demo (321
   therapists) and 60 patients with an API token each;
2. a streaming replica, ``scale_out_replica``, made with ``pg_basebackup -R`` into a second
   cluster on another port (``hot_standby_feedback`` on), checked streaming in
   ``pg_stat_replication``;
3. PgBouncer in transaction mode (``var/bench/scale_out/pgbouncer.ini``) in front of both:
   ``sciaticare_bench_load`` is the primary, ``sciaticare_bench_load_replica`` the replica;
4. gunicorn app servers of ``--workers`` sync workers each.

Then bench/load.py's mix (35 % search, 35 % profile, 15 % slots, 10 % booking, 5 % diary; the
searches and profiles anonymous, the writes with bearer tokens) in five setups, all served at
once and measured in turn:

- A. one app server straight to the primary, no replica (the deployment of docs/deploy.md);
- B. one app server with ``DATABASE_REPLICA_URL`` naming the replica directly (what the replica
  alone does);
- C. one app server with both ``DATABASE_URL`` and ``DATABASE_REPLICA_URL`` through PgBouncer
  (server-side cursors off; the app's ``CONN_MAX_AGE`` of 60 s: the app keeps its connection to
  PgBouncer, which still hands each transaction any server connection);
- D. two app servers like C, the requests alternating between them;
- E. one app server like C but with ``CONN_MAX_AGE=0``, a new connection to PgBouncer for each
  request (what docs/scale.md first proposed).

The machine is shared, so the setups take turns: ``--rounds`` rounds of a closed-loop step of
each setup (``--clients`` clients each sending its next request when the last is answered),
then ``--open-rounds`` rounds of an open-loop step of each at 80 % of its median (requests
arriving at random, latency from when each was due). Another session's load then falls on
every setup alike; the summary gives each setup's median and range.

Each step prints requests/s and latency, the CPU each part used, in cores and in CPU ms per
request (app servers, primary, replica queries, the replica's WAL replay, PgBouncer, this load
generator, and the rest of the machine: other sessions on it; from /proc), the share of read
statements the replica answered (pg_stat_statements on both clusters) and
the replica's lag (``replay_lag`` and bytes behind in ``pg_stat_replication``, sampled every
0.2 s). Last, read-your-writes through the two servers, with the replica's replay paused: the
demo therapist signs in and adds a session type on one server, and the other server shows it
at once to their browser (the cookie) but not to an anonymous reader (the replica).

The whole thing runs on the machine's cores (2 here) with the load generator: two app servers
cannot double the throughput of one, and the figures say where the cores went instead.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench.booking_contention import PROJECT_DIR, Server, make_database, server_environment
from bench.load import (
    BENCH_DATABASE,
    HEADER,
    UNLIMITED,
    Figures,
    Traffic,
    closed_loop,
    cpu_ticks,
    open_loop,
    percentile,
    prepare,
    stolen_share,
)

VAR_DIR = PROJECT_DIR / "var" / "bench" / "scale_out"
REPLICA_DATABASE = f"{BENCH_DATABASE}_replica"  # PgBouncer's name for it on the replica
TICK = os.sysconf("SC_CLK_TCK")
ROOT = os.geteuid() == 0
READS = r"^\s*(select|with)\M"  # statements that only read (SELECT … FOR UPDATE included)


# --- Clusters of its own -----------------------------------------------------------------------


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if ROOT else list(command)


def _free_port(low: int, high: int) -> int:
    """A port nothing listens on, nor any cluster claims (some listen on a socket only),
    from the top of the range down: other sessions on this machine count up from the bottom."""
    claimed = {
        int(line.split()[2])
        for line in _run("pg_lsclusters", "--no-header").splitlines()
        if line.strip()
    }
    for port in range(high, low - 1, -1):
        if port in claimed or Path(f"/var/run/postgresql/.s.PGSQL.{port}").exists():
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"No free port in {low}–{high}.")


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    @property
    def data_dir(self) -> Path:
        return Path(f"/var/lib/postgresql/{self.version}/{self.name}")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(
            self.url(database).replace("postgres://", "postgresql://", 1), autocommit=True
        )

    def create(self) -> None:
        _run(
            "pg_createcluster", self.version, self.name, "--port", str(self.port),
            "--start-conf", "manual",
            "-o", "shared_preload_libraries=pg_stat_statements",
            "-o", "timezone=UTC",  # Django's own: no SET TIME ZONE on each new connection
            "-o", "max_connections=200",
            "-o", "hot_standby_feedback=on",  # no replica query cancelled by a vacuum
            "--", "--auth=trust",
        )  # fmt: skip

    def start(self) -> None:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "start")

    def drop(self) -> None:
        if (Path("/etc/postgresql") / self.version / self.name).exists():
            _run("pg_dropcluster", "--stop", self.version, self.name)

    def postmaster(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])


def _make_replica(primary: Cluster, replica: Cluster) -> None:
    """A second cluster made a streaming standby of the first with pg_basebackup -R."""
    replica.port = _free_port(5433, 5499)
    replica.create()  # its configuration (port, settings) in /etc/postgresql
    for entry in replica.data_dir.iterdir():  # the directory stays: postgres may not make one
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    _run(
        *_as_postgres(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.data_dir), "-R", "-X", "stream", "-c", "fast",
        )
    )  # fmt: skip
    replica.start()
    deadline = time.monotonic() + 60
    with primary.connect() as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT state FROM pg_stat_replication").fetchone()
            if row and row[0] == "streaming":
                return
            time.sleep(0.2)
    raise RuntimeError("The replica did not start streaming within 60 s.")


# --- PgBouncer ---------------------------------------------------------------------------------


class Pooler:
    """PgBouncer in transaction mode on a free port, in front of both clusters."""

    def __init__(self, primary: Cluster, replica: Cluster) -> None:
        self.port = _free_port(6432, 6499)
        self.primary, self.replica = primary, replica
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: str) -> str:
        # Transaction pooling hands each transaction any server connection: no cursor may
        # outlive one (Django's server-side cursors would).
        return (
            f"postgres://postgres@127.0.0.1:{self.port}/{database}?disable_server_side_cursors=True"
        )

    def __enter__(self) -> Pooler:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        (VAR_DIR / "userlist.txt").write_text('"postgres" ""\n')
        config = VAR_DIR / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"{BENCH_DATABASE} = host=127.0.0.1 port={self.primary.port} dbname={BENCH_DATABASE}\n"
            f"{REPLICA_DATABASE} = host=127.0.0.1 port={self.replica.port} dbname={BENCH_DATABASE}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {VAR_DIR / 'userlist.txt'}\n"
            "pool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 20\n"
            # No `options`: PgBouncer refuses it, and ignoring it would drop the web's limits
            # unseen (docs/deploy.md); the app servers behind it send none.
            "ignore_startup_parameters = extra_float_digits\n"
            "log_connections = 0\nlog_disconnections = 0\n"
        )
        command = ["pgbouncer", *(["-u", "postgres"] if ROOT else []), str(config)]
        with (VAR_DIR / "pgbouncer.log").open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - Debian's pgbouncer, no shell
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                url = self.url(BENCH_DATABASE).split("?")[0].replace("postgres://", "postgresql://")
                with psycopg.connect(url, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return self
            except psycopg.Error:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"PgBouncer did not answer:\n{(VAR_DIR / 'pgbouncer.log').read_text()}")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- What each part used ------------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _tree_ticks(root: int) -> int:
    """CPU ticks of a process and its descendants, with the children it has reaped."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        todo.extend(children.get(pid, []))
    return total


def _replay_processes(postmaster: int) -> list[int]:
    """The standby's WAL replay: its startup process and its walreceiver."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == postmaster and re.search(rb"startup|walreceiver", command):
                found.append(int(entry.name))
    return found


def _machine_ticks() -> int:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


@dataclass
class Parts:
    """The processes measured: each part's root pids, and the replica's replay processes
    (startup, walreceiver), counted apart from the queries it answers."""

    roots: dict[str, list[int]]
    replay: list[int] = field(default_factory=list)

    def snapshot(self) -> dict[str, float]:
        seconds = {name: sum(map(_tree_ticks, pids)) / TICK for name, pids in self.roots.items()}
        if "replica" in seconds:
            replay = sum(sum(int(v) for v in _stat(pid)[11:13]) for pid in self.replay) / TICK
            seconds["replica"] -= replay
            seconds["replica replay"] = replay
        own = os.times()
        seconds["load generator"] = own.user + own.system
        seconds["machine"] = _machine_ticks() / TICK
        return seconds


def _cpu(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each part used between two snapshots; the rest of the machine is the
    other sessions on it."""
    used = {name: after[name] - before[name] for name in before}
    machine = used.pop("machine")
    used["rest of machine"] = max(0.0, machine - sum(used.values()))
    return used


# --- Statements and lag --------------------------------------------------------------------------


def _statements(cluster: Cluster) -> tuple[int, int]:
    """(reads, other statements) run in the bench database since the last reset."""
    with cluster.connect(BENCH_DATABASE) as conn:
        row = conn.execute(
            "SELECT COALESCE(sum(calls) FILTER (WHERE query ~* %s), 0),"
            " COALESCE(sum(calls) FILTER (WHERE query !~* %s), 0)"
            " FROM pg_stat_statements WHERE dbid ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())",
            [READS, READS],
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _reset_statements(*clusters: Cluster) -> None:
    for cluster in clusters:
        with cluster.connect(BENCH_DATABASE) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")


@dataclass
class LagSampler:
    """``pg_stat_replication`` every 0.2 s while the block runs: replay lag and bytes behind."""

    primary: Cluster
    seconds: list[float] = field(default_factory=list)
    bytes_behind: list[int] = field(default_factory=list)

    @contextmanager
    def running(self) -> Iterator[LagSampler]:
        stop = threading.Event()

        def sample() -> None:
            with self.primary.connect() as conn:
                while not stop.wait(0.2):
                    row = conn.execute(
                        "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0),"
                        " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)"
                        " FROM pg_stat_replication"
                    ).fetchone()
                    if row:
                        self.seconds.append(float(row[0]))
                        self.bytes_behind.append(int(row[1] or 0))

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join(timeout=5)

    def line(self) -> str:
        if not self.seconds:
            return "replica lag: no sample"
        ms = sorted(1000 * s for s in self.seconds)
        return (
            f"replica lag (replay_lag, {len(ms)} samples): p50 {percentile(ms, 50):.1f} ms, "
            f"p95 {percentile(ms, 95):.1f} ms, max {ms[-1]:.1f} ms; "
            f"at most {max(self.bytes_behind):,} bytes of WAL behind"
        )


# --- The setups ----------------------------------------------------------------------------------


@dataclass
class Step:
    """One measured step: the requests, the CPU seconds each part used, the statements run."""

    figures: Figures
    cpu: dict[str, float]
    replica_reads: int
    reads: int
    other: int


@dataclass
class Setup:
    key: str
    name: str
    servers: list[Server]
    traffic: Traffic = field(init=False)
    closed: list[Step] = field(default_factory=list)
    open: list[Step] = field(default_factory=list)

    @property
    def median(self) -> float:
        rates = sorted(step.figures.rate for step in self.closed)
        return rates[len(rates) // 2]

    def line(self) -> str:
        """The setup over all its rounds: throughput, latency, the replica's share, CPU."""
        rates = sorted(step.figures.rate for step in self.closed)
        opened = Figures("", [s for step in self.open for s in step.figures.samples], 1.0)
        steps = self.closed + self.open
        count = sum(len(step.figures.samples) for step in steps)
        ms = {
            part: 1000 * sum(step.cpu[part] for step in steps) / max(1, count)
            for part in steps[0].cpu
        }
        replica_reads = sum(step.replica_reads for step in steps)
        reads = sum(step.reads for step in steps)
        errors = sum(step.figures.errors for step in steps)
        return (
            f"{self.key}  {self.median:>6.1f} ({rates[0]:.1f}–{rates[-1]:.1f})  "
            f"{opened.p(50):>6.1f} {opened.p(95):>7.1f} {opened.p(99):>7.1f}  {errors:>6}  "
            f"{replica_reads / max(1, reads):>7.0%}  {ms['app']:>5.1f} {ms['primary']:>7.1f} "
            f"{ms['replica']:>5.1f} + {ms['replica replay']:.1f} {ms['PgBouncer']:>9.1f} "
            f"{ms['load generator']:>6.1f}"
        )


SUMMARY = (
    "     closed-loop req/s       open loop ms            replica   CPU ms per request\n"
    "     median (min–max)     p50     p95     p99  errors    reads    app primary "
    "replica + replay PgBouncer  load"
)


def _step(
    label: str, run: Any, setup: Setup, parts: Parts, clusters: tuple[Cluster, Cluster]
) -> Step:
    primary, replica = clusters
    _reset_statements(primary, replica)
    before, ticks = parts.snapshot(), cpu_ticks()
    samples, elapsed = run()
    stolen = stolen_share(ticks, cpu_ticks())
    cpu = _cpu(before, parts.snapshot())
    primary_reads, other = _statements(primary)
    replica_reads = _statements(replica)[0]
    reads = primary_reads + replica_reads
    figures = Figures(f"{setup.key} {label}", samples, elapsed, stolen)
    count = max(1, len(samples))
    print(figures.line())
    print(
        "    cores (CPU ms per request): "
        + ", ".join(f"{name} {s / elapsed:.2f} ({1000 * s / count:.1f})" for name, s in cpu.items())
    )
    print(
        f"    statements per request {(reads + other) / count:.1f}; reads on the replica "
        f"{replica_reads:,} of {reads:,} ({replica_reads / max(1, reads):.0%}); writes and other "
        f"statements (all on the primary) {other:,}"
    )
    if len(setup.servers) > 1:
        rates = [sum(x.port == s.port for x in samples) / elapsed for s in setup.servers]
        print(f"    per app server: {', '.join(f'{rate:.1f}/s' for rate in rates)}")
    return Step(figures, cpu, replica_reads, reads, other)


def _measure(
    setups: list[Setup], args: argparse.Namespace, parts: Parts, clusters: tuple[Cluster, Cluster]
) -> LagSampler:
    """Rounds of a closed-loop step of each setup in turn, then rounds of an open-loop step of
    each at 80 % of its median: the other sessions' load falls on every setup alike."""
    for setup in setups:
        for therapist in setup.traffic.world["therapists"][:40]:  # slots to book at once
            setup.traffic.send(random.Random(therapist["id"]), time.monotonic(), "slots")
        closed_loop(setup.traffic, 2, 2.0)  # every worker warm
    lag = LagSampler(clusters[0])
    with lag.running():
        print(f"\n{HEADER}\n{'-' * len(HEADER)}")
        for number in range(1, args.rounds + 1):
            for setup in setups:
                setup.closed.append(
                    _step(
                        f"{args.clients} clients, round {number}",
                        lambda s=setup: closed_loop(s.traffic, args.clients, args.step_seconds),
                        setup,
                        parts,
                        clusters,
                    )
                )
        rates = {setup.key: 0.8 * setup.median for setup in setups}
        for number in range(1, args.open_rounds + 1):
            for setup in setups:
                rate = rates[setup.key]
                setup.open.append(
                    _step(
                        f"open loop {rate:.1f}/s, round {number}",
                        lambda s=setup, r=rate: open_loop(s.traffic, r, args.seconds, args.pool),
                        setup,
                        parts,
                        clusters,
                    )
                )
    return lag


# --- Read-your-writes through two app servers --------------------------------------------------


class Browser:
    """Cookies kept across app servers, as a browser keeps them for one site."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            headers = {"Host": f"127.0.0.1:{port}"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            return response.status, response.read().decode()
        finally:
            conn.close()


def _read_your_writes(servers: list[Server], primary: Cluster, replica: Cluster) -> bool:
    one, other = servers[0].port, servers[-1].port
    with primary.connect(BENCH_DATABASE) as conn:
        row = conn.execute(
            "SELECT p.id FROM directory_therapistprofile p JOIN accounts_user u ON u.id = p.user_id"
            " WHERE u.email = 'therapist@example.com'"
        ).fetchone()
    if row is None:
        print("read-your-writes: the demo therapist is missing")
        return False
    therapist, name = row[0], f"Replica check {random.randrange(10**6)}"
    profile = f"/api/v1/therapists/{therapist}"
    with replica.connect() as paused:
        paused.execute("SELECT pg_wal_replay_pause()")
        try:
            browser = Browser()
            browser.request(one, "GET", "/accounts/login/")
            signed_in, _ = browser.request(
                one,
                "POST",
                "/accounts/login/",
                {"login": "therapist@example.com", "password": "sciatica-demo-2026"},
            )
            added, _ = browser.request(
                one,
                "POST",
                f"/therapists/{therapist}/sessions/",
                {"name": name, "minutes": "45", "price": "40", "currency": "GBP"},
            )
            _, theirs = browser.request(other, "GET", profile)
            _, anyones = Browser().request(other, "GET", profile)
        finally:
            paused.execute("SELECT pg_wal_replay_resume()")
        started = time.monotonic()
        while name not in Browser().request(other, "GET", profile)[1]:
            if time.monotonic() - started > 10:
                break
            time.sleep(0.005)
        caught_up = time.monotonic() - started
    ok = signed_in == 302 and added == 302 and name in theirs and name not in anyones
    print(
        f"\nread-your-writes, replica replay paused: sign-in {signed_in} and a new session type "
        f"({added}) on :{one}; at once on :{other} the therapist's browser (cookie "
        f"{'set' if 'wrote_at' in browser.cookies else 'MISSING'}) "
        f"{'sees it' if name in theirs else 'does NOT see it'} (the primary), an anonymous "
        f"reader {'does not' if name not in anyones else 'DOES'} (the replica); replay resumed, "
        f"the anonymous reader sees it {caught_up * 1000:.0f} ms later: "
        f"{'as designed' if ok else 'NOT as designed'}"
    )
    return ok


# --- The run -------------------------------------------------------------------------------------


def _server(url: str, name: str, workers: int, env: dict[str, str]) -> Server:
    server = Server(url, VAR_DIR, workers=workers)
    server.env.update(UNLIMITED)
    server.env.pop("DATABASE_REPLICA_URL", None)
    server.env["CONN_MAX_AGE"] = "60"  # the app's default, whatever this shell says
    server.env.update(env)
    server.log_path = VAR_DIR / f"gunicorn-{name}.log"
    return server


_LIMITS = (
    "DATABASE_STATEMENT_TIMEOUT_MS",
    "DATABASE_LOCK_TIMEOUT_MS",
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
)


def _collect_static(url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_DIR,
        env=server_environment(url, VAR_DIR),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM tears down like Ctrl-C


def run(args: argparse.Namespace) -> int:
    missing = [
        tool
        for tool in ("pg_createcluster", "pg_basebackup", "pgbouncer")
        if not shutil.which(tool)
    ]
    if missing:
        print(
            f"Missing {', '.join(missing)}: apt-get install postgresql pgbouncer", file=sys.stderr
        )
        return 2
    signal.signal(signal.SIGTERM, _interrupted)
    version = max(
        (
            p.name
            for p in Path("/usr/lib/postgresql").iterdir()
            if (p / "bin" / "pg_basebackup").exists()
        ),
        key=int,
    )
    primary = Cluster(version, "scale_out_primary", 0)
    replica = Cluster(version, "scale_out_replica", 0)
    for leftover in (replica, primary):  # from a run that was killed outright
        leftover.drop()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with ExitStack() as teardown:
        teardown.callback(primary.drop)
        primary.port = _free_port(5433, 5499)
        primary.create()
        primary.start()
        started = time.perf_counter()
        url = make_database(BENCH_DATABASE, postgres_url=primary.url())
        world = prepare(url)
        with primary.connect(BENCH_DATABASE) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("VACUUM ANALYZE")
        print(
            f"Primary {version}/{primary.name} on :{primary.port}: demo data + patients in "
            f"{time.perf_counter() - started:.0f} s, {len(world['therapists'])} listed therapists."
        )
        _collect_static(url)  # the sign-in page of the read-your-writes check
        teardown.callback(replica.drop)
        _make_replica(primary, replica)
        pooler = teardown.enter_context(Pooler(primary, replica))
        pooled = {
            "DATABASE_URL": pooler.url(BENCH_DATABASE),
            "DATABASE_REPLICA_URL": pooler.url(REPLICA_DATABASE),
            # Limits go on the role behind PgBouncer (docs/deploy.md); the bench sets none there.
            **dict.fromkeys(_LIMITS, "0"),
            # PgBouncer 1.18 in transaction mode keeps no prepared statement (docs/deploy.md).
            "DATABASE_PREPARED_STATEMENTS": "0",
        }
        direct = teardown.enter_context(_server(url, "direct", args.workers, {}))
        beside = {"DATABASE_REPLICA_URL": replica.url(BENCH_DATABASE)}
        with_replica = teardown.enter_context(_server(url, "replica", args.workers, beside))
        servers = [
            teardown.enter_context(_server(url, f"pooled-{i}", args.workers, pooled))
            for i in (1, 2)
        ]
        reconnecting = teardown.enter_context(
            _server(url, "pooled-no-reuse", args.workers, {**pooled, "CONN_MAX_AGE": "0"})
        )
        setups = [
            Setup("A", "one app server, straight to the primary", [direct]),
            Setup("B", "one app server, the replica beside the primary", [with_replica]),
            Setup("C", "one app server, primary and replica through PgBouncer", servers[:1]),
            Setup("D", "two app servers like C, the requests alternating", servers),
            Setup("E", "one app server like C, CONN_MAX_AGE=0", [reconnecting]),
        ]
        for setup in setups:
            ports = [server.port for server in setup.servers]
            setup.traffic = Traffic(ports[0], world, others=tuple(ports[1:]))
        assert pooler.process is not None
        parts = Parts(
            {
                "app": [
                    s.process.pid
                    for s in (direct, with_replica, *servers, reconnecting)
                    if s.process
                ],
                "primary": [primary.postmaster()],
                "replica": [replica.postmaster()],
                "PgBouncer": [pooler.process.pid],
            },
            _replay_processes(replica.postmaster()),
        )
        print(
            f"Replica {version}/{replica.name} on :{replica.port} streaming; PgBouncer "
            f"(transaction pooling) on :{pooler.port}; app servers of {args.workers} sync "
            f"workers. {os.cpu_count()} cores "
            f"shared by all, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
            f"{os.getloadavg()[0]:.2f}.\n"
        )
        for setup in setups:
            print(f"{setup.key}. {setup.name}")
        lag = _measure(setups, args, parts, (primary, replica))
        print(f"\n{lag.line()}")
        ok = _read_your_writes(servers, primary, replica)
    print(
        f"\nEverything removed (clusters, PgBouncer, servers). Load average "
        f"{os.getloadavg()[0]:.2f}.\n\n{SUMMARY}"
    )
    for setup in setups:
        print(setup.line())
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--rounds", type=int, default=5, help="closed-loop rounds")
    parser.add_argument("--step-seconds", type=float, default=6.0, help="per closed-loop step")
    parser.add_argument("--open-rounds", type=int, default=3, help="open-loop rounds")
    parser.add_argument("--seconds", type=float, default=10.0, help="per open-loop step")
    parser.add_argument("--pool", type=int, default=64, help="open-loop sender threads")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
