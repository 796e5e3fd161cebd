"""Smaller things people read (UX findings 12): a booking already inside the cancellation
window, signing a session that has not begun, a full stop, nobody listed near a place, clients
of the same name, and the threshold of the clinic's figures."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.intake import services as intake_services
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.selectors.bookable import earliest_slots
from tests.factories import PatientFactory
from tests.records.conftest import past_appointment
from tests.scheduling.helpers import at, bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db


def _confirm_step(client, therapist, start):
    return client.post(
        reverse("scheduling:book", args=[therapist.pk]), {"start": start.isoformat()}
    ).content.decode()


def test_the_confirm_step_says_when_cancelling_would_already_be_late(client):
    therapist, _, _ = working_therapist(start=time(0), end=time(23, 59))
    client.force_login(bookable_patient())
    soon = earliest_slots([therapist.pk])[therapist.pk].start
    assert soon - timezone.now() < timedelta(hours=24)

    page = _confirm_step(client, therapist, soon)

    assert "less than 24 hours away: cancelling it counts as late" in page
    assert "Free until" not in page
    later = _confirm_step(client, therapist, at(5, 10))
    assert "Free until 24 hours before the start" in later
    assert "counts as late" not in later


def test_no_sign_step_for_a_session_that_has_not_started(client):
    therapist, _, location = working_therapist()
    appointment = past_appointment(therapist, PatientFactory(), hours_ago=-30, location=location)
    client.force_login(therapist.user)

    page = client.get(reverse("records:note", args=[appointment.pk])).content.decode()
    step = client.get(reverse("records:sign", args=[appointment.pk]))

    assert "has not started yet" in page
    assert reverse("records:sign", args=[appointment.pk]) not in page
    assert step.status_code == 302
    assert step["Location"] == reverse("records:note", args=[appointment.pk])


def test_the_questionnaire_result_ends_its_sentence(client):
    patient = PatientFactory()
    for ticked, days_ago in ((12, 35), (4, 2)):
        made = intake_services.record_questionnaire(
            patient=patient,
            code="rmdq",
            answers={f"rmdq-{n}": n <= ticked for n in range(1, 25)},
            version="1.0",
        )
        made.completed_at = timezone.now() - timedelta(days=days_ago)
        made.save(update_fields=["completed_at"])
    client.force_login(patient)

    page = client.get(reverse("outcomes:diary")).content.decode()

    assert "That is a meaningful improvement. A meaningful improvement is" in page


def test_a_place_with_nobody_listed_says_so_not_try_a_wider_radius(client):
    working_therapist()  # in Manchester, far from Ohio

    page = client.get(reverse("directory:search"), {"place": "43215"}).content.decode()

    assert "No therapists are listed near" in page
    assert "wider radius" not in page


def test_clients_of_the_same_name_are_told_apart_by_their_sessions(client):
    therapist, session, location = working_therapist()
    for days_ago in (40, 3):
        place_appointment(
            patient=PatientFactory(first_name="Sam", last_name="Rivers"),
            therapist=therapist,
            session=session,
            location=location,
            start=timezone.now() - timedelta(days=days_ago),
            status=AppointmentStatus.COMPLETED,
        )
    client.force_login(therapist.user)

    page = client.get(reverse("intake:clients")).content.decode()

    for days_ago in (40, 3):
        day = timezone.localdate() - timedelta(days=days_ago)
        assert f"session {day.day} {day:%b %Y}" in page
