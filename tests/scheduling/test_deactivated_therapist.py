"""A therapist whose account is deactivated takes no bookings anywhere: scheduling asks the
directory for a bookable therapist (`directory.selectors.profile.bookable_therapist`) on every path, so
their free times, booking, the confirm step and the waitlist all answer "not found"."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.errors import NotFound
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services import booking, waitlist
from tests.scheduling.helpers import at, bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    therapist, session, location = working_therapist(first_name="Ada")
    return {
        "therapist": therapist,
        "session": session,
        "location": location,
        "patient": bookable_patient(),
    }


def _deactivate(therapist):
    therapist.user.is_active = False
    therapist.user.save(update_fields=["is_active"])


def test_an_active_therapists_slots_are_listed(client, world):
    answer = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")

    assert answer.status_code == 200
    assert answer.json()


def test_a_deactivated_therapists_slots_are_not_found(client, world):
    _deactivate(world["therapist"])

    answer = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")

    assert answer.status_code == 404


def test_a_deactivated_therapists_booking_page_is_not_found(client, world):
    _deactivate(world["therapist"])
    client.force_login(world["patient"])

    page = client.get(reverse("scheduling:book", args=[world["therapist"].pk]))
    tap = client.post(
        reverse("scheduling:book", args=[world["therapist"].pk]),
        {"start": at(3, 10).isoformat(), "confirm": "yes"},
    )

    assert (page.status_code, tap.status_code) == (404, 404)
    assert not Appointment.objects.exists()


def test_a_deactivated_therapist_cannot_be_booked_or_previewed(world):
    _deactivate(world["therapist"])

    with pytest.raises(NotFound):
        booking.preview_booking(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=at(3, 10)
        )
    with pytest.raises(NotFound):
        booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=at(3, 10)
        )
    assert not Appointment.objects.exists()


def test_the_api_refuses_to_book_a_deactivated_therapist(client, world):
    _deactivate(world["therapist"])
    client.force_login(world["patient"])

    answer = client.post(
        "/api/v1/appointments",
        json.dumps({"therapist": world["therapist"].pk, "start": at(3, 10).isoformat()}),
        content_type="application/json",
    )

    assert answer.status_code == 404
    assert not Appointment.objects.exists()


def test_nobody_joins_a_deactivated_therapists_waitlist(client, world):
    _deactivate(world["therapist"])
    today = timezone.localdate()
    client.force_login(world["patient"])

    page = client.get(reverse("scheduling:waitlist_join") + f"?therapist={world['therapist'].pk}")

    assert page.status_code == 404
    with pytest.raises(NotFound):
        waitlist.join_waitlist(
            patient=world["patient"],
            therapist_id=world["therapist"].pk,
            earliest=today,
            latest=today + timedelta(days=7),
        )


def test_a_slot_freed_after_deactivation_is_offered_to_nobody(world):
    waiting = world["patient"]
    today = timezone.localdate()
    waitlist.join_waitlist(
        patient=waiting,
        therapist_id=world["therapist"].pk,
        earliest=today,
        latest=today + timedelta(days=7),
    )
    freed = place_appointment(
        patient=bookable_patient(),
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=at(3, 10),
        status=AppointmentStatus.CANCELLED,
    )
    _deactivate(world["therapist"])

    assert waitlist.offer_freed_slot(appointment_id=freed.pk) is None
    assert not Appointment.objects.filter(status=AppointmentStatus.HELD).exists()
