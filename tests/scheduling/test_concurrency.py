"""N clients racing for one slot through a real HTTP server: exactly one 201, N − 1 409s.

The race runs on the database the suite is configured for, never skipped: SQLite (a file
database in a temporary directory, since the suite's in-memory database cannot be shared with
a server process) or PostgreSQL when DATABASE_URL points at it (a database of its own on that
server, ``sciaticare_race_<pid>``, dropped afterwards). gunicorn serves the app with 2 worker
processes × 4 threads, so requests really run side by side, across processes as well as
threads. Each client opens its connection, waits at a barrier, then sends its POST; afterwards
the database itself is asked how many active appointments the slot's therapist has and
whether any two overlap.

The database, the world (therapists with hours, patients with an intake at level ok and an API
token each) and the server come from bench/booking_contention.py, which the contention
benchmark uses too.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from bench.booking_contention import (
    Server,
    active_appointments,
    drop_database,
    make_database,
    overlapping_pairs,
    prepare,
)

CLIENTS = (2, 10, 50)


@dataclass
class Race:
    server: Server
    database_url: str
    therapists: list[dict[str, int]]
    tokens: list[str]


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Race]:
    """A database of the configured kind, filled, and gunicorn serving it."""
    folder = tmp_path_factory.mktemp("race")
    postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    name = f"sciaticare_race_{os.getpid()}"
    base_url = os.environ["DATABASE_URL"] if postgres else None
    url = make_database(name, postgres_url=base_url, sqlite_dir=folder)
    try:
        world = prepare(url, folder, therapists=len(CLIENTS), patients=max(CLIENTS))
        with Server(url, folder, workers=2, threads=4) as server:
            yield Race(server, url, world["therapists"], world["tokens"])
    finally:
        if base_url:
            drop_database(base_url, name)


def _race(server: Server, tokens: list[str], body: dict[str, Any]) -> list[int]:
    """Every token POSTs the same booking at once; the statuses they got."""
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def client(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(timeout=30)
            conn.request(
                "POST",
                "/api/v1/appointments",
                json.dumps(body),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        except BaseException as error:  # reported below, with the server's log
            failures.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a client is still waiting"
    assert not failures, f"{failures[:3]}\n{server.log()}"
    return statuses


@pytest.mark.parametrize("clients", CLIENTS)
def test_clients_racing_for_one_slot_get_one_201_and_the_rest_409(race: Race, clients: int) -> None:
    # Given a therapist of its own for this race, and a slot the server offers (days ahead, so
    # that the minimum notice cannot run out between offer and booking)
    therapist = race.therapists[CLIENTS.index(clients)]
    status, offered = race.server.request("GET", f"/api/v1/therapists/{therapist['id']}/slots")
    assert status == 200, offered
    slots = json.loads(offered)
    slot = slots[len(slots) // 2]

    # When every client books it at once, each with its own patient's token
    statuses = _race(
        race.server,
        race.tokens[:clients],
        {"therapist": therapist["id"], "service": therapist["service"], "start": slot["start"]},
    )

    # Then one got it, the others were told it was just taken, and the database holds one booking
    assert sorted(statuses) == [201] + [409] * (clients - 1), race.server.log()
    assert active_appointments(race.database_url, therapist["id"]) == 1
    assert overlapping_pairs(race.database_url) == 0
