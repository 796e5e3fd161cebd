"""What people read: dates in words, times on the clock of the place with its zone named, no
codes or raw values (UX findings 8)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sciaticare.records import services as note_services
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.services import booking, changes
from tests.directory.factories import ClinicFactory, CredentialFactory, LocationFactory
from tests.factories import ClinicAdminFactory, PatientFactory
from tests.records.conftest import past_appointment
from tests.scheduling.helpers import at, bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db


def test_the_review_form_names_sessions_by_date_and_therapist(client):
    therapist, session, location = working_therapist(first_name="Rosa", last_name="Lindqvist")
    patient = PatientFactory()
    place_appointment(
        patient=patient,
        therapist=therapist,
        session=session,
        location=location,
        start=datetime(2025, 7, 12, 10, tzinfo=ZoneInfo("Europe/London")),
        status=AppointmentStatus.COMPLETED,
    )
    client.force_login(patient)

    body = client.get(reverse("directory:add_review", args=[therapist.pk])).content.decode()

    assert "Sat 12 Jul 2025, 10:00 BST with Rosa Lindqvist" in body
    assert "Session #" not in body


def test_a_moved_session_says_from_when_on_the_clinics_clock(client):
    therapist, _, _ = working_therapist()
    patient = bookable_patient()
    booked = booking.book_appointment(patient=patient, therapist_id=therapist.pk, start=at(2, 10))
    moved = changes.reschedule_appointment(
        user=patient, appointment_id=booked.pk, new_start=at(2, 14)
    )
    client.force_login(patient)

    body = client.get(reverse("scheduling:appointment", args=[moved.pk])).content.decode()

    local = at(2, 10)
    assert f"moved from {local:%a} {local.day} {local:%b %Y}, 10:00 {local:%Z}" in body
    assert "+00:00" not in body
    assert " UTC" not in body


def test_the_profile_form_offers_language_names_and_currency_names(client):
    therapist, _, _ = working_therapist()
    CredentialFactory(therapist=therapist, expires_on=date(2027, 7, 12))
    client.force_login(therapist.user)

    form = client.get(reverse("directory:edit", args=[therapist.pk])).content.decode()
    assert "Somali" in form
    assert "Two-letter" not in form
    assert "Pounds sterling" in form
    assert "e.g. GBP" not in form
    assert "Home visits start from: latitude" in form
    credentials = client.get(reverse("directory:my_credentials")).content.decode()
    assert "12 Jul 2027" in credentials
    assert "2027-07-12" not in credentials

    saved = client.post(
        reverse("directory:edit", args=[therapist.pk]),
        {"bio": "b", "years_experience": 3, "years_sciatica": 2, "languages_text": ["en", "so"]},
    )
    assert saved.status_code == 302
    therapist.refresh_from_db()
    assert therapist.languages == ["en", "so"]


def test_note_pages_show_the_locations_clock_not_utc(client):
    clinic = ClinicFactory()
    location = LocationFactory(clinic=clinic, time_zone="America/New_York")
    therapist, _, _ = working_therapist()
    therapist.locations.add(location)
    admin = ClinicAdminFactory()
    clinic.admins.add(admin)
    patient = bookable_patient()
    appointment = past_appointment(therapist, patient, location=location)
    note_services.start_note(therapist_user=therapist.user, appointment_id=appointment.pk)
    note_services.save_draft(
        therapist_user=therapist.user,
        appointment_id=appointment.pk,
        values={"subjective": "Calf", "assessment": "S1", "regions": [], "pressure": "light"},
    )
    note_services.sign_note(therapist_user=therapist.user, appointment_id=appointment.pk)

    client.force_login(therapist.user)
    pages = [
        client.get(reverse("records:note", args=[appointment.pk])).content.decode(),
        client.get(reverse("records:sessions")).content.decode(),
    ]
    client.force_login(admin)
    pages.append(client.get(reverse("records:clinic_notes")).content.decode())
    for body in pages:
        assert " UTC" not in body
        assert "EST" in body or "EDT" in body
    assert "unchanged since signing" in pages[0]
    assert "seal checked" not in pages[0]
