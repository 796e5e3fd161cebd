"""Crash without loss (issue 8, point 3): SIGKILL the real server mid-run, twice, and lose nothing
that a client was told was saved.

On SQLite (a file database in WAL mode, as in production) and on PostgreSQL (a database of its
own, ``sciaticare_crash_<pid>``, on DATABASE_URL's server or on 127.0.0.1:5432, dropped after),
gunicorn serves the app with its production settings (DEBUG=0, staff MFA required) with 2
workers × 4 threads. Client threads keep writing through the JSON API:

- booking: GET a therapist's free slots, POST /api/v1/appointments for one of them;
- diary: POST /api/v1/diary, each write carrying its own note text and pain values;
- note signing, per therapist and past appointment: GET the note (stores nothing), PUT
  version 1, PUT version 2 (every field of a version carries its number), POST …/note/sign.

Each client logs every write and what came of it: acknowledged (2xx read), answered with a
refusal (4xx), or lost (the connection broke: the write may or may not have happened). A write
that could not connect never reached a server and is simply sent again. Twice the whole
process group (master and workers) gets SIGKILL while requests are in flight; the same port is
served again at once and the clients carry on. When they stop, the database is compared with the
log:

- every acknowledged booking is there, once, as it was answered; every active appointment was
  asked for by an acknowledged or lost request (a refused one left nothing); no two active
  appointments of a therapist overlap; each has its one "booked" history row and audit row;
- each patient's diary entry is their last acknowledged write or a later lost one, and all
  its values come from that one write;
- every note's fields all come from one PUT (no half-written draft), not older than the last
  acknowledged one; a note whose signing was acknowledged is signed at the instant answered, by
  its therapist, over version 2; every signed note's seal matches its content, its appointment
  is completed and its signing audited once; an unsigned note's appointment is still booked;
- on SQLite, ``PRAGMA integrity_check`` says ok.

Runs in about a minute per database (``make test-slow``).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

from bench.booking_contention import (
    PROJECT_DIR,
    Server,
    drop_database,
    make_database,
    overlapping_pairs,
    server_environment,
)
from tests.proof.crash_history import Write, check_bookings, check_diary, check_notes, draft

pytestmark = pytest.mark.slow

KILLS = 2
BOOKING_CLIENTS = 3
DIARY_CLIENTS = 2
NOTE_CLIENTS = 2  # one therapist each
THERAPISTS = 8  # 14 days of 11 sessions each: more than a fast machine books in a run
PATIENTS = 24


class Lost(Exception):
    """The request may have reached the server, but no answer came back."""


@dataclass
class Run:
    """What the clients did, shared between their threads."""

    port: int
    stop: threading.Event = field(default_factory=threading.Event)
    writes: list[Write] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)  # connections refused, sent again
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def log(self, write: Write) -> Write:
        with self.lock:
            self.writes.append(write)
        return write

    def request(
        self, method: str, path: str, body: dict[str, Any] | None, token: str | None
    ) -> tuple[int, Any]:
        """One request on a new connection; a refused connection is retried until the server
        is back (nothing was sent); any other broken connection raises Lost."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if payload is not None:
            headers["Content-Type"] = "application/json"
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                try:
                    conn.connect()
                except OSError:  # refused (the server is down) or reset: nothing was sent
                    with self.lock:
                        self.refused[f"{method} {path.split('/')[3]}"] += 1
                    if self.stop.wait(0.05):
                        raise Lost("stopped while the server was down") from None
                    continue
                try:
                    conn.request(method, path, payload, headers)
                    response = conn.getresponse()
                    raw = response.read()
                except (OSError, http.client.HTTPException) as error:
                    raise Lost(repr(error)) from error
            finally:
                conn.close()
            try:
                return response.status, json.loads(raw) if raw else None
            except ValueError:
                return response.status, raw.decode(errors="replace")[:200]

    def write(
        self,
        kind: str,
        key: dict[str, Any],
        method: str,
        path: str,
        body: dict[str, Any] | None,
        token: str,
    ) -> Write:
        try:
            status, answer = self.request(method, path, body, token)
        except Lost:
            return self.log(Write(kind, "lost", 0, time.monotonic(), key))
        outcome = "ack" if status < 300 else "no" if status < 500 else "error"
        if outcome == "error":
            with self.lock:
                self.failures.append(f"{kind} {method} {path}: {status} {answer}")
        return self.log(
            Write(
                kind,
                outcome,
                status,
                time.monotonic(),
                key,
                answer if isinstance(answer, dict) else {},
            )
        )


# --- The clients -----------------------------------------------------------------------------


def booking_client(run: Run, world: dict[str, Any], patients: list[int], seed: int) -> None:
    rng = random.Random(seed)
    while not run.stop.is_set():
        therapist = rng.choice(world["therapists"])
        try:
            status, offered = run.request(
                "GET", f"/api/v1/therapists/{therapist['id']}/slots", None, None
            )
        except Lost:
            continue
        if status != 200 or not offered:
            if status >= 500:
                with run.lock:
                    run.failures.append(f"slots: {status} {offered}")
            continue
        slot = rng.choice(offered)
        n = rng.choice(patients)
        key = {
            "patient": world["patients"][n],
            "therapist": therapist["id"],
            "start": datetime.fromisoformat(slot["start"]).timestamp(),
        }
        body = {
            "therapist": therapist["id"],
            "service": therapist["service"],
            "start": slot["start"],
        }
        run.write("booking", key, "POST", "/api/v1/appointments", body, world["tokens"][n])


def diary_client(run: Run, world: dict[str, Any], patients: list[int], client: int) -> None:
    seq = 0
    while not run.stop.is_set():
        seq += 1
        n = patients[seq % len(patients)]
        back, leg = seq % 11, (seq * 7) % 11
        key = {
            "patient": world["patients"][n],
            "note": f"c{client}-{seq}",
            "back": back,
            "leg": leg,
        }
        body = {"back_pain": back, "leg_pain": leg, "note": key["note"]}
        run.write("diary", key, "POST", "/api/v1/diary", body, world["tokens"][n])


def note_client(run: Run, therapist: dict[str, Any]) -> None:
    token = therapist["token"]
    for appointment in therapist["past_appointments"]:
        if run.stop.is_set():
            return
        path = f"/api/v1/appointments/{appointment}/note"
        key = {"appointment": appointment, "therapist_user": therapist["user"]}
        steps: list[tuple[str, str, str, dict[str, Any] | None]] = [
            ("note.open", "GET", path, None),
            ("note.v1", "PUT", path, draft(appointment, 1)),
            ("note.v2", "PUT", path, draft(appointment, 2)),
            ("note.sign", "POST", f"{path}/sign", None),
        ]
        for kind, method, url, body in steps:
            if run.write(kind, key, method, url, body, token).outcome != "ack":
                break  # lost or refused: leave this note as it is and go on to the next


# --- The world, the server, the kills --------------------------------------------------------


def _world(url: str, folder: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this interpreter and module, no shell
        [
            sys.executable,
            "-m",
            "tests.proof.crash_world",
            "prepare",
            "--therapists",
            str(THERAPISTS),
            "--patients",
            str(PATIENTS),
            "--note-therapists",
            str(NOTE_CLIENTS),
        ],
        cwd=PROJECT_DIR,
        env=server_environment(url, folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"prepare failed:\n{done.stdout}\n{done.stderr}"
    world: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return world


def _state(url: str, folder: Path, world: dict[str, Any]) -> dict[str, Any]:
    ids = {"therapists": [t["id"] for t in world["therapists"]], "patients": world["patients"]}
    done = subprocess.run(  # noqa: S603 - this interpreter and module, no shell
        [sys.executable, "-m", "tests.proof.crash_world", "state", "--ids", json.dumps(ids)],
        cwd=PROJECT_DIR,
        env=server_environment(url, folder),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"state failed:\n{done.stdout}\n{done.stderr}"
    state: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return state


def kill_server(server: Server) -> None:
    """SIGKILL the master and its workers at once: no graceful shutdown, no atexit."""
    assert server.process is not None, "the server is not running"
    assert server.process.poll() is None, f"the server died by itself:\n{server.log()}"
    os.killpg(server.process.pid, signal.SIGKILL)  # start_new_session: the group is the server
    server.process.wait(timeout=15)


@dataclass
class Crash:
    url: str
    folder: Path
    world: dict[str, Any]
    run: Run
    restarts: list[float]
    logs: list[Path]


def postgres_base() -> str:
    """The PostgreSQL server to make a database on: the suite's, else the local one."""
    configured = os.environ.get("DATABASE_URL", "")
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # CREATE DATABASE goes through the server's maintenance database, which always exists.
        return urlunsplit(urlsplit(configured)._replace(path="/postgres"))
    return "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def crash(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Crash]:
    """A database of the given kind, the world in it, and a run of the clients through a server
    killed KILLS times; yields once every client has stopped and the server is down."""
    name = f"sciaticare_crash_{os.getpid()}"
    base = None
    if request.param == "postgresql":
        base = postgres_base()
        try:
            parts = urlsplit(base)
            psycopg.connect(
                urlunsplit(parts._replace(scheme="postgresql")), connect_timeout=3
            ).close()
        except psycopg.OperationalError as error:
            pytest.skip(f"PostgreSQL is not reachable at {base}: {error}")
    url = make_database(name, postgres_url=base, sqlite_dir=tmp_path)
    try:
        world = _world(url, tmp_path)
        yield _crash_run(url, tmp_path, world)
    finally:
        if base:
            drop_database(base, name)


def _guarded(run: Run, client: Callable[..., None], *args: Any) -> None:
    """A client whose unexpected exception fails the test instead of silently ending it."""
    try:
        client(*args)
    except Exception as error:
        with run.lock:
            run.failures.append(f"{client.__name__} crashed: {error!r}")


def _crash_run(url: str, folder: Path, world: dict[str, Any]) -> Crash:
    rng = random.Random()
    server = Server(url, folder, workers=2, threads=4)
    server.env["STAFF_MFA_REQUIRED"] = "1"  # production's setting: the therapists are enrolled
    # A few clients stand for many callers: the per-caller limits stay on, as in production
    # (their counters are writes too), but never answer 429.
    server.env.update(
        RATE_LIMITS_ENABLED="1",
        RATE_LIMIT_API_ANONYMOUS="10000000/m",
        RATE_LIMIT_API_USER="10000000/m",
    )
    run = Run(server.port)
    patients = list(range(PATIENTS))
    clients: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
        (booking_client, (run, world, patients[: PATIENTS // 2], i)) for i in range(BOOKING_CLIENTS)
    ]
    diary_pools = [patients[PATIENTS // 2 :][i::DIARY_CLIENTS] for i in range(DIARY_CLIENTS)]
    clients += [(diary_client, (run, world, diary_pools[i], i)) for i in range(DIARY_CLIENTS)]
    clients += [(note_client, (run, world["therapists"][i])) for i in range(NOTE_CLIENTS)]
    threads = [
        threading.Thread(target=_guarded, args=(run, f, *a), daemon=True) for f, a in clients
    ]
    restarts: list[float] = []
    logs: list[Path] = []
    try:
        for life in range(KILLS + 1):
            server.log_path = folder / f"gunicorn-{life}.log"
            logs.append(server.log_path)
            with server:
                restarts.append(time.monotonic())
                if life == 0:
                    for thread in threads:
                        thread.start()
                time.sleep(rng.uniform(4.0, 7.0))
                if life < KILLS:
                    kill_server(server)
                else:
                    run.stop.set()
                    for thread in threads:
                        thread.join(timeout=60)
    finally:
        run.stop.set()
    assert not any(t.is_alive() for t in threads), "a client is still running"
    return Crash(url, folder, world, run, restarts, logs)


def _integrity(url: str) -> str:
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_killing_the_server_loses_no_acknowledged_write(crash: Crash) -> None:
    run = crash.run
    logs = "\n".join(p.read_text(errors="replace")[-1500:] for p in crash.logs if p.exists())
    # Given clients that kept writing while the server was killed twice
    assert not run.failures, f"server errors or client crashes: {run.failures[:5]}\n{logs}"
    outcomes = Counter((w.kind.split(".")[0], w.outcome) for w in run.writes)
    summary = (
        f"{crash.url.split(':')[0]}: writes {dict(sorted(outcomes.items()))}; "
        f"connections refused while down {sum(run.refused.values())}"
    )
    print(summary)
    lost = sum(n for (_, outcome), n in outcomes.items() if outcome == "lost")
    assert lost >= 1, f"no write was in flight at a kill, so nothing was tested: {summary}"
    for kind in ("booking", "diary", "note"):
        assert any(
            w.kind.startswith(kind) and w.outcome == "ack" and w.at > crash.restarts[-1]
            for w in run.writes
        ), f"no {kind} write was acknowledged after the last restart: {summary}\n{logs}"

    # When the database is read afterwards
    state = _state(crash.url, crash.folder, crash.world)

    # Then every acknowledged write is there once, nothing is half-written, nothing overlaps
    problems = (
        check_bookings(crash.world, run.writes, state)
        + check_diary(run.writes, state)
        + check_notes(run.writes, state)
    )
    pairs = overlapping_pairs(crash.url)
    problems += [f"{pairs} pairs of active appointments overlap"] if pairs else []
    assert not problems, f"{summary}\n" + "\n".join(problems[:20])
    if crash.url.startswith("sqlite:///"):
        assert _integrity(crash.url) == "ok"
