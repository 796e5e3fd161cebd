"""Booking pages: slots in the location's own time with the zone named; booking, taken slots,
the triage gate; appointment page; cancelling asks first; the week view; flare-up."""

import re
from datetime import time

import pytest
from django.urls import reverse

from sciaticare.directory.models import FlareUpPlanEntry
from sciaticare.scheduling.models import Appointment, WorkingHours
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db


def _therapist(zone="America/New_York"):
    location = LocationFactory(time_zone=zone)
    therapist = TherapistProfileFactory(location=location)
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(12)
        )
    return therapist


def _patient(**intake):
    patient = PatientFactory()
    make_intake(patient, **intake)
    return patient


def test_slots_are_shown_in_the_locations_time_with_its_zone(client):
    therapist = _therapist("America/New_York")
    client.force_login(_patient())

    body = client.get(reverse("scheduling:book", args=[therapist.pk])).content.decode()

    assert re.search(r">09:00 <span class=\"slot-zone\">E[SD]T</span>", body)
    assert ">14:00<" not in body  # the UTC hour


def test_booking_from_the_page_then_the_same_slot_again_is_taken(client):
    therapist = _therapist("Europe/London")
    client.force_login(_patient())
    page = client.get(reverse("scheduling:book", args=[therapist.pk])).content.decode()
    start = re.search(r'name="start" value="([^"]+)"', page).group(1)

    booked = client.post(
        reverse("scheduling:book", args=[therapist.pk]), {"start": start, "confirm": "yes"}
    )
    assert booked.status_code == 302
    client.force_login(_patient())
    again = client.post(
        reverse("scheduling:book", args=[therapist.pk]), {"start": start, "confirm": "yes"}
    )

    assert again.status_code == 409
    assert b"just taken" in again.content
    assert Appointment.objects.filter(therapist=therapist).count() == 1


def test_a_second_tap_on_confirm_shows_the_booking_the_first_made(client):
    therapist = _therapist("Europe/London")
    client.force_login(_patient())
    page = client.get(reverse("scheduling:book", args=[therapist.pk])).content.decode()
    start = re.search(r'name="start" value="([^"]+)"', page).group(1)
    url = reverse("scheduling:book", args=[therapist.pk])

    first = client.post(url, {"start": start, "confirm": "yes"})
    second = client.post(url, {"start": start, "confirm": "yes"})

    booked = Appointment.objects.get(therapist=therapist)
    mine = reverse("scheduling:appointment", args=[booked.pk])
    assert (first.status_code, first.url) == (302, mine)
    assert (second.status_code, second.url) == (302, mine)  # not "just taken"


def test_the_page_says_why_an_urgent_intake_cannot_book(client):
    therapist = _therapist()
    client.force_login(_patient(yes={"foot_drop": True}))

    response = client.get(reverse("scheduling:book", args=[therapist.pk]))

    assert b"See a doctor today. No massage until a doctor has seen you." in response.content
    assert b'name="start"' not in response.content


def test_cancel_asks_first_and_the_appointment_page_is_private(client):
    therapist = _therapist("Europe/London")
    patient = _patient()
    client.force_login(patient)
    page = client.get(reverse("scheduling:book", args=[therapist.pk])).content.decode()
    start = re.search(r'name="start" value="([^"]+)"', page).group(1)
    client.post(reverse("scheduling:book", args=[therapist.pk]), {"start": start, "confirm": "yes"})
    appointment = Appointment.objects.get(patient=patient)

    confirm = client.get(reverse("scheduling:cancel", args=[appointment.pk]))
    assert b"Keep it" in confirm.content
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    client.force_login(PatientFactory())
    assert client.get(reverse("scheduling:appointment", args=[appointment.pk])).status_code == 404
    assert client.post(reverse("scheduling:cancel", args=[appointment.pk])).status_code == 404
    client.force_login(patient)
    client.post(reverse("scheduling:cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("patient", 403), ("therapist", 200)]
)
def test_week_view_is_for_therapists(client, who, status):
    therapist = _therapist()
    if who == "patient":
        client.force_login(_patient())
    elif who == "therapist":
        client.force_login(therapist.user)

    assert client.get(reverse("scheduling:week")).status_code == status


def test_flare_up_offers_the_earliest_slot_across_the_plan_and_books_it(client):
    preferred, backup = _therapist("Europe/London"), _therapist("Europe/London")
    patient = _patient()
    FlareUpPlanEntry.objects.create(patient=patient, therapist=preferred, rank=0)
    FlareUpPlanEntry.objects.create(patient=patient, therapist=backup, rank=1)
    client.force_login(patient)

    confirm = client.get(reverse("scheduling:flare_up"))
    assert confirm.status_code == 200
    assert preferred.name in confirm.content.decode()
    assert not Appointment.objects.filter(patient=patient).exists()  # not before "Confirm"
    fields = dict(re.findall(r'name="(start|service)" value="([^"]+)"', confirm.content.decode()))
    client.post(reverse("scheduling:book", args=[preferred.pk]), {**fields, "confirm": "yes"})

    assert Appointment.objects.get(patient=patient).therapist == preferred
