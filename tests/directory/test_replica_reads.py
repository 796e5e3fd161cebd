"""The public search and profile read the replica; a person's reads right after their own write,
and every read inside a write's transaction, read the primary (core/replica.py).

The ``replica`` alias points at a copy of the test database that then differs from it: the
same therapist has another first name there, and a therapist added afterwards exists only on
the primary, so every answer shows which database it was read from. SQLite (a file copy) and
PostgreSQL (a copy made from the test database as template).
"""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from sciaticare.accounts.services import create_api_token
from sciaticare.core.replica import REPLICA, WROTE_AT_COOKIE, late_read_alias, late_reads
from sciaticare.directory.selectors.profile import public_profile
from sciaticare.directory.selectors.search import search_therapists
from tests.directory.factories import MANCHESTER, TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LAT, LON = MANCHESTER


@dataclass
class Clock:
    at: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(datetime.now(UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.at)
    return frozen


def _copy_of_the_test_database(tmp_path: Path) -> dict[str, Any]:
    """The settings of a new database holding what the test database holds now."""
    primary = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "replica.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        return {**primary, "NAME": str(path), "CONN_MAX_AGE": None}
    name = f"{primary['NAME']}_replica"
    connection.close()  # CREATE DATABASE … TEMPLATE needs the template to itself
    with _maintenance(primary) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
    return {**primary, "NAME": name, "CONN_MAX_AGE": None}


def _maintenance(primary: dict[str, Any]) -> psycopg.Connection[Any]:
    given = {"host": primary["HOST"], "port": primary["PORT"], "user": primary["USER"]}
    given["password"] = primary["PASSWORD"]
    params = {key: str(value) for key, value in given.items() if value}
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


@dataclass
class World:
    therapist: Any  # in both databases: "Primrose" on the primary, "Rennie" on the replica
    newcomer: Any  # added after the copy: on the primary only
    patient: Any


@pytest.fixture
def world(transactional_db: None, tmp_path: Path) -> Iterator[World]:
    therapist = TherapistProfileFactory(user__first_name="Primrose", user__last_name="Hale")
    patient = PatientFactory()
    replica = _copy_of_the_test_database(tmp_path)
    connections.settings[REPLICA] = replica
    try:
        # Opened here, since the test case allows only the aliases known when it began to
        # open a connection; kept open for the test (persistent, and the test client does
        # not close connections after a request).
        connections[REPLICA].connect()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_user SET first_name = %s WHERE id = %s",
                ["Rennie", therapist.user_id],
            )
        newcomer = TherapistProfileFactory(user__first_name="Nova", user__last_name="Quinn")
        yield World(therapist=therapist, newcomer=newcomer, patient=patient)
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        if connection.vendor == "postgresql":
            with _maintenance(connection.settings_dict) as server:
                server.execute(f'DROP DATABASE IF EXISTS "{replica["NAME"]}" WITH (FORCE)')


def searched(client: Client, **headers: str) -> set[str]:
    response = client.get(
        "/api/v1/therapists", {"lat": LAT, "lon": LON, "radius_km": 25}, headers=headers
    )
    assert response.status_code == 200
    return {item["name"] for item in response.json()["items"]}


def profile_name(client: Client, therapist: Any) -> str:
    response = client.get(f"/api/v1/therapists/{therapist.pk}")
    assert response.status_code == 200
    return response.json()["name"]


def page_shows(client: Client, therapist: Any, name: str) -> bool:
    response = client.get(f"/therapists/{therapist.pk}/")
    assert response.status_code == 200
    return name in response.text


def search_page_shows(client: Client, name: str) -> bool:
    response = client.get("/therapists/", {"lat": LAT, "lon": LON, "radius_km": 25})
    assert response.status_code == 200
    return name in response.text


def test_public_reads_come_from_the_replica(world, clock):
    anyone = Client()

    assert searched(anyone) == {"Rennie Hale"}  # the newcomer is not on the replica yet
    assert profile_name(anyone, world.therapist) == "Rennie Hale"
    assert anyone.get(f"/api/v1/therapists/{world.newcomer.pk}").status_code == 404
    assert page_shows(anyone, world.therapist, "Rennie Hale")
    assert search_page_shows(anyone, "Rennie Hale")
    assert not search_page_shows(anyone, "Nova Quinn")
    assert WROTE_AT_COOKIE not in anyone.cookies


def test_after_their_own_write_a_person_reads_the_primary_for_the_window(world, clock, settings):
    settings.READ_YOUR_WRITES_SECONDS = 5.0
    client = Client()
    client.force_login(world.patient)
    assert searched(client) == {"Rennie Hale"}

    written = client.post("/therapists/plan/add/", {"therapist": world.newcomer.pk})

    assert written.status_code == 302
    assert WROTE_AT_COOKIE in written.cookies
    assert searched(client) == {"Primrose Hale", "Nova Quinn"}
    assert profile_name(client, world.newcomer) == "Nova Quinn"
    assert page_shows(client, world.therapist, "Primrose Hale")
    assert search_page_shows(client, "Nova Quinn")
    clock.at += timedelta(seconds=4.9)
    assert profile_name(client, world.therapist) == "Primrose Hale"
    # Someone else, at the same moment, still reads the replica.
    assert searched(Client()) == {"Rennie Hale"}

    clock.at += timedelta(seconds=0.1)

    assert searched(client) == {"Rennie Hale"}
    assert profile_name(client, world.therapist) == "Rennie Hale"


def test_a_refused_write_leaves_the_person_on_the_replica(world, clock):
    client = Client()
    client.force_login(world.patient)

    refused = client.post("/therapists/plan/add/", {"therapist": "not a number"})

    assert refused.status_code == 404
    assert WROTE_AT_COOKIE not in refused.cookies
    assert searched(client) == {"Rennie Hale"}


def test_a_bearer_token_call_reads_the_primary(world, clock):
    _, token = create_api_token(user=world.patient, name="script")

    assert searched(Client(), authorization=f"Bearer {token}") == {"Primrose Hale", "Nova Quinn"}


def test_reads_inside_a_write_transaction_use_the_primary(world, clock):
    with late_reads():
        assert late_read_alias() == REPLICA
        assert public_profile(profile_id=world.therapist.pk).therapist.name == "Rennie Hale"
        with transaction.atomic():
            assert late_read_alias() == "default"
            assert public_profile(profile_id=world.therapist.pk).therapist.name == "Primrose Hale"
            found = search_therapists(lat=LAT, lon=LON)
            assert {r.profile.name for r in found.results} == {"Primrose Hale", "Nova Quinn"}
        assert late_read_alias() == REPLICA
    assert late_read_alias() == "default"
