"""Findings of the outside attack on home exercise programmes (2026-12-05), each fixed and kept
here as the test that failed while it was open: a therapist could read the names of another
clinic's and of a patient's own exercises from the refusal (E1), a NUL in a programme's free
text was a 500 on PostgreSQL (E2), and the API read "5", true and repeated weekdays as numbers
and days (E3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sciaticare.exercises.models import ExercisePlan

pytestmark = pytest.mark.django_db
URL = "/api/v1/exercise-plans"


def _therapist(client: Any, world: dict[str, Any]) -> Any:
    client.force_login(world["people"]["therapist"])
    return client


def _plan(world: dict[str, Any], **item: Any) -> dict[str, Any]:
    return {
        "patient": world["people"]["patient"].pk,
        "start_date": world["today"].isoformat(),
        "review_date": (world["today"] + timedelta(days=28)).isoformat(),
        "appointment": world["appointment"].pk,
        "items": [{"exercise": world["exercises"]["tilt"].pk, "repetitions": 10, **item}],
    }


@pytest.mark.parametrize("whose", ["other_clinic", "patients_own"])
def test_e1_someone_else_s_exercise_is_no_such_exercise_and_never_named(client, world, whose):
    exercise = world["exercises"][whose]
    answer = _therapist(client, world).post(
        URL, _plan(world, exercise=exercise.pk), content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "items.0.exercise", "message": "no such exercise"}]
    assert exercise.name not in answer.content.decode()

    page = client.post(
        f"/exercises/patients/{world['people']['patient'].pk}/programme/",
        {"exercises": [exercise.pk], f"ex{exercise.pk}-repetitions": 5},
    )
    assert exercise.name not in page.content.decode()
    assert not ExercisePlan.objects.exists()


@pytest.mark.parametrize(
    ("field", "where"),
    [("instructions", "items.0.instructions"), ("note", "note")],
)
@pytest.mark.parametrize("character", ["\x00", "\x07", "\u202e"])
def test_e2_hidden_characters_in_a_programme_s_text_are_refused(
    client, world, field, where, character
):
    body = _plan(world)
    text = f"Slowly{character}please"
    if field == "note":
        body["note"] = text
    else:
        body["items"][0][field] = text
    answer = _therapist(client, world).post(URL, body, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert where in {e["field"] for e in answer.json()["errors"]}
    assert not ExercisePlan.objects.exists()


def test_e2_line_breaks_and_tabs_are_kept(client, world):
    body = _plan(world, instructions="Slowly,\n\tthen rest")
    assert (
        _therapist(client, world).post(URL, body, content_type="application/json").status_code
        == 201
    )


def test_e2_a_patient_s_own_how_to_refuses_a_nul(client, world):
    client.force_login(world["people"]["patient"])
    body = {
        "start_date": world["today"].isoformat(),
        "items": [{"own_name": "Bridge", "own_how_to": "Lift\x00", "repetitions": 5}],
    }
    answer = client.post(URL, body, content_type="application/json")
    assert answer.status_code == 422
    assert "items.0.own_how_to" in {e["field"] for e in answer.json()["errors"]}


@pytest.mark.parametrize(
    "item",
    [
        {"days": [True]},
        {"days": [0, 0, 0]},
        {"repetitions": "5"},
        {"repetitions": True},
        {"repetitions": 5.0},
        {"exercise": "1"},
        {"sets": "2"},
    ],
)
def test_e3_numbers_and_days_are_json_numbers_each_once(client, world, item):
    answer = _therapist(client, world).post(
        URL, _plan(world, **item), content_type="application/json"
    )
    assert answer.status_code == 422, answer.content
    assert not ExercisePlan.objects.exists()


def test_e3_a_timed_exercise_is_dosed_in_minutes_and_the_others_in_repetitions(client, world):
    walk = world["exercises"]["walk"]
    in_repetitions = _therapist(client, world).post(
        URL, _plan(world, exercise=walk.pk), content_type="application/json"
    )
    assert in_repetitions.status_code == 422
    assert in_repetitions.json()["errors"][0]["field"] == "items.0.repetitions"
    in_minutes = client.post(
        URL, _plan(world, repetitions=0, minutes=10), content_type="application/json"
    )
    assert in_minutes.status_code == 422
    assert in_minutes.json()["errors"][0]["field"] == "items.0.minutes"
