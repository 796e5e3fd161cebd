"""The per-patient FHIR export for the patient's therapists and clinics: who may export, with a
reason, what a clinic sees, and a 404 for everyone else whether or not the patient exists."""

import json

import pytest
from django.urls import reverse

from sciaticare.audit.models import AuditEvent
from sciaticare.intake import services as intake_services
from sciaticare.records import services as records_services
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import PatientFactory
from tests.records.conftest import clinic_world, past_appointment

__all__ = ["clinic_world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db
WHO = [
    "anonymous",
    "patient",
    "other_patient",
    "therapist",
    "other_therapist",
    "clinic_admin",
    "other_clinic_admin",
    "site_admin",
]
# GET /api/v1/patients/<id>/fhir?reason=… → status
API = {
    "anonymous": 401,
    "patient": 200,
    "other_patient": 404,
    "therapist": 200,
    "other_therapist": 404,
    "clinic_admin": 200,
    "other_clinic_admin": 404,
    "site_admin": 404,
}
# GET /patients/<id>/fhir/ (the reason form) → status; the patient is sent to their own page.
PAGE = {**API, "anonymous": 302, "patient": 302}


def _url(patient_id: int) -> str:
    return f"/api/v1/patients/{patient_id}/fhir"


def _as(client, world, who):
    person = world["people"][who]
    if person is not None:
        client.force_login(person)
    return person


def _resource_ids(bundle, kind: str) -> set[str]:
    return {e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind}


@pytest.mark.parametrize("who", WHO)
def test_api_export_by_role(client, clinic_world, who):
    patient = clinic_world["people"]["patient"]
    viewer = _as(client, clinic_world, who)

    response = client.get(_url(patient.pk), {"reason": "transfer of care to Dr Okafor"})

    assert response.status_code == API[who]
    exports = AuditEvent.objects.filter(action="fhir.export", patient=patient)
    if API[who] == 200:
        assert response["Content-Type"] == "application/fhir+json"
        bundle = json.loads(response.content)
        assert bundle["resourceType"] == "Bundle"
        assert f"patient-{patient.pk}" in _resource_ids(bundle, "Patient")
        event = exports.get()
        assert event.actor == viewer
        if who != "patient":
            assert event.reason == "transfer of care to Dr Okafor"
    else:
        assert patient.last_name not in response.content.decode()
        assert not exports.exists()


@pytest.mark.parametrize("who", ["other_patient", "other_therapist", "clinic_admin", "site_admin"])
def test_a_missing_patient_is_the_same_404_as_a_forbidden_one(client, clinic_world, who):
    _as(client, clinic_world, who)
    patient = clinic_world["people"]["patient"]
    forbidden = client.get(_url(patient.pk), {"reason": "x"})

    missing = client.get(_url(patient.pk + 10_000), {"reason": "x"})

    assert missing.status_code == 404
    if who != "clinic_admin":
        assert forbidden.json() == missing.json()


@pytest.mark.parametrize("who", ["therapist", "clinic_admin"])
def test_staff_must_state_a_reason(client, clinic_world, who):
    patient = clinic_world["people"]["patient"]
    _as(client, clinic_world, who)

    response = client.get(_url(patient.pk), {"reason": "   "})

    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    assert not AuditEvent.objects.filter(action="fhir.export").exists()


def test_the_patient_needs_no_reason(client, clinic_world):
    patient = _as(client, clinic_world, "patient")

    assert client.get(_url(patient.pk)).status_code == 200


def test_a_therapist_with_the_patients_intake_consent_only_may_not_export(client, clinic_world):
    # Issue 13, point 4: an intake share opens the intake and brief, never the whole record.
    patient = clinic_world["people"]["patient"]
    consented = TherapistProfileFactory().user
    intake_services.share_intake(patient=patient, therapist_email=consented.email)
    client.force_login(consented)

    assert client.get(_url(patient.pk), {"reason": "r"}).status_code == 404


def test_a_cancelled_booking_gives_no_access(client, clinic_world):
    patient = clinic_world["people"]["patient"]
    clinic_world["appointment"].status = "cancelled"
    clinic_world["appointment"].save()

    for who in ("therapist", "clinic_admin"):
        client.force_login(clinic_world["people"][who])
        assert client.get(_url(patient.pk), {"reason": "r"}).status_code == 404


def _sign(appointment, values):
    therapist_user = appointment.therapist.user
    records_services.start_note(therapist_user=therapist_user, appointment_id=appointment.pk)
    records_services.save_draft(
        therapist_user=therapist_user, appointment_id=appointment.pk, values=values
    )
    records_services.sign_note(therapist_user=therapist_user, appointment_id=appointment.pk)


def test_a_clinic_sees_only_the_sessions_held_at_its_clinic_a_therapist_sees_all(
    client, clinic_world
):
    patient = clinic_world["people"]["patient"]
    here = clinic_world["appointment"]
    elsewhere_therapist = TherapistProfileFactory(location=LocationFactory(clinic=ClinicFactory()))
    elsewhere = past_appointment(elsewhere_therapist, patient, hours_ago=30)
    _sign(here, {"back_pain_before": 6, "back_pain_after": 3})
    _sign(elsewhere, {"back_pain_before": 7, "back_pain_after": 5})

    client.force_login(clinic_world["people"]["clinic_admin"])
    clinic = json.loads(client.get(_url(patient.pk), {"reason": "audit"}).content)
    client.force_login(clinic_world["people"]["therapist"])
    care = json.loads(client.get(_url(patient.pk), {"reason": "care"}).content)

    assert _resource_ids(clinic, "Appointment") == {f"appointment-{here.pk}"}
    assert _resource_ids(care, "Appointment") == {
        f"appointment-{here.pk}",
        f"appointment-{elsewhere.pk}",
    }
    assert len(_resource_ids(clinic, "Procedure")) == 1
    assert len(_resource_ids(care, "Procedure")) == 2
    # The patient's own health data (episodes) go to both.
    assert _resource_ids(clinic, "Condition") == _resource_ids(care, "Condition")


@pytest.mark.parametrize("who", WHO)
def test_the_export_page_by_role(client, clinic_world, who):
    patient = clinic_world["people"]["patient"]
    _as(client, clinic_world, who)

    response = client.get(reverse("interop:patient_fhir", args=[patient.pk]))

    assert response.status_code == PAGE[who]
    if PAGE[who] == 200:
        assert 'name="reason"' in response.content.decode()
    elif PAGE[who] == 404:
        assert patient.last_name not in response.content.decode()


def test_the_page_downloads_with_a_reason_and_asks_again_without(client, clinic_world):
    patient = clinic_world["people"]["patient"]
    _as(client, clinic_world, "clinic_admin")
    url = reverse("interop:patient_fhir", args=[patient.pk])

    asked = client.post(url, {"reason": ""})
    got = client.post(url, {"reason": "the client asked for a copy for her GP"})

    assert asked.status_code == 422
    assert 'name="reason"' in asked.content.decode()
    assert got.status_code == 200
    assert got["Content-Type"] == "application/fhir+json"
    assert got["Content-Disposition"].startswith("attachment;")
    assert "no-store" in got["Cache-Control"]
    assert json.loads(got.content)["resourceType"] == "Bundle"
    event = AuditEvent.objects.get(action="fhir.export", patient=patient)
    assert event.reason == "the client asked for a copy for her GP"


def test_the_patient_sees_who_exported_their_record(client, clinic_world):
    patient = clinic_world["people"]["patient"]
    _as(client, clinic_world, "therapist")
    client.get(_url(patient.pk), {"reason": "referral"})

    client.force_login(patient)
    page = client.get(reverse("records:access_history")).content.decode()

    assert "<td>Exported your health record</td><td>referral</td>" in page
    assert clinic_world["people"]["therapist"].display_name in page


def test_the_clinic_and_therapist_pages_link_to_the_export(client, clinic_world):
    patient = clinic_world["people"]["patient"]
    url = reverse("interop:patient_fhir", args=[patient.pk])
    _sign(clinic_world["appointment"], {"back_pain_before": 5})

    client.force_login(clinic_world["people"]["clinic_admin"])
    assert url in client.get(reverse("records:clinic_notes")).content.decode()

    therapist = clinic_world["people"]["therapist"]
    intake_services.share_intake(patient=patient, therapist_email=therapist.email)
    client.force_login(therapist)
    assert url in client.get(reverse("intake:brief", args=[patient.pk])).content.decode()


def test_an_unrelated_patient_is_404_even_for_a_clinic_admin(client, clinic_world):
    client.force_login(clinic_world["people"]["clinic_admin"])

    assert client.get(_url(PatientFactory().pk), {"reason": "r"}).status_code == 404
