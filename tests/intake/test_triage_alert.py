"""After an emergency or urgent result, every page of the patient's that leads to booking opens
with the symptom check's red advice, before the site header, until a newer intake says
otherwise (issue 13, point 13). One partial (intake/_triage_alert.html), one selector
(intake.selectors.triage_alert)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sciaticare.intake import selectors
from sciaticare.scheduling.models import SlotOffer, WaitlistEntry
from tests.factories import PatientFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, make_plan, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

EMERGENCY = "Go to an emergency department now"
URGENT = "See a doctor today"
LEVELS = {"emergency": {"bladder_change": True}, "urgent": {"foot_drop": True}}


@pytest.fixture
def world():
    therapist, session, location = working_therapist()
    patient = PatientFactory()
    make_intake(patient)
    make_plan(patient, therapist)
    # Booked while massage was still fine: the pages that show it must warn as well.
    appointment = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(3, 10)
    )
    return {"patient": patient, "therapist": therapist, "appointment": appointment}


def _pages(world) -> dict[str, str]:
    therapist, appointment = world["therapist"], world["appointment"]
    intake = selectors.current_intake(patient=world["patient"])
    return {
        "dashboard": reverse("web:dashboard"),
        "intake home": reverse("intake:home"),
        "intake detail": reverse("intake:detail", args=[intake.pk]),
        "intake form": reverse("intake:form"),
        "red-flag recheck": reverse("intake:recheck"),
        "book": reverse("scheduling:book", args=[therapist.pk]),
        "flare-up": reverse("scheduling:flare_up"),
        "appointments": reverse("scheduling:appointments"),
        "reschedule": reverse("scheduling:reschedule", args=[appointment.pk]),
        "waitlist": reverse("scheduling:waitlist"),
        "waitlist join": reverse("scheduling:waitlist_join") + f"?therapist={therapist.pk}",
        # Every page through the base template (UX finding 4), e.g.:
        "directory search": reverse("directory:search"),
        "therapist profile": reverse("directory:profile", args=[therapist.pk]),
        "flare-up plan": reverse("directory:plan"),
        "appointment": reverse("scheduling:appointment", args=[appointment.pk]),
    }


def _alert_before_header(body: str) -> str | None:
    """The triage alert's level when it is drawn before the site header, else None."""
    header = body.index('<header class="site-header"')
    found = re.search(r'data-triage-alert="(\w+)"', body[:header])
    return found.group(1) if found else None


@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_every_page_leads_with_the_red_advice(client, world, level):
    make_intake(world["patient"], yes=LEVELS[level])
    client.force_login(world["patient"])

    for name, url in _pages(world).items():
        body = client.get(url).content.decode()
        assert _alert_before_header(body) == level, name
        assert (EMERGENCY if level == "emergency" else URGENT) in body, name


def test_the_emergency_advice_is_the_symptom_checks_own(client, world):
    check = client.post(reverse("check"), {"step": "0", "bladder_change": "yes"})
    block = re.search(r'<div class="emergency-now".*?</div>', check.content.decode(), re.S)
    assert block is not None
    make_intake(world["patient"], yes=LEVELS["emergency"])
    client.force_login(world["patient"])

    dashboard = client.get(reverse("web:dashboard")).content.decode()

    assert block.group(0) in dashboard


def test_no_alert_for_an_ok_intake_or_once_a_newer_intake_says_ok(client, world):
    client.force_login(world["patient"])
    for name, url in _pages(world).items():
        assert _alert_before_header(client.get(url).content.decode()) is None, name

    make_intake(world["patient"], yes=LEVELS["urgent"])
    assert _alert_before_header(client.get(reverse("web:dashboard")).content.decode())
    make_intake(world["patient"])  # seen by a doctor: a newer intake
    for name, url in _pages(world).items():
        assert _alert_before_header(client.get(url).content.decode()) is None, name


def test_the_offer_page_leads_with_it_too(client, world):
    make_intake(world["patient"], yes=LEVELS["urgent"])
    entry = WaitlistEntry.objects.create(
        patient=world["patient"],
        therapist=world["therapist"],
        earliest=timezone.localdate(),
        latest=timezone.localdate() + timedelta(days=14),
    )
    held = world["appointment"]
    held.status = "held"
    held.save(update_fields=["status"])
    offer = SlotOffer.objects.create(
        entry=entry, appointment=held, expires_at=timezone.now() + timedelta(hours=2)
    )
    client.force_login(world["patient"])

    body = client.get(reverse("scheduling:offer", args=[offer.pk])).content.decode()

    assert _alert_before_header(body) == "urgent"


def test_a_soon_result_does_not_raise_the_red_alert():
    patient = PatientFactory()
    intake = make_intake(patient, yes={"cancer_history": True})

    assert intake.triage_level == "soon"
    assert selectors.triage_alert(patient=patient) is None


# --- UX finding 4: the advice leads every page, and replaces the ways to book or move --------


@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_the_profile_and_the_appointment_offer_no_booking_or_moving_while_blocked(
    client, world, level
):
    client.force_login(world["patient"])
    profile = reverse("directory:profile", args=[world["therapist"].pk])
    appointment = reverse("scheduling:appointment", args=[world["appointment"].pk])
    moving = reverse("scheduling:reschedule", args=[world["appointment"].pk])
    assert "See free times and book" in client.get(profile).content.decode()
    assert f'href="{moving}"' in client.get(appointment).content.decode()

    make_intake(world["patient"], yes=LEVELS[level])

    body = client.get(profile).content.decode()
    assert "See free times and book" not in body
    assert "Please do not book a massage now" in body
    body = client.get(appointment).content.decode()
    assert f'href="{moving}"' not in body
    assert "Please do not move this session" in body


def test_the_refusals_repeat_the_intakes_own_advice(client, world):
    # Cancer history and night pain: urgent, with "contact your cancer team today".
    intake = make_intake(world["patient"], yes={"cancer_history": True, "night_pain": True})
    assert intake.triage_level == "urgent"
    assert "cancer team today" in intake.triage_advice
    client.force_login(world["patient"])

    pages = {
        "book": reverse("scheduling:book", args=[world["therapist"].pk]),
        "flare-up": reverse("scheduling:flare_up"),
        # On the first look, before anything is sent.
        "waitlist join": reverse("scheduling:waitlist_join"),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        main = body[body.index('<main id="main"') :]
        assert "contact your GP or your cancer team today" in main, name
        assert "Your intake says to see a doctor first" not in main, name


def _intake_reads(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as seen:
        body = client.get(url).content.decode()
    return body, [q["sql"] for q in seen.captured_queries if '"intake_intake"' in q["sql"]]


def test_the_alert_on_every_page_costs_one_query_for_a_patient_and_none_for_others(client, world):
    make_intake(world["patient"], yes=LEVELS["emergency"])
    client.force_login(world["patient"])

    body, reads = _intake_reads(client, reverse("directory:plan"))

    assert _alert_before_header(body) == "emergency"
    assert len(reads) == 1, reads
    client.force_login(world["therapist"].user)
    body, reads = _intake_reads(client, reverse("directory:search"))
    assert _alert_before_header(body) is None
    assert reads == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_emergency_number_is_a_number_a_phone_can_call(client, world, language):
    # Found by an outside test: on a phone, 999, 911 and 112 were bold text, not tappable.
    client.cookies["django_language"] = language
    check = client.post(reverse("check"), {"step": "0", "bladder_change": "yes"})
    page = client.get(reverse("check_emergency"))
    make_intake(world["patient"], yes=LEVELS["emergency"])
    client.force_login(world["patient"])
    dashboard = client.get(reverse("web:dashboard"))

    for response in (check, page, dashboard):
        body = response.content.decode()
        for number in ("999", "911", "112"):
            assert f'<a href="tel:{number}"><strong>{number}</strong></a>' in body
