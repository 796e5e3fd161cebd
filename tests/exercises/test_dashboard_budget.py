"""The dashboard holds to its budget with a home exercise programme (issue 17): at most 10
queries for the whole page of a patient with three years of diary, 60 sessions, a programme in
several versions and three years of ticks — the same count as with no programme, and as with a
short history. The card is one query (exercises/selectors/day.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sciaticare.exercises.models import Exercise, ExerciseLog
from sciaticare.exercises.services.logs import pause_exercise
from sciaticare.exercises.services.plans import ItemInput, enter_own_plan
from tests.outcomes.test_dashboard import MAX_QUERIES, patient_with

pytestmark = pytest.mark.django_db

YEARS = 3 * 365


def _programme(patient, *, days: int) -> int:
    """A programme entered ``days`` ago, a new version every 100 days, a tick (some with marks)
    on most days since, one exercise paused; returns the plan id."""
    slugs = ("walking", "pelvic-tilt", "cat-camel")
    ids = [Exercise.objects.get(slug=s, clinic=None, patient=None).pk for s in slugs]
    today = timezone.localdate()
    plan_id = None
    for start in range(days, -1, -100):
        plan_id = enter_own_plan(
            patient=patient,
            prescriber="Physio",
            items=[
                ItemInput(ids[0], minutes=10 + start % 7),
                *(ItemInput(i, repetitions=8) for i in ids[1:]),
            ],
            start_date=today - timedelta(days=start),
            review_date=None,
            plan_id=plan_id,
        ).plan_id
    ExerciseLog.objects.bulk_create(
        ExerciseLog(
            plan_id=plan_id,
            exercise_id=exercise_id,
            date=today - timedelta(days=n),
            done=n % 4 != 0,
            leg_pain=("better", "same", "worse", "")[n % 4] if n % 4 else "",
        )
        for n in range(1, days)
        for exercise_id in ids
    )
    pause_exercise(patient=patient, plan_id=plan_id, exercise_id=ids[2])
    return plan_id


def _dashboard(client, patient) -> tuple[int, str]:
    client.force_login(patient)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_a_programme_with_three_years_of_ticks_keeps_the_dashboard_within_budget(client):
    patient = patient_with(days=YEARS, sessions=60)
    _programme(patient, days=YEARS)

    count, page = _dashboard(client, patient)

    assert count <= MAX_QUERIES
    assert "Today's exercises" in page
    assert page.count('class="today-exercise"') == 3
    assert "Done: Walking" in page
    assert page.count('class="marker"') == 60  # the rest of the dashboard is all there


def test_the_count_is_the_same_without_a_programme_and_with_a_short_history(client):
    with_programme = patient_with(days=YEARS, sessions=60)
    _programme(with_programme, days=YEARS)
    without = patient_with(days=YEARS, sessions=60)
    short = patient_with(days=3, sessions=1)
    _programme(short, days=3)

    counts = [_dashboard(client, p)[0] for p in (with_programme, without, short)]

    assert counts[0] == counts[1] == counts[2] <= MAX_QUERIES
