"""Issue 13, point 10: only an attended session takes a signed note, and only notes of attended
sessions count in a therapist's outcome figures (which the public profile and the directory
ranking read).

Given a session that was cancelled (or missed) after its therapist began the note, signing is
refused by the service, the API (409 ``session_not_attended``) and the page; a note signed for
a cancelled session before this fix stays out of the figures."""

import pytest
from django.urls import reverse

from sciaticare.core.errors import Conflict
from sciaticare.outcomes import practice
from sciaticare.outcomes.practice_query import Scope
from sciaticare.outcomes.practice_selectors import compute_outcomes
from sciaticare.records import services
from sciaticare.scheduling.models import AppointmentStatus
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import PatientFactory
from tests.outcomes.practice_world import START, signed_session
from tests.records.conftest import clinic_world

__all__ = ["clinic_world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def _not_attended(world, status):
    appointment = world["appointment"]
    services.save_draft(
        therapist_user=world["people"]["therapist"],
        appointment_id=appointment.pk,
        values={"objective": "Written before the client cancelled"},
    )
    appointment.status = status
    appointment.save()
    return appointment


@pytest.mark.parametrize(
    "status",
    [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW, AppointmentStatus.RESCHEDULED],
)
def test_the_service_refuses_to_sign_a_session_that_was_not_attended(clinic_world, status):
    appointment = _not_attended(clinic_world, status)

    with pytest.raises(Conflict) as refused:
        services.sign_note(
            therapist_user=clinic_world["people"]["therapist"], appointment_id=appointment.pk
        )

    assert refused.value.code == "session_not_attended"
    appointment.note.refresh_from_db()
    assert not appointment.note.is_signed


def test_the_api_refuses_with_409_and_a_code(client, clinic_world):
    appointment = _not_attended(clinic_world, AppointmentStatus.CANCELLED)
    client.force_login(clinic_world["people"]["therapist"])

    response = client.post(f"/api/v1/appointments/{appointment.pk}/note/sign")

    assert response.status_code == 409
    assert response.json()["code"] == "session_not_attended"


def test_the_page_refuses_and_says_why(client, clinic_world):
    appointment = _not_attended(clinic_world, AppointmentStatus.CANCELLED)
    client.force_login(clinic_world["people"]["therapist"])

    editor = client.get(reverse("records:note", args=[appointment.pk])).content.decode()
    response = client.post(reverse("records:sign", args=[appointment.pk]), follow=True)

    assert "Only an attended session takes a signed note" in editor
    assert reverse("records:sign", args=[appointment.pk]) not in editor
    assert 'value="sign"' not in editor  # no Sign… button
    assert "Only an attended session takes a signed note" in response.content.decode()
    appointment.note.refresh_from_db()
    assert not appointment.note.is_signed


def test_a_note_signed_for_a_cancelled_session_is_not_in_the_outcome_figures(monkeypatch):
    monkeypatch.setattr(practice, "MIN_PATIENTS", 1)
    location = LocationFactory()
    therapist = TherapistProfileFactory(location=location)
    attended = signed_session(
        therapist=therapist, patient=PatientFactory(), location=location, start=START
    )
    cancelled = signed_session(
        therapist=therapist,
        patient=PatientFactory(),
        location=location,
        start=START.replace(hour=START.hour + 3),
        pain=(9, 0, 9, 0),
    )
    cancelled.appointment.status = AppointmentStatus.CANCELLED
    cancelled.appointment.save()

    figures = compute_outcomes([Scope.THERAPIST])[(0, therapist.pk)]

    assert figures.patients == 1  # the attended session's patient only
    assert figures.relief.value == 3  # (6, 4, 7, 4): the worse site drops 7 → 4
    assert attended.appointment.status == AppointmentStatus.COMPLETED
