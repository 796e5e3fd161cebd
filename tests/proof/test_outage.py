"""Survive the database going away (issue 19): gunicorn serving the app on PostgreSQL answers
503 with Retry-After while the database is away or too slow, never a 500, recovers by itself,
and fails fast instead of waiting on a lock or a slow statement.

A database of its own (``sciaticare_outage_<pid>``, on DATABASE_URL's PostgreSQL server or on
127.0.0.1:5432, dropped after) with the contention world (bench/booking_contention.py: two
therapists, two patients with a token each). Each test starts gunicorn (one sync worker, so
one database connection, production settings) with the environment it is about:

- the worker's backend is killed (``pg_terminate_backend``): the next request reconnects (with
  CONN_HEALTH_CHECKS) or answers 503 (without), and requests succeed again within 5 s;
- another session holds a lock on the appointments table: a booking answers 503 within about
  ``DATABASE_LOCK_TIMEOUT_MS`` while the lock is still held, and books once it is released;
- a statement waits longer than ``DATABASE_STATEMENT_TIMEOUT_MS``: 503 with a clear JSON body,
  and the connection serves the next request;
- nothing listens where the database should be, or something listens and never answers: 503
  at once, or after ``DATABASE_CONNECT_TIMEOUT``.

bench/outage.py does the same under the load mix, with a restart of a cluster of its own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench.booking_contention import (
    PROJECT_DIR,
    Server,
    connect,
    drop_database,
    loopback,
    make_database,
    prepare,
    server_environment,
)
from tests.proof.test_crash import postgres_base

pytestmark = pytest.mark.slow

RECOVERY_SECONDS = 5.0


@dataclass
class World:
    url: str
    folder: Path
    therapists: list[dict[str, int]]
    tokens: list[str]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = postgres_base()
    try:
        psycopg.connect(
            urlunsplit(urlsplit(base)._replace(scheme="postgresql")), connect_timeout=3
        ).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable at {base}: {error}")
    folder = tmp_path_factory.mktemp("outage")
    name = f"sciaticare_outage_{os.getpid()}"
    url = make_database(name, postgres_url=base)
    try:
        made = prepare(url, folder, therapists=2, patients=2)
        # Pages name their static files by the manifest, as in production (and so does the 503
        # page): collected into the server's var folder.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=PROJECT_DIR,
            env=server_environment(url, folder),
            check=True,
            timeout=300,
        )
        yield World(url, folder, made["therapists"], made["tokens"])
    finally:
        drop_database(base, name)


@contextmanager
def serve(url: str, folder: Path, **env: str) -> Iterator[Server]:
    """gunicorn with one sync worker (one connection) on `url`, with `env` added."""
    server = Server(url, folder, workers=1, threads=1)
    server.env.update(env)
    with server:
        yield server


def ask(
    server: Server, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
) -> Answer:
    started = time.monotonic()
    status, headers, raw = loopback(server.port, method, path, body, token=token, timeout=60)
    return Answer(status, headers, raw, time.monotonic() - started)


def kill_app_backends(url: str) -> int:
    """pg_terminate_backend of every other connection to the database: the server's."""
    with connect(url) as conn:
        conn.autocommit = True
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        ).fetchall()
    return len(rows)


def assert_outage(answer: Answer, code: str, retry_after: str) -> None:
    assert answer.status == 503, answer.body[:500]
    assert answer.headers["retry-after"] == retry_after
    text = answer.body.decode()
    assert "Traceback" not in text
    assert "psycopg" not in text
    if answer.headers["content-type"].startswith("application/json"):
        problem = answer.json()
        assert problem["code"] == code
        assert "try again in a few seconds" in problem["detail"]
        assert problem["errors"] == []
    else:
        assert "Sciaticare could not answer just now" in text


def first_success_within(server: Server, path: str, seconds: float) -> float:
    """Seconds until `path` answers 200, asking every 0.1 s; never a 500 meanwhile."""
    started = time.monotonic()
    while True:
        answer = ask(server, "GET", path)
        assert answer.status in (200, 503), answer.body[:500]
        if answer.status == 200:
            return time.monotonic() - started
        assert time.monotonic() - started < seconds, f"still {answer.status} after {seconds} s"
        time.sleep(0.1)


@pytest.mark.parametrize("health_checks", ["1", "0"])
def test_a_killed_backend_answers_503_or_reconnects_and_recovers_within_5_s(
    world: World, health_checks: str
) -> None:
    therapist = world.therapists[0]["id"]
    slots = f"/api/v1/therapists/{therapist}/slots"
    with serve(world.url, world.folder, CONN_HEALTH_CHECKS=health_checks) as server:
        assert ask(server, "GET", slots).status == 200  # the worker's connection is open, kept

        for path in (slots, f"/therapists/{therapist}/"):
            # When the backend serving the worker is killed between two requests
            assert kill_app_backends(world.url) == 1
            answer = ask(server, "GET", path)

            # Then the health check reconnects before the request uses the connection; without
            # it, the request meets the dead connection: 503, and the connection is dropped.
            if health_checks == "1":
                assert answer.status == 200, answer.body[:500]
            else:
                assert_outage(answer, "database_unavailable", "5")
            assert first_success_within(server, path, RECOVERY_SECONDS) < RECOVERY_SECONDS


def test_a_booking_behind_a_held_lock_answers_503_within_the_lock_timeout(world: World) -> None:
    therapist = world.therapists[0]
    with serve(world.url, world.folder, DATABASE_LOCK_TIMEOUT_MS="1000") as server:
        offered = ask(server, "GET", f"/api/v1/therapists/{therapist['id']}/slots").json()
        booking = {
            "therapist": therapist["id"],
            "service": therapist["service"],
            "start": offered[0]["start"],
        }
        with connect(world.url) as holder:
            # Given another session holding a lock that keeps new appointments out (reads pass)
            holder.execute("LOCK TABLE scheduling_appointment IN SHARE MODE")

            # When a patient books
            answer = ask(server, "POST", "/api/v1/appointments", booking, world.tokens[0])

            # Then the answer comes while the lock is still held: busy, not a hang or a 500
            assert_outage(answer, "database_busy", "2")
            assert answer.seconds < 1.0 + 4.0, answer.seconds  # the limit, and a loaded machine
            assert ask(server, "GET", f"/api/v1/therapists/{therapist['id']}").status == 200
            holder.rollback()

        # And once the lock is gone the same booking is made (nothing was half-saved)
        again = ask(server, "POST", "/api/v1/appointments", booking, world.tokens[0])
        assert again.status == 201, again.body[:500]


def test_a_statement_over_the_statement_timeout_answers_503_with_clear_json(
    world: World,
) -> None:
    kept, asked = world.therapists[0]["id"], world.therapists[1]["id"]
    limits = {"DATABASE_LOCK_TIMEOUT_MS": "0", "DATABASE_STATEMENT_TIMEOUT_MS": "1000"}
    with serve(world.url, world.folder, **limits) as server:
        assert ask(server, "GET", f"/api/v1/therapists/{kept}").status == 200
        with connect(world.url) as holder:
            # No lock timeout: only the statement timeout ends the wait of a read.
            holder.execute("LOCK TABLE directory_therapistprofile IN ACCESS EXCLUSIVE MODE")
            answer = ask(server, "GET", f"/api/v1/therapists/{asked}")
            # A public answer the process keeps (core/kept_answers.py) needs no database.
            kept_answer = ask(server, "GET", f"/api/v1/therapists/{kept}")
            holder.rollback()

        assert_outage(answer, "database_busy", "2")
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["detail"] == (
            "Sciaticare's database is too busy to answer just now. "
            "Please try again in a few seconds."
        )
        assert answer.seconds < 1.0 + 4.0, answer.seconds
        assert kept_answer.status == 200
        assert kept_answer.seconds < 1.0, kept_answer.seconds
        # The cancelled statement left the connection usable: the next request is served.
        assert ask(server, "GET", f"/api/v1/therapists/{asked}").status == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_database_with_nothing_listening_answers_503_at_once(world: World) -> None:
    nowhere = urlunsplit(urlsplit(world.url)._replace(netloc=f"postgres@127.0.0.1:{_free_port()}"))
    with serve(nowhere, world.folder) as server:
        for path in ("/api/v1/therapists/1", "/therapists/1/"):
            answer = ask(server, "GET", path)
            assert_outage(answer, "database_unavailable", "5")
            assert answer.seconds < 2.0, answer.seconds


def test_a_database_that_never_answers_gives_up_after_the_connect_timeout(world: World) -> None:
    # Something accepts the connection (the kernel completes it) and never says a word.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        mute = urlunsplit(urlsplit(world.url)._replace(netloc=f"postgres@127.0.0.1:{port}"))
        with serve(mute, world.folder, DATABASE_CONNECT_TIMEOUT="2") as server:
            answer = ask(server, "GET", "/api/v1/therapists/1")

    assert_outage(answer, "database_unavailable", "5")
    assert 1.5 < answer.seconds < 2.0 + 4.0, answer.seconds
