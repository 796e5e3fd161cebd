"""Booking under contention: 50 clients for 30 s over 20 therapists, through gunicorn, on PostgreSQL.

Run:  DATABASE_URL=postgres://… .venv/bin/python -m bench.booking_contention
      (--clients 50 --seconds 30 --therapists 20 --workers 4 --threads 1)

DATABASE_URL names the PostgreSQL server; the benchmark makes a database of its own on it,
``sciaticare_bench_contention`` (dropped and made again on each run, dropped at the end), and
never touches the one DATABASE_URL names. A subprocess migrates it and writes the world
(``python -m bench.booking_contention prepare URL``): one clinic location (Europe/London, the
clinic's default rules: 2 h notice, 15-minute buffer and grid), 20 therapists working every day
07:00–21:00 with a 60-minute standard session, 50 patients with an intake at level ok and an
API token each. Then gunicorn serves the app on 127.0.0.1 (DEBUG=0, HTTPS=0,
STAFF_MFA_REQUIRED=0) and 50 client threads (http.client, one connection per request: sync
workers close it anyway) each repeat, until the time is up: pick one of the 20 therapists at
random, ``GET /api/v1/therapists/{id}/slots`` (the default 14 days), pick one of the offered
slots at random, ``POST /api/v1/appointments`` with its bearer token. The clients run on the
same 2 cores as the server, so the figures are what one machine does serving and loading itself.

Reported, for a baseline of one client alone (10 s, same server and data, after a 3 s warm-up) and for
the 50: bookings/s, POST latency p50/p99 (as the client sees it, queueing included), the count
of 201, 409 and other answers; then how full the calendars got, and, read from the database afterwards, the number of pairs of overlapping
active appointments — which must be 0. The server is always stopped (terminate, then kill).

The pieces (``make_database``, ``prepare``, ``Server``, ``overlapping_pairs``) also serve
tests/scheduling/test_concurrency.py, which races N clients for one slot on SQLite or PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "sciaticare_bench_contention"
ACTIVE = "('held', 'booked', 'completed', 'no_show')"
OVERLAPPING_PAIRS = f"""
    SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b
      ON a.therapist_id = b.therapist_id AND a.id < b.id
     AND a.start < b.busy_until AND b.start < a.busy_until
   WHERE a.status IN {ACTIVE} AND b.status IN {ACTIVE}
"""


# --- Databases of their own ----------------------------------------------------------------


def make_database(
    name: str, *, postgres_url: str | None = None, sqlite_dir: Path | None = None
) -> str:
    """A fresh, empty database of its own, and its URL: ``name`` on the PostgreSQL server of
    ``postgres_url`` (dropped first if it exists; made through a connection to the database
    that URL names), or ``<sqlite_dir>/<name>.sqlite3``."""
    if postgres_url:
        drop_database(postgres_url, name)
        with psycopg.connect(_psycopg_url(postgres_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
    if sqlite_dir is None:
        raise ValueError("Give the PostgreSQL server's URL or a directory for SQLite.")
    path = sqlite_dir.resolve() / f"{name}.sqlite3"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def drop_database(base_url: str, name: str) -> None:
    """Drop a PostgreSQL database made by make_database, closing any connection left to it."""
    with psycopg.connect(_psycopg_url(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _psycopg_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


@contextmanager
def connect(url: str) -> Iterator[Any]:
    """A plain DB-API connection to a database URL (sqlite:/// or postgres://)."""
    conn: Any
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        conn = psycopg.connect(_psycopg_url(url))
    try:
        yield conn
    finally:
        conn.close()


def overlapping_pairs(url: str, therapist_id: int | None = None) -> int:
    """Pairs of active appointments of one therapist whose busy spans overlap (must be 0)."""
    sql = OVERLAPPING_PAIRS
    if therapist_id is not None:
        sql += f" AND a.therapist_id = {int(therapist_id)}"
    with connect(url) as conn:
        return int(conn.execute(sql).fetchone()[0])


def active_appointments(url: str, therapist_id: int) -> int:
    with connect(url) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM scheduling_appointment WHERE therapist_id = {int(therapist_id)} AND status IN {ACTIVE}"
        ).fetchone()
        return int(row[0])


# --- The world the server works on ---------------------------------------------------------


def server_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """The environment of the app processes: production settings on loopback, no MFA."""
    # SCIATICARE_PROCESS too: wsgi.py sets it for the server, and a prepare subprocess (migrate,
    # the demo's data) must never run under the web's statement and lock timeouts.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "SCIATICARE_PROCESS")
    }
    env.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
        DATABASE_URL=database_url,
        DEBUG="0",
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1",
        STAFF_MFA_REQUIRED="0",
        # Every client comes from 127.0.0.1: the per-IP limits would measure themselves.
        RATE_LIMITS_ENABLED="0",
        SCIATICARE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="sciaticare.settings",
        # src first: the server runs this checkout's code, whatever the virtualenv installed.
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(PROJECT_DIR / "src"), str(PROJECT_DIR), os.environ.get("PYTHONPATH")])
        ),
    )
    return env


def prepare_demo(database_url: str, var_dir: Path) -> None:
    """Migrate a fresh database, collect the static files and write the demo (``seed_demo``),
    as ``make run`` does, for a bench that serves the demo (bench/fast_path.py, lighthouse.py)."""
    env = server_environment(database_url, var_dir)
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo"],
    ):
        subprocess.run(  # noqa: S603 - this interpreter and manage.py, no shell
            [sys.executable, "manage.py", *command],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def prepare(database_url: str, var_dir: Path, *, therapists: int, patients: int) -> dict[str, Any]:
    """Migrate the database and write the world, in a subprocess (this process may have
    Django set up on another database); returns the therapists and the patients' tokens."""
    return prepare_in_subprocess(
        "bench.booking_contention",
        ["--therapists", str(therapists), "--patients", str(patients)],
        database_url,
        var_dir,
        timeout=300,
    )


def prepare_in_subprocess(
    module: str, args: list[str], database_url: str, var_dir: Path, *, timeout: float
) -> dict[str, Any]:
    """Run ``python -m <module> prepare <args>`` on the server's environment and return the
    JSON world it prints last."""
    done = subprocess.run(  # noqa: S603 - this interpreter and one of our modules, no shell
        [sys.executable, "-m", module, "prepare", *args],
        cwd=PROJECT_DIR,
        env=server_environment(database_url, var_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"prepare failed:\n{done.stdout}\n{done.stderr}")
    world: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return world


def write_world(therapists: int, patients: int) -> dict[str, Any]:
    """The contention world, written with Django set up on the target database (by the prepare
    subprocess; bench/load.py and the crash proof build theirs on it)."""
    from datetime import time as clock
    from decimal import Decimal

    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # nobody signs in as these
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from sciaticare.accounts.models import User
    from sciaticare.accounts.services import create_api_token
    from sciaticare.directory.models import (
        Clinic,
        Location,
        SessionType,
        TherapistLocation,
        TherapistProfile,
    )
    from sciaticare.intake import services as intake_services
    from sciaticare.intake.triage.levels import Level
    from sciaticare.intake.triage.questions import REQUIRED_CODES
    from sciaticare.scheduling.models import WorkingHours

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    with transaction.atomic():
        clinic = Clinic.objects.create(name="Contention clinic")
        location = Location.objects.create(
            clinic=clinic,
            name="Centre",
            address="1 Main Street",
            latitude=51.5,
            longitude=-0.12,
            time_zone="Europe/London",
        )
        world: dict[str, Any] = {"therapists": [], "tokens": []}
        for i in range(therapists):
            user = User.objects.create(
                email=f"therapist{i}@bench.invalid",
                password=UNUSABLE_PASSWORD_PREFIX,
                is_patient=False,
                is_therapist=True,
            )
            profile = TherapistProfile.objects.create(
                user=user, years_experience=10, years_sciatica=5
            )
            profile.clinics.add(clinic)
            TherapistLocation.objects.create(therapist=profile, location=location)
            session = SessionType.objects.create(
                therapist=profile,
                name="Sciatica massage",
                minutes=60,
                price=Decimal(60),
                is_standard=True,
            )
            WorkingHours.objects.bulk_create(
                WorkingHours(
                    therapist=profile, location=location, weekday=d, start=clock(7), end=clock(21)
                )
                for d in range(7)
            )
            world["therapists"].append({"id": profile.pk, "service": session.pk})
        answers = dict.fromkeys(REQUIRED_CODES, False)
        for i in range(patients):
            patient = User.objects.create(
                email=f"patient{i}@bench.invalid",
                password=UNUSABLE_PASSWORD_PREFIX,
                is_patient=True,
            )
            intake = intake_services.submit_intake(
                patient=patient,
                data=intake_services.IntakeData(
                    age=40,
                    onset_date=timezone.localdate() - timedelta(weeks=3),
                    answers=answers,
                    back_pain=(5, 4, 7),
                ),
            )
            if intake.level != Level.OK:
                raise RuntimeError(f"The bench intake should triage as ok, not {intake.level}.")
            world["tokens"].append(create_api_token(user=patient, name="bench")[1])
    return world


class Server:
    """gunicorn serving the app on a free loopback port, until the block ends (always stopped:
    terminate, then kill)."""

    def __init__(
        self,
        database_url: str,
        var_dir: Path,
        *,
        workers: int = 2,
        threads: int = 1,
        ready_path: str = "/api/v1/openapi.json",
        app: str = "sciaticare.wsgi:application",
    ) -> None:
        self.env = server_environment(database_url, var_dir)
        self.app = app  # bench/load.py serves a hello-world beside it as the ceiling
        self.workers, self.threads, self.ready_path = workers, threads, ready_path
        self.log_path = var_dir / "gunicorn.log"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        command = [
            sys.executable, "-m", "gunicorn", self.app,
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--backlog", "2048",
            "--timeout", "60",
            "--no-control-socket",  # one per server: the default path in $HOME is shared
        ]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, no shell
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        try:
            self._wait_until_ready(timeout=60.0)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                status, _ = self.request("GET", self.ready_path, timeout=5.0)
            except OSError:
                status = 0
            if status == 200:
                return
            time.sleep(0.2)
        raise TimeoutError(
            f"gunicorn did not answer {self.ready_path} within {timeout:g} s:\n{self.log()}"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # gunicorn's master stops its workers gracefully
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this Popen started, workers included
            process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        token: str | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, bytes]:
        """One request on a new connection: (status, body)."""
        status, _, raw = loopback(self.port, method, path, body, token=token, timeout=timeout)
        return status, raw


def loopback(
    port: int,
    method: str,
    path: str,
    body: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, str], bytes]:
    """One request to the server on this machine's `port`, on a new connection (sync workers
    close it anyway), JSON body and bearer token optional: (status, headers by lower-case
    name, body). Raises OSError or http.client.HTTPException when the connection breaks."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, payload, headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
    finally:
        conn.close()


# --- The benchmark -------------------------------------------------------------------------


def _client(
    server: Server,
    token: str,
    therapists: list[dict[str, int]],
    deadline: float,
    seed: int,
    out: dict[str, Any],
) -> None:
    rng = random.Random(seed)
    latencies: list[float] = out["latencies"]
    statuses: Counter[int] = out["statuses"]
    while time.monotonic() < deadline:
        therapist = rng.choice(therapists)
        try:
            status, body = server.request(
                "GET", f"/api/v1/therapists/{therapist['id']}/slots", timeout=10.0
            )
            if status != 200:
                out["get_errors"] += 1
                continue
            offered = json.loads(body)
            if not offered:
                out["empty"] += 1
                continue
            slot = rng.choice(offered)
            started = time.perf_counter()
            status, _ = server.request(
                "POST",
                "/api/v1/appointments",
                {
                    "therapist": therapist["id"],
                    "service": therapist["service"],
                    "start": slot["start"],
                },
                token=token,
                timeout=10.0,
            )
            latencies.append((time.perf_counter() - started) * 1000.0)
            statuses[status] += 1
        except OSError as error:
            out["errors"].append(repr(error))


@dataclass
class Phase:
    """What a number of clients got from the server in a given time."""

    clients: int
    elapsed: float
    latencies: list[float]  # POST, ms, sorted
    statuses: Counter[int]
    empty: int
    get_errors: int
    errors: list[str]
    stuck: int

    @property
    def created(self) -> int:
        return self.statuses[201]

    def line(self, label: str) -> str:
        lat = self.latencies
        p50 = statistics.median(lat) if lat else float("nan")
        p99 = lat[max(0, -(-99 * len(lat) // 100) - 1)] if lat else float("nan")
        others = {k: v for k, v in self.statuses.items() if k not in (201, 409)}
        return (
            f"{label:<22} {self.created / self.elapsed:>10.1f} {p50:>10.1f} {p99:>10.1f} "
            f"{self.created:>7,} {self.statuses[409]:>7,} {sum(others.values()):>7,} {others or ''}"
        )


def _load(server: Server, world: dict[str, Any], clients: int, seconds: float) -> Phase:
    out: dict[str, Any] = {
        "latencies": [],
        "statuses": Counter(),
        "empty": 0,
        "get_errors": 0,
        "errors": [],
    }
    began = time.monotonic()
    deadline = began + seconds
    threads = []
    for i in range(clients):
        thread = threading.Thread(
            target=_client,
            args=(
                server,
                world["tokens"][i % len(world["tokens"])],
                world["therapists"],
                deadline,
                i,
                out,
            ),
            daemon=True,
        )
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 15.0)
    return Phase(
        clients=clients,
        elapsed=time.monotonic() - began,
        latencies=sorted(out["latencies"]),
        statuses=out["statuses"],
        empty=out["empty"],
        get_errors=out["get_errors"],
        errors=out["errors"],
        stuck=sum(thread.is_alive() for thread in threads),
    )


def run(args: argparse.Namespace) -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print(
            "The contention benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…",
            file=sys.stderr,
        )
        return 2
    var_dir = PROJECT_DIR / "var" / "bench" / "contention"
    started = time.perf_counter()
    url = make_database(BENCH_DATABASE, postgres_url=base_url)
    try:
        world = prepare(url, var_dir, therapists=args.therapists, patients=args.clients)
        print(
            f"Database {BENCH_DATABASE} migrated and filled in {time.perf_counter() - started:.0f} s."
        )
        with Server(url, var_dir, workers=args.workers, threads=args.threads) as server:
            # Every worker serves a few requests first (connections, URLconf, schemas), then
            # the baseline: one client alone, on the same server and data.
            _load(server, world, 2 * args.workers, 3.0)
            alone = _load(server, world, 1, args.baseline_seconds)
            contended = _load(server, world, args.clients, args.seconds)
            load = os.getloadavg()[0]
        pairs = overlapping_pairs(url)
        with connect(url) as conn:
            booked = int(
                conn.execute(
                    f"SELECT count(*) FROM scheduling_appointment WHERE status IN {ACTIVE}"
                ).fetchone()[0]
            )
    finally:
        drop_database(base_url, BENCH_DATABASE)

    capacity = args.therapists * 14 * 11  # 60-minute sessions + 15-minute buffer in 07:00–21:00
    print(
        f"\nBooking under contention: {args.clients} clients, {args.seconds:g} s, {args.therapists} therapists"
    )
    print(
        f"postgresql; gunicorn {args.workers} workers × {args.threads} threads; "
        f"{os.cpu_count()} cores shared with the clients; "
        f"{datetime.now(UTC).date().isoformat()}; load average {load:.2f}"
    )
    header = f"{'':<22} {'bookings/s':>10} {'POST p50':>10} {'POST p99':>10} {'201':>7} {'409':>7} {'other':>7}"
    print(header)
    print("-" * len(header))
    print(alone.line(f"1 client, {args.baseline_seconds:g} s"))
    print(contended.line(f"{args.clients} clients, {args.seconds:g} s"))
    print(
        f"\nslot lists: {contended.empty:,} empty, {contended.get_errors:,} failed; "
        f"connection errors {len(contended.errors) + len(alone.errors)}"
    )
    print(
        f"calendars: {booked:,} active appointments, about {booked / capacity:.0%} of 14 days' capacity"
    )
    print(f"overlapping active pairs: {pairs}")
    errors = alone.errors + contended.errors
    if errors:
        print("first connection errors: " + "; ".join(errors[:3]), file=sys.stderr)
    stuck = alone.stuck + contended.stuck
    if pairs or stuck:
        print(f"FAILED: {pairs} overlapping pairs, {stuck} clients still running.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command")
    prep = sub.add_parser(
        "prepare", help="(internal) migrate DATABASE_URL and write the world; print it as JSON"
    )
    prep.add_argument("--therapists", type=int, default=20)
    prep.add_argument("--patients", type=int, default=50)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--baseline-seconds", type=float, default=10.0, help="one client alone, first"
    )
    parser.add_argument("--therapists", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2–4 on 2 cores)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
    )
    args = parser.parse_args(argv)
    if args.command == "prepare":
        import django

        django.setup()
        print(json.dumps(write_world(args.therapists, args.patients)))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
