"""The home exercise programme in the FHIR export (issue 17, point 4): a CarePlan per
programme and an Observation per whole week of adherence, valid R4B, with our own code for
adherence (no invented LOINC), and checked on import."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.interop import services
from sciaticare.interop.fhir.checks import structure_problems, validate_codes
from sciaticare.interop.fhir.codes import HOME_EXERCISE_SYSTEM, LOINC, UCUM
from sciaticare.interop.fhir.export import build_bundle
from sciaticare.interop.fhir.imported import parse_bundle
from sciaticare.interop.fhir.programme import dose_words
from sciaticare.interop.fhir.record import (
    ActivityData,
    AdherenceWeekData,
    CarePlanData,
    PainData,
    PatientData,
    PatientRecord,
)
from tests.exercises.insight_factories import exercise, log, pause, plan
from tests.factories import PatientFactory

BASE = "https://clinic.example.org/fhir"
KNEE = ActivityData("Knee to chest", "knee-to-chest", ["mon", "wed", "fri"], 2, 3, 10, 0)
WALK = ActivityData("Walking", "", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], 1, 1, 0, 20)


def _record(**changes: Any) -> PatientRecord:
    values: dict[str, Any] = {
        "id": "careplan-4",
        "active": True,
        "start": date(2026, 11, 2),
        "end": date(2026, 11, 30),
        "origin": "therapist",
        "activities": [KNEE, WALK],
        "weeks": [AdherenceWeekData(date(2026, 11, 2), 10, 7)],
    }
    values.update(changes)
    return PatientRecord(
        patient=PatientData("patient-1", "Odalys", "Fenwick"),
        pain=[PainData(date(2026, 11, 3), 4, 5)],
        care_plans=[CarePlanData(**values)],
    )


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_programme_is_a_valid_care_plan_with_an_activity_per_exercise():
    bundle = build_bundle(_record(), base_url=BASE)

    get_fhir_model_class("Bundle").model_validate(bundle)
    [care_plan] = _resources(bundle, "CarePlan")
    get_fhir_model_class("CarePlan").model_validate(care_plan)
    assert care_plan["status"] == "active"
    assert care_plan["intent"] == "plan"
    assert care_plan["subject"] == {"reference": "Patient/patient-1"}
    assert care_plan["period"] == {"start": "2026-11-02", "end": "2026-11-30"}
    knee, walk = (a["detail"] for a in care_plan["activity"])
    assert knee["kind"] == "ServiceRequest"
    assert knee["status"] == "in-progress"
    assert knee["code"]["text"] == "Knee to chest"
    assert knee["code"]["coding"][0]["code"] == "knee-to-chest"
    assert knee["scheduledTiming"]["repeat"] == {
        "frequency": 2,
        "period": 1,
        "periodUnit": "d",
        "dayOfWeek": ["mon", "wed", "fri"],
    }
    assert knee["description"] == "3 sets of 10 repetitions, twice a day, on mon, wed, fri"
    assert knee["quantity"]["value"] == 10
    assert "coding" not in walk["code"]  # a clinic's or a patient's own: words only
    assert walk["description"] == "20 minutes, once a day, every day"
    assert walk["quantity"] == {"value": 20, "unit": "min", "system": UCUM, "code": "min"}
    assert structure_problems(bundle) == []
    assert validate_codes(bundle) == []


def test_each_whole_week_is_an_adherence_observation_in_per_cent_with_both_counts():
    bundle = build_bundle(_record(), base_url=BASE)

    [week] = [o for o in _resources(bundle, "Observation") if o["id"].startswith("adherence-")]
    get_fhir_model_class("Observation").model_validate(week)
    assert week["id"] == "adherence-4-2026-11-02"
    assert week["status"] == "final"
    assert week["category"][0]["coding"][0]["code"] == "activity"
    assert week["code"]["text"] == "Home exercise adherence, per week"
    assert {c["system"] for c in week["code"]["coding"]} == {HOME_EXERCISE_SYSTEM}
    assert LOINC not in str(week["code"])
    assert week["effectivePeriod"] == {"start": "2026-11-02", "end": "2026-11-08"}
    assert week["valueQuantity"] == {"value": 70.0, "unit": "%", "system": UCUM, "code": "%"}
    assert [c["valueInteger"] for c in week["component"]] == [10, 7]
    assert week["basedOn"] == [{"reference": "CarePlan/careplan-4"}]


def test_an_ended_programme_is_completed_and_a_paused_exercise_on_hold():
    ended = build_bundle(_record(active=False, end=date(2026, 11, 20)), base_url=BASE)
    paused = build_bundle(
        _record(activities=[ActivityData("Knee to chest", "", ["mon"], 1, 1, 10, 0, paused=True)]),
        base_url=BASE,
    )

    [finished] = _resources(ended, "CarePlan")
    assert finished["status"] == "completed"
    assert {a["detail"]["status"] for a in finished["activity"]} == {"completed"}
    [current] = _resources(paused, "CarePlan")
    assert current["activity"][0]["detail"]["status"] == "on-hold"


@pytest.mark.parametrize(
    ("activity", "words"),
    [
        (KNEE, "3 sets of 10 repetitions, twice a day, on mon, wed, fri"),
        (
            ActivityData("Tilt", "", ["sat", "sun"], 3, 1, 1, 0),
            "1 repetition, 3 times a day, on sat, sun",
        ),
        (WALK, "20 minutes, once a day, every day"),
    ],
)
def test_the_dose_in_words(activity, words):
    assert dose_words(activity) == words


def _broken(kind: str, change: Any) -> list[str]:
    bundle = build_bundle(_record(), base_url=BASE)
    resource = next(
        r
        for r in (e["resource"] for e in bundle["entry"])
        if r["resourceType"] == kind and (kind != "Observation" or r["id"].startswith("adh"))
    )
    change(resource)
    return validate_codes(bundle)


@pytest.mark.parametrize(
    ("kind", "change", "words"),
    [
        ("CarePlan", lambda r: r.update(status="draft"), "status"),
        ("CarePlan", lambda r: r.update(intent="order"), "intent"),
        (
            "CarePlan",
            lambda r: r["activity"][0]["detail"].update(status="scheduled"),
            "detail.status",
        ),
        ("Observation", lambda r: r["valueQuantity"].update(value=140), "0-100"),
        ("Observation", lambda r: r["component"][1].update(valueInteger=11), "at most planned"),
    ],
)
def test_an_import_refuses_values_that_are_not_ours(kind, change, words):
    problems = _broken(kind, change)

    assert any(words in p for p in problems), problems


def test_an_import_keeps_another_systems_programme_as_history_and_never_as_diary_days():
    bundle = build_bundle(_record(), base_url=BASE)

    history = parse_bundle(copy.deepcopy(bundle))

    assert [p.day for p in history.pain] == [date(2026, 11, 3)]
    kinds = sorted(
        (r["resourceType"], r["id"]) for r in history.external if r["resourceType"] != "Condition"
    )
    assert kinds == [("CarePlan", "careplan-4"), ("Observation", "adherence-4-2026-11-02")]


@pytest.mark.django_db
def test_the_export_holds_whole_weeks_only_and_each_programme(monkeypatch):
    # Wednesday 18 November 2026: the week of 16 November is under way.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    patient = PatientFactory()
    knee, own = exercise("Knee to chest"), exercise("Bridge", patient=patient)
    made = plan(patient, [(knee, EVERY_DAY)], start=date(2026, 11, 2), review=date(2026, 12, 1))
    log(made, knee, [date(2026, 11, 2) + timedelta(days=n) for n in range(0, 16, 2)])
    pause(made, knee, datetime(2026, 11, 17, 9, 0, tzinfo=UTC))
    plan(
        patient,
        [(own, 0b0000001)],
        start=date(2026, 11, 2),
        ended_at=datetime(2026, 11, 17, 9, 0, tzinfo=UTC),
    )

    bundle = services.export_patient(patient=patient, viewer=patient)

    plans = {r["id"]: r for r in _resources(bundle, "CarePlan")}
    weeks = sorted(
        o["id"] for o in _resources(bundle, "Observation") if o["id"].startswith("adherence-")
    )
    ended_id = next(key for key in plans if key != f"careplan-{made.pk}")
    current, ended = plans[f"careplan-{made.pk}"], plans[ended_id]
    assert current["period"] == {"start": "2026-11-02", "end": "2026-12-01"}
    assert current["activity"][0]["detail"]["status"] == "on-hold"
    assert current["activity"][0]["detail"]["code"]["coding"][0]["code"] == knee.slug
    assert ended["status"] == "completed"
    assert ended["period"] == {"start": "2026-11-02", "end": "2026-11-17"}
    assert "given by my physiotherapist" in ended["description"]
    assert "coding" not in ended["activity"][0]["detail"]["code"]
    other = ended_id.removeprefix("careplan-")
    assert weeks == sorted(
        [
            # The week under way is left for the next export...
            f"adherence-{made.pk}-2026-11-02",
            f"adherence-{made.pk}-2026-11-09",
            # ...but an ended programme's last week is over for it.
            f"adherence-{other}-2026-11-02",
            f"adherence-{other}-2026-11-09",
            f"adherence-{other}-2026-11-16",
        ]
    )
    for resource in _resources(bundle, "CarePlan") + _resources(bundle, "Observation"):
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert validate_codes(bundle) == []
