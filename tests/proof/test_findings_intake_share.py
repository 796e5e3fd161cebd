"""Issue 13, points 4 and 12 (first part): sharing an intake shares the intake and the brief
made from it, nothing else, and the share form tells nobody whose email address it is.

Given a patient treated by one therapist (a signed note) who shares their intake with a second
therapist, the second therapist reads the intake's brief but gets 404 on the first therapist's
note (page and API) and on every whole-record export; "treating therapist" is one rule
(``scheduling.selectors.care.treats``), and a booking makes one."""

import re

import pytest
from django.urls import reverse

from sciaticare.intake import services as intake_services
from sciaticare.records import services as records_services
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.selectors.care import patients_treated_by, treats
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake
from tests.records.conftest import clinic_world, past_appointment

__all__ = ["clinic_world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db
NOTE_TEXT = "Guarding at the left piriformis, eased after ten minutes"


@pytest.fixture
def shared(clinic_world):
    """The clinic world's session signed by its therapist, and the intake shared with a second
    therapist who has never had an appointment with the patient."""
    therapist = clinic_world["people"]["therapist"]
    appointment_id = clinic_world["appointment"].pk
    records_services.save_draft(
        therapist_user=therapist, appointment_id=appointment_id, values={"objective": NOTE_TEXT}
    )
    records_services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    share_only = TherapistProfileFactory().user
    intake_services.share_intake(
        patient=clinic_world["people"]["patient"], therapist_email=share_only.email
    )
    return {**clinic_world, "share_only": share_only}


def test_a_share_only_therapist_reads_the_intake_brief(client, shared):
    patient = shared["people"]["patient"]
    client.force_login(shared["share_only"])

    response = client.get(reverse("intake:brief", args=[patient.pk]))

    assert response.status_code == 200
    assert "Odalys" in response.content.decode()


def test_a_share_only_therapist_gets_404_on_another_therapists_note(client, shared):
    appointment_id = shared["appointment"].pk
    client.force_login(shared["share_only"])

    page = client.get(reverse("records:note", args=[appointment_id]))
    api = client.get(f"/api/v1/appointments/{appointment_id}/note")

    assert (page.status_code, api.status_code) == (404, 404)
    assert NOTE_TEXT not in page.content.decode() + api.content.decode()


def test_a_share_only_therapist_gets_404_on_every_whole_record_export(client, shared):
    patient = shared["people"]["patient"]
    client.force_login(shared["share_only"])

    api = client.get(f"/api/v1/patients/{patient.pk}/fhir", {"reason": "Continuity of care"})
    page = client.get(reverse("interop:patient_fhir", args=[patient.pk]))
    download = client.post(
        reverse("interop:patient_fhir", args=[patient.pk]), {"reason": "Continuity of care"}
    )

    assert (api.status_code, page.status_code, download.status_code) == (404, 404, 404)
    assert NOTE_TEXT not in api.content.decode() + download.content.decode()


def test_a_booking_makes_a_treating_therapist_and_a_cancelled_one_does_not(client, shared):
    patient, share_only = shared["people"]["patient"], shared["share_only"]
    profile = share_only.therapist_profile
    booked = past_appointment(profile, patient, hours_ago=30)
    booked.status = AppointmentStatus.CANCELLED
    booked.save()
    client.force_login(share_only)
    assert not treats(therapist=share_only, patient=patient)
    assert client.get(reverse("records:note", args=[shared["appointment"].pk])).status_code == 404

    booked.status = AppointmentStatus.COMPLETED
    booked.save()

    assert treats(therapist=share_only, patient=patient)
    assert patient in patients_treated_by(share_only)
    assert client.get(reverse("records:note", args=[shared["appointment"].pk])).status_code == 200


def test_a_treating_therapist_reads_the_brief_without_a_share(client, clinic_world):
    # The same rule opens the brief: the appointment's therapist needs no share.
    client.force_login(clinic_world["people"]["therapist"])

    response = client.get(reverse("intake:brief", args=[clinic_world["people"]["patient"].pk]))

    assert response.status_code == 200


def test_the_share_page_says_exactly_what_the_therapist_will_see(client):
    patient = PatientFactory()
    make_intake(patient)
    client.force_login(patient)

    body = client.get(reverse("intake:home")).content.decode()

    assert "your intake and the brief made from it; not your session notes, diary or reports" in (
        body
    )


def test_the_share_form_answers_the_same_for_a_therapist_and_for_nobody(client):
    therapist = TherapistFactory(first_name="Ysolde")

    def answer(email: str) -> str:
        patient = PatientFactory(first_name="Same", last_name="Person")
        client.force_login(patient)
        response = client.post(reverse("intake:share"), {"therapist_email": email}, follow=True)
        main = re.search(r"<main.*</main>", response.content.decode(), re.S)
        assert main is not None
        body = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", main.group(0))
        return re.sub(r"/sharing/\d+/", "/sharing/N/", body.replace(email, "EMAIL"))

    known = answer(therapist.email)
    unknown = answer("nobody-here@example.org")

    assert known == unknown  # same message, same list: nothing tells them apart
    assert "Ysolde" not in known


def test_the_clients_page_lists_treated_clients_by_the_same_rule(client, shared):
    client.force_login(shared["people"]["therapist"])

    body = client.get(reverse("intake:clients")).content.decode()

    assert "Odalys" in body  # a booked session, no share
    client.force_login(shared["share_only"])
    treated = client.get(reverse("intake:clients")).content.decode().split("Clients you treat")[1]
    assert "Odalys" not in treated  # a share alone is not treatment
