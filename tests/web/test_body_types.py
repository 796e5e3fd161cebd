"""A JSON body's numbers, booleans, dates and times are JSON's own types, as the API's schema
says: `true` is not a pain score of 1, "7" not a 7, and 1765065600 neither a day nor a session's
start (pydantic's lax parsing read each so). Each is a 422 naming the field, before any write."""

import json
from datetime import date

import pytest

from sciaticare.outcomes.models import PainEntry
from sciaticare.scheduling.models import Appointment
from tests.factories import ClinicAdminFactory, PatientFactory, TherapistFactory

A_DAY_AS_SECONDS = 1765065600  # 2025-12-07T00:00:00Z
A_START_AS_SECONDS = 1797938100  # 2026-12-22T11:15:00Z, on the booking grid

PATIENT, THERAPIST, CLINIC_ADMIN = "patient", "therapist", "clinic_admin"
FACTORIES = {PATIENT: PatientFactory, THERAPIST: TherapistFactory, CLINIC_ADMIN: ClinicAdminFactory}
TODAY = date(2026, 12, 7).isoformat()
ITEM = {"own_name": "Knee hugs", "repetitions": 10}

CASES = [
    (PATIENT, "POST", "/api/v1/diary", {"back_pain": True, "leg_pain": 1}, "back_pain"),
    (PATIENT, "POST", "/api/v1/diary", {"back_pain": 5, "leg_pain": "5"}, "leg_pain"),
    (PATIENT, "POST", "/api/v1/diary", {"back_pain": 5, "leg_pain": 5.0}, "leg_pain"),
    (PATIENT, "POST", "/api/v1/diary", {"date": A_DAY_AS_SECONDS, "back_pain": 1, "leg_pain": 1}, "date"),
    (PATIENT, "PUT", "/api/v1/diary/entries/6f1c2d4e-8a3b-4c5d-9e6f-7a8b9c0d1e2f",
     {"date": A_DAY_AS_SECONDS, "made_at": "2026-12-07T09:00:00+00:00", "back_pain": 1, "leg_pain": 1}, "date"),
    (PATIENT, "PUT", "/api/v1/diary/entries/6f1c2d4e-8a3b-4c5d-9e6f-7a8b9c0d1e2f",
     {"date": TODAY, "made_at": A_START_AS_SECONDS, "back_pain": 1, "leg_pain": 1}, "made_at"),
    (PATIENT, "POST", "/api/v1/appointments", {"therapist": 1, "start": A_START_AS_SECONDS}, "start"),
    (PATIENT, "POST", "/api/v1/appointments", {"therapist": 1, "start": 1797938100.0}, "start"),
    # Text that is a number is a number too (a second outside test booked with "1797938100").
    (PATIENT, "POST", "/api/v1/appointments", {"therapist": 1, "start": "1797938100"}, "start"),
    (PATIENT, "POST", "/api/v1/diary", {"date": "1796601600", "back_pain": 1, "leg_pain": 1}, "date"),
    (PATIENT, "POST", "/api/v1/diary", {"date": "1796601600.0", "back_pain": 1, "leg_pain": 1}, "date"),
    # A day is the day alone, not a midnight date-time lax parsing would take for one.
    (PATIENT, "POST", "/api/v1/diary",
     {"date": "2026-12-07T00:00:00+14:00", "back_pain": 1, "leg_pain": 1}, "date"),
    (PATIENT, "POST", "/api/v1/diary", {"date": "20261207", "back_pain": 1, "leg_pain": 1}, "date"),
    (PATIENT, "POST", "/api/v1/appointments/1/reschedule", {"start": A_START_AS_SECONDS}, "start"),
    (PATIENT, "POST", "/api/v1/exercise-plans/1/log",
     {"exercise": 1, "date": TODAY, "done": "yes"}, "done"),
    (PATIENT, "POST", "/api/v1/exercise-plans/1/log",
     {"exercise": 1, "date": TODAY, "done": 1}, "done"),
    (PATIENT, "POST", "/api/v1/exercise-plans/1/log",
     {"exercise": 1, "date": A_DAY_AS_SECONDS, "done": True}, "date"),
    (PATIENT, "POST", "/api/v1/exercise-plans", {"start_date": A_DAY_AS_SECONDS, "items": [ITEM]}, "start_date"),
    (PATIENT, "POST", "/api/v1/exercise-plans/1/versions",
     {"start_date": TODAY, "review_date": A_DAY_AS_SECONDS, "items": [ITEM]}, "review_date"),
    (THERAPIST, "PUT", "/api/v1/appointments/1/note", {"back_pain_before": "7"}, "back_pain_before"),
    (THERAPIST, "PUT", "/api/v1/appointments/1/note", {"leg_pain_after": True}, "leg_pain_after"),
    (THERAPIST, "PUT", "/api/v1/appointments/1/note", {"minutes": "45"}, "minutes"),
    (THERAPIST, "PUT", "/api/v1/appointments/1/note", {"assessment_shared": "yes"}, "assessment_shared"),
    (THERAPIST, "PUT", "/api/v1/appointments/1/note", {"pressure_warning_acknowledged": 1},
     "pressure_warning_acknowledged"),
    (CLINIC_ADMIN, "PUT", "/api/v1/clinics/1/payment-policy", {"cancellation_window_hours": "24"},
     "cancellation_window_hours"),
    (CLINIC_ADMIN, "PUT", "/api/v1/clinics/1/payment-policy", {"pay_at_booking": 1}, "pay_at_booking"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "method", "path", "body", "field"), CASES)
def test_a_json_value_of_another_type_is_a_422_naming_its_field(
    client, who, method, path, body, field
):
    client.force_login(FACTORIES[who]())

    answer = client.generic(method, path, json.dumps(body), content_type="application/json")

    assert answer.status_code == 422, answer.content
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert not PainEntry.objects.exists()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_the_refusal_says_to_write_a_date_as_text_in_the_persons_language(client):
    client.force_login(PatientFactory(language="es"))
    body = {"date": A_DAY_AS_SECONDS, "back_pain": 1, "leg_pain": 1}

    answer = client.post("/api/v1/diary", json.dumps(body), content_type="application/json")

    (error,) = answer.json()["errors"]
    assert error == {
        "field": "date",
        "message": "debe escribirse como texto (ISO 8601), no como un número",
    }


@pytest.mark.django_db
def test_a_slot_window_in_seconds_is_refused_too(client):
    answer = client.get("/api/v1/therapists/1/slots", {"start": "1797938100"})

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["start"]


@pytest.mark.django_db
def test_the_same_fields_written_as_json_types_still_save(client):
    client.force_login(patient := PatientFactory())

    answer = client.post(
        "/api/v1/diary",
        json.dumps({"back_pain": 4, "leg_pain": 6}),
        content_type="application/json",
    )

    assert answer.status_code == 201, answer.content
    entry = PainEntry.objects.get(patient=patient)
    assert (entry.back_pain, entry.leg_pain) == (4, 6)
