"""The therapist's dashboard: "Exercises flagged before the next session" (flagged_clients), only
to the therapists who treat the client, in plain words, nothing when none, and a fixed number of
queries however many clients there are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sciaticare.exercises.services.logs import log_exercise
from sciaticare.exercises.services.plans import write_plan
from sciaticare.scheduling.models import AppointmentStatus
from tests.exercises.conftest import reps, session
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TITLE = "Exercises flagged before the next session"


def _plan(world: dict[str, Any], patient: Any = None) -> int:
    return write_plan(
        therapist=world["people"]["therapist"],
        patient=patient or world["people"]["patient"],
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"] - timedelta(days=10),
        review_date=None,
    ).plan_id


def _tick(world: dict[str, Any], plan_id: int, days_ago: int, patient: Any = None, **kw: Any):
    log_exercise(
        patient=patient or world["people"]["patient"],
        plan_id=plan_id,
        exercise_id=world["exercises"]["tilt"].pk,
        day=world["today"] - timedelta(days=days_ago),
        done=True,
        **kw,
    )


def _dashboard(client: Any, person: Any) -> str:
    client.force_login(person)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _section(body: str, title: str = TITLE) -> str:
    start = body.index(title)
    return body[start : body.index("</section>", start)]


def test_a_spread_down_the_leg_shows_with_the_brief_the_day_and_the_next_session(client, world):
    patient = world["people"]["patient"]
    plan_id = _plan(world)
    _tick(world, plan_id, days_ago=1, spread_down_leg=True, leg_pain="worse")
    next_session = session(
        world["therapist_profile"], patient, days_ago=-2, status=AppointmentStatus.BOOKED
    )

    section = _section(_dashboard(client, world["people"]["therapist"]))

    assert f'<a href="{reverse("intake:brief", args=[patient.pk])}">Odalys Fenwick</a>' in section
    assert "T pelvic tilt" in section
    assert "leg pain spread further down the leg" in section
    assert "marked Mon 13 Jul" in section  # the day before the frozen Tuesday
    assert "next session Thu 16 Jul, 13:00 BST" in section  # on the clinic's clock
    assert next_session.start.date().isoformat() == "2026-07-16"
    assert reverse("exercises:prescribe", args=[patient.pk]) in section


def test_worse_three_times_running_shows_in_its_words(client, world):
    plan_id = _plan(world)
    for days_ago in (3, 2, 1):
        _tick(world, plan_id, days_ago=days_ago, leg_pain="worse")

    section = _section(_dashboard(client, world["people"]["therapist"]))

    assert "leg pain worse three times running" in section
    assert "spread further" not in section
    assert "no session booked" in section


def test_nothing_is_shown_without_a_flag(client, world):
    plan_id = _plan(world)
    _tick(world, plan_id, days_ago=1, leg_pain="worse")  # once: not yet a flag

    assert TITLE not in _dashboard(client, world["people"]["therapist"])


def test_only_a_therapist_who_treats_the_client_sees_it(client, world):
    plan_id = _plan(world)
    _tick(world, plan_id, days_ago=1, spread_down_leg=True)
    people = world["people"]

    assert TITLE not in _dashboard(client, people["other_therapist"])
    for who in ("patient", "clinic_admin"):
        assert TITLE not in _dashboard(client, people[who])
    # Another therapist who also treats the client sees it too (the one rule of who treats).
    session(people["other_therapist"].therapist_profile, people["patient"], days_ago=3)
    assert "Odalys Fenwick" in _section(_dashboard(client, people["other_therapist"]))


def test_the_dashboard_reads_the_flags_in_the_same_queries_however_many_clients(client, world):
    therapist = world["therapist_profile"]

    def flag(patient: Any, n: int) -> None:
        hours = n / 8  # three hours apart: the therapist sees one client at a time
        session(therapist, patient, days_ago=4 + hours, status=AppointmentStatus.COMPLETED)
        session(therapist, patient, days_ago=-3 + hours, status=AppointmentStatus.BOOKED)
        _tick(world, _plan(world, patient), days_ago=1, patient=patient, spread_down_leg=True)

    flag(world["people"]["patient"], 1)
    client.force_login(world["people"]["therapist"])
    client.get(reverse("web:dashboard"))
    with CaptureQueriesContext(connection) as one:
        body = client.get(reverse("web:dashboard")).content.decode()
    assert _section(body).count("data-flagged=") == 1

    for n in range(2, 7):
        flag(PatientFactory(), n)
    with CaptureQueriesContext(connection) as six:
        body = client.get(reverse("web:dashboard")).content.decode()

    assert _section(body).count("data-flagged=") == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_flags_in_spanish(client, world):
    therapist = world["people"]["therapist"]
    therapist.language = "es"
    therapist.save(update_fields=["language"])
    _tick(world, _plan(world), days_ago=1, spread_down_leg=True)

    body = _dashboard(client, therapist)

    section = _section(body, "Ejercicios señalados antes de la próxima sesión")
    assert "el dolor se extendió más abajo por la pierna" in section
    assert "anotado el lunes, 13 jul" in section
    assert "ninguna sesión reservada" in section
