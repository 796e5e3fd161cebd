"""Browser journeys: search → free slot → confirm → see it on the dashboard → cancel; and a
flare-up on a three-week-old intake: the red-flag questions first, then straight to confirm."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sciaticare.directory.models import FlareUpPlanEntry
from sciaticare.intake.models import Intake
from sciaticare.scheduling.models import Appointment, WorkingHours
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_book_see_on_dashboard_and_cancel(live_server, page: Page):
    location = LocationFactory(time_zone="Europe/London")
    therapist = TherapistProfileFactory(
        location=location, user__first_name="Rosa", user__last_name="Lindqvist"
    )
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    patient = PatientFactory()
    make_intake(patient)
    sign_in(page, live_server, patient)

    page.goto(f"{live_server.url}/therapists/?place=Manchester&radius_km=25")
    expect(page.get_by_role("link", name="Rosa Lindqvist")).to_be_visible()
    page.get_by_role("link", name="Book", exact=True).first.click()
    first_slot = page.locator("button.slot").first
    chosen = first_slot.inner_text().splitlines()[0]
    first_slot.click()

    # One tap books nothing: the confirm step shows the session first.
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_text("Rosa Lindqvist")).to_be_visible()
    assert not Appointment.objects.filter(patient=patient).exists()
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_text("Booked. A confirmation is on its way")).to_be_visible()
    expect(page.get_by_text("Rosa Lindqvist")).to_be_visible()
    page.goto(f"{live_server.url}/dashboard/")
    upcoming = page.get_by_role("region", name="Your next sessions")
    expect(upcoming).to_contain_text(chosen)
    upcoming.get_by_role("link").first.click()

    page.get_by_role("link", name="Cancel…").click()
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("Cancelled", exact=False).first).to_be_visible()
    assert Appointment.objects.get(patient=patient).status == "cancelled"


def test_flare_up_on_an_old_intake_asks_the_red_flag_questions_then_confirms(
    live_server, page: Page
):
    location = LocationFactory(time_zone="Europe/London")
    therapist = TherapistProfileFactory(
        location=location, user__first_name="Rosa", user__last_name="Lindqvist"
    )
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    patient = PatientFactory()
    intake = make_intake(patient)
    Intake.objects.filter(pk=intake.pk).update(created_at=timezone.now() - timedelta(weeks=3))
    FlareUpPlanEntry.objects.create(patient=patient, therapist=therapist, rank=0)
    sign_in(page, live_server, patient)

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="I'm having a flare-up").click()

    expect(page.get_by_role("heading", name="Do any of these apply now?")).to_be_visible()
    expect(page.get_by_label("New trouble passing urine", exact=False)).to_be_visible()
    page.get_by_role("button", name="None of these apply").click()

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    assert not Appointment.objects.filter(patient=patient).exists()
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_text("Booked. A confirmation is on its way")).to_be_visible()
    assert Appointment.objects.get(patient=patient).therapist == therapist


def test_a_tick_then_none_of_these_is_taken_as_a_yes_in_the_browser(live_server, page: Page):
    """The ticks and both answers are one form: pressing "None of these apply" with a box
    ticked sends the tick, and it counts (UX finding 1)."""
    location = LocationFactory(time_zone="Europe/London")
    therapist = TherapistProfileFactory(location=location)
    patient = PatientFactory()
    intake = make_intake(patient)
    Intake.objects.filter(pk=intake.pk).update(created_at=timezone.now() - timedelta(weeks=3))
    FlareUpPlanEntry.objects.create(patient=patient, therapist=therapist, rank=0)
    sign_in(page, live_server, patient)

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="I'm having a flare-up").click()
    page.get_by_label("around your bottom", exact=False).check()
    page.get_by_role("button", name="None of these apply").click()

    expect(page.get_by_text("Go to an emergency department now").first).to_be_visible()
    assert Intake.objects.filter(patient=patient).first().triage_level == "emergency"
    assert not Appointment.objects.filter(patient=patient).exists()
