"""The exercise programmes API (/api/v1/exercise-plans): writing, reading, changing, ticking
and adherence, as the patient, the treating therapist and others."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sciaticare.exercises.models import ExerciseLog, ExercisePlan, PlanItem
from sciaticare.exercises.services.library import choose_exercises, ensure_built_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/exercise-plans"


def _as(client: Any, person: Any) -> Any:
    client.force_login(person)
    return client


def _body(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    ex = world["exercises"]
    return {
        "patient": world["people"]["patient"].pk,
        "start_date": (world["today"] - timedelta(days=7)).isoformat(),
        "review_date": (world["today"] + timedelta(days=21)).isoformat(),
        "note": "Little and often",
        "appointment": world["appointment"].pk,
        "items": [
            {"exercise": ex["tilt"].pk, "repetitions": 10, "sets": 2, "days": [0, 2, 4]},
            {"exercise": ex["walk"].pk, "minutes": 20},
        ],
        **extra,
    }


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def _therapists_plan(client: Any, world: dict[str, Any]) -> int:
    response = _post(_as(client, world["people"]["therapist"]), URL, _body(world))
    assert response.status_code == 201, response.json()
    return int(response.json()["plan"])


def test_the_therapist_writes_a_plan_and_the_patient_reads_it(client, world):
    ex = world["exercises"]
    response = _post(_as(client, world["people"]["therapist"]), URL, _body(world))

    assert response.status_code == 201
    written = response.json()
    assert written["version"]["number"] == 1
    assert [(i["exercise"], i["days"]) for i in written["version"]["items"]] == [
        (ex["tilt"].pk, [0, 2, 4]),
        (ex["walk"].pk, [0, 1, 2, 3, 4, 5, 6]),
    ]
    assert PlanItem.objects.get(exercise=ex["tilt"]).days == 0b0010101

    client.logout()
    listed = _as(client, world["people"]["patient"]).get(URL).json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, written["plan"])
    assert listed["items"][0]["origin"] == "therapist"
    detail = client.get(f"{URL}/{written['plan']}").json()
    assert detail["version"]["note"] == "Little and often"
    assert detail["version"]["appointment"] == world["appointment"].pk
    assert (detail["paused"], detail["flags"], detail["upcoming"]) == ([], [], None)


def test_the_therapist_lists_a_patient_they_treat_and_nobody_else(client, world):
    people = world["people"]
    _therapists_plan(client, world)

    query = f"{URL}?patient={people['patient'].pk}"
    assert client.get(query).json()["count"] == 1
    client.logout()
    assert _as(client, people["other_therapist"]).get(query).status_code == 404
    assert client.get(f"{URL}?patient=999999999").status_code == 404


def test_refusals_say_what_was_wrong(client, world):
    people, ex = world["people"], world["exercises"]
    therapist = _as(client, people["therapist"])

    choose_exercises(
        clinic=world["clinic"], exercise_ids=[ex["walk"].pk], by=world["people"]["clinic_admin"]
    )
    not_allowed = _post(
        therapist, URL, _body(world, items=[{"exercise": ex["tilt"].pk, "repetitions": 5}])
    )
    assert not_allowed.status_code == 403
    assert not_allowed.json()["code"] == "exercise_not_allowed"
    assert ex["tilt"].name in not_allowed.json()["detail"]
    choose_exercises(
        clinic=world["clinic"],
        exercise_ids=[ex["walk"].pk, ex["tilt"].pk],
        by=world["people"]["clinic_admin"],
    )

    bad_day = _post(therapist, URL, _body(world, items=[{"exercise": ex["tilt"].pk, "days": [7]}]))
    assert bad_day.status_code == 422
    no_dose = _post(therapist, URL, _body(world, items=[{"exercise": ex["tilt"].pk}]))
    assert no_dose.status_code == 422
    assert no_dose.json()["errors"] == [
        {"field": "items.0", "message": "give repetitions or minutes"}
    ]
    assert _post(therapist, URL, _body(world, surprise=1)).status_code == 422
    assert not ExercisePlan.objects.exists()

    client.logout()
    other = _post(_as(client, people["other_therapist"]), URL, _body(world))
    assert other.status_code == 404


def test_a_patient_enters_their_own_programme(client, world):
    patient = world["people"]["patient"]
    body = {
        "start_date": world["today"].isoformat(),
        "prescriber": "Dr Shah",
        "items": [
            {"exercise": world["exercises"]["walk"].pk, "minutes": 15},
            {"own_name": "Hamstring stretch", "own_how_to": "Hold 30 s", "repetitions": 3},
        ],
    }

    response = _post(_as(client, patient), URL, body)

    assert response.status_code == 201, response.json()
    items = response.json()["version"]["items"]
    assert [(i["exercise_name"], i["own"]) for i in items] == [
        (world["exercises"]["walk"].name, False),
        ("Hamstring stretch", True),
    ]
    assert ExercisePlan.objects.get().prescriber == "Dr Shah"
    # A patient's programme is not written from a session.
    with_session = _post(client, URL, {**body, "appointment": world["appointment"].pk})
    assert with_session.status_code == 422


def test_versions_by_whoever_owns_the_programme(client, world):
    people = world["people"]
    plan_id = _therapists_plan(client, world)
    change = _body(world, start_date=world["today"].isoformat())
    del change["patient"]

    response = _post(client, f"{URL}/{plan_id}/versions", change)
    assert (response.status_code, response.json()["version"]["number"]) == (201, 2)

    client.logout()
    patient = _as(client, people["patient"])
    assert _post(patient, f"{URL}/{plan_id}/versions", {**change, "note": ""}).status_code == 403
    client.logout()
    assert (
        _post(
            _as(client, people["other_therapist"]), f"{URL}/{plan_id}/versions", change
        ).status_code
        == 404
    )


def test_ticking_answers_created_then_updated_with_the_flags(client, world):
    plan_id = _therapists_plan(client, world)
    client.logout()
    patient = _as(client, world["people"]["patient"])
    tick = {
        "exercise": world["exercises"]["walk"].pk,
        "date": world["today"].isoformat(),
        "done": True,
        "leg_pain": "same",
    }

    first = _post(patient, f"{URL}/{plan_id}/log", tick)
    again = _post(patient, f"{URL}/{plan_id}/log", {**tick, "spread_down_leg": True})

    assert first.status_code == 201
    assert (first.json()["flags"], first.json()["suggest_pause"]) == ([], False)
    assert again.status_code == 200
    assert (again.json()["flags"], again.json()["suggest_pause"]) == (["spread"], True)
    assert ExerciseLog.objects.count() == 1
    flagged = client.get(f"{URL}/{plan_id}").json()["flags"]
    assert flagged == [{"exercise": world["exercises"]["walk"].pk, "flags": ["spread"]}]

    not_done = _post(patient, f"{URL}/{plan_id}/log", {**tick, "done": False})
    assert not_done.status_code == 422
    assert not_done.json()["errors"][0]["field"] == "leg_pain"
    future = {**tick, "date": (world["today"] + timedelta(days=1)).isoformat()}
    assert _post(patient, f"{URL}/{plan_id}/log", future).status_code == 422

    client.logout()
    therapist = _as(client, world["people"]["therapist"])
    assert _post(therapist, f"{URL}/{plan_id}/log", tick).status_code == 404


def test_adherence_per_week(client, world):
    plan_id = _therapists_plan(client, world)
    client.logout()
    patient = _as(client, world["people"]["patient"])
    for days_ago in (0, 1):
        day = (world["today"] - timedelta(days=days_ago)).isoformat()
        tick = {"exercise": world["exercises"]["walk"].pk, "date": day, "done": True}
        assert _post(patient, f"{URL}/{plan_id}/log", tick).status_code == 201

    body = client.get(f"{URL}/{plan_id}/adherence").json()

    # From last Tuesday: a walk daily and tilts on Wednesday and Friday, then Monday and today.
    assert [(w["planned"], w["done"]) for w in body["weeks"]] == [(6 + 2, 0), (2 + 1, 2)]
    assert body["overall"] == pytest.approx(2 / 11)
    client.logout()
    assert (
        _as(client, world["people"]["other_patient"]).get(f"{URL}/{plan_id}/adherence").status_code
        == 404
    )


def test_a_library_exercise_is_named_in_the_asker_s_language(client, world):
    walking = ensure_built_in()["walking"]
    patient = world["people"]["patient"]
    body = {
        "start_date": world["today"].isoformat(),
        "items": [{"exercise": walking.pk, "minutes": 20}],
    }
    written = _post(_as(client, patient), URL, body)
    assert written.status_code == 201
    plan_url = f"{URL}/{written.json()['plan']}"

    english = client.get(plan_url).json()
    patient.language = "es"  # a signed-in person's answers come in their account's language
    patient.save(update_fields=["language"])
    spanish = client.get(plan_url).json()

    assert english["version"]["items"][0]["exercise_name"] == "Walking"
    assert spanish["version"]["items"][0]["exercise_name"] == "Caminar"
