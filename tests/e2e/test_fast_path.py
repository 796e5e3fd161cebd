"""The fast path on a 390 px phone (issue 20): the flare-up button does it all — dashboard,
"anything new?" (every red-flag question on one screen, "nothing has changed" in one tap),
the confirm step, booked — counted by the walker of bench/fast_path.py; any "yes" on the
re-check goes to a new intake whose level the triage engine decides, and an emergency shows
the emergency advice first. The screens pass axe at 320 px and work with the keyboard alone."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from bench.fast_path import (
    FLARE_UP,
    FORWARD_NEW,
    NEW_PATIENT,
    RED_FLAGS_NEW,
    RED_FLAGS_RETURNING,
    Persona,
    Walker,
    booked,
    phone_context,
    walk_flare_up,
    walk_new_patient,
)
from sciaticare.intake.models import Intake
from sciaticare.intake.triage.questions import QUESTIONS
from sciaticare.scheduling.models import Appointment, AppointmentStatus, WorkingHours
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import problems_here
from tests.e2e.test_keyboard_journeys import Keys
from tests.scheduling.helpers import bookable_patient, make_plan, working_therapist

pytestmark = pytest.mark.django_db(transaction=True)


def _patient_with_plan(intake_age: timedelta) -> tuple[Any, Any]:
    """A patient whose intake is `intake_age` old, with a preferred therapist and a backup who
    both work every day."""
    preferred = working_therapist(first_name="Rosa", last_name="Lindqvist")[0]
    backup = working_therapist(first_name="Omar", last_name="Haddad")[0]
    patient = bookable_patient()
    Intake.objects.filter(patient=patient).update(created_at=timezone.now() - intake_age)
    make_plan(patient, preferred, backup)
    return patient, preferred


def _phone(browser: Browser, live_server: Any, patient: Any, **options: Any) -> Page:
    page = phone_context(browser, **options).new_page()
    sign_in(page, live_server, patient)
    return page


def test_a_new_patient_books_from_the_home_page_within_its_targets_asking_every_red_flag(
    live_server, browser: Browser, tmp_path
):
    # A therapist near the town the walker types ("Manchester"), free every day.
    location = LocationFactory(time_zone="Europe/London")
    therapist = TherapistProfileFactory(location=location)
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    page = phone_context(browser).new_page()

    persona = Persona(email="ana.ferreira@example.org")
    tally = walk_new_patient(page, live_server.url, persona, tmp_path / "mail.log")

    assert tally.missing(RED_FLAGS_NEW) == []
    assert tally.taps <= NEW_PATIENT.max_taps
    assert tally.seconds <= NEW_PATIENT.max_seconds
    booked_here = Appointment.objects.get(patient__email=persona.email)
    assert booked_here.therapist == therapist
    assert Intake.objects.get(patient=booked_here.patient).safety_only


def test_the_flare_up_rebooking_meets_its_targets_and_asks_every_red_flag(
    live_server, browser: Browser
):
    patient, preferred = _patient_with_plan(timedelta(weeks=3))
    page = _phone(browser, live_server, patient)

    tally = walk_flare_up(page, live_server.url)

    assert tally.missing(RED_FLAGS_RETURNING) == []
    assert tally.taps <= FLARE_UP.max_taps
    assert tally.seconds <= FLARE_UP.max_seconds
    # dashboard → "anything new?" → confirm → booked: three taps, four screens.
    assert (tally.taps, tally.screens) == (3, 4)
    booked = Appointment.objects.get(patient=patient)
    assert (booked.therapist, booked.status) == (preferred, AppointmentStatus.BOOKED)
    page.context.close()


def test_red_flags_answered_today_go_straight_to_the_confirm_step(live_server, browser: Browser):
    patient, _ = _patient_with_plan(timedelta(hours=2))
    page = _phone(browser, live_server, patient)

    tally = walk_flare_up(page, live_server.url)

    assert (tally.taps, tally.screens) == (2, 3)
    assert Appointment.objects.filter(patient=patient).count() == 1
    page.context.close()


def test_a_yes_on_the_recheck_goes_to_a_new_intake_and_the_engine_decides(
    live_server, browser: Browser
):
    patient, _ = _patient_with_plan(timedelta(weeks=3))
    page = _phone(browser, live_server, patient)
    page.goto(f"{live_server.url}/dashboard/")

    page.get_by_role("link", name="I'm having a flare-up").tap()
    page.get_by_label("Can't lift your foot", exact=False).check()
    page.get_by_role("button", name="The ticked ones apply now").tap()

    expect(page.locator("#urgent")).to_contain_text("See a doctor today")
    expect(page.get_by_text("update the rest of your intake", exact=False)).to_be_visible()
    latest = Intake.objects.filter(patient=patient).first()
    assert (latest.triage_level, latest.answers["foot_drop"]) == ("urgent", True)
    # The flare-up button now stops at the doctor's advice.
    page.goto(f"{live_server.url}/flare-up/")
    expect(page.get_by_role("heading", name="Having a flare-up")).to_be_visible()
    assert not Appointment.objects.filter(patient=patient).exists()
    page.context.close()


def test_an_emergency_on_the_recheck_shows_the_emergency_advice_first(
    live_server, browser: Browser
):
    patient, _ = _patient_with_plan(timedelta(weeks=3))
    page = _phone(browser, live_server, patient)
    page.goto(f"{live_server.url}/flare-up/")

    page.get_by_label("New trouble passing urine", exact=False).check()
    page.get_by_role("button", name="None of these apply — nothing has changed").tap()

    alert = page.locator("#emergency")
    expect(alert).to_be_in_viewport()
    expect(alert).to_contain_text("Go to an emergency department now")
    assert Intake.objects.filter(patient=patient).first().triage_level == "emergency"
    assert not Appointment.objects.filter(patient=patient).exists()
    page.context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_the_fast_path_screens_pass_axe_and_fit(live_server, browser: Browser, width):
    patient, _ = _patient_with_plan(timedelta(weeks=3))
    page = _phone(
        browser, live_server, patient, viewport={"width": width, "height": 844}, bypass_csp=True
    )
    problems = []

    page.goto(f"{live_server.url}/dashboard/")
    problems += problems_here(page, width)
    page.get_by_role("link", name="I'm having a flare-up").tap()
    expect(page.get_by_role("heading", name="Do any of these apply now?")).to_be_visible()
    problems += problems_here(page, width)
    page.get_by_role("button", name="None of these apply — nothing has changed").tap()
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    problems += problems_here(page, width)

    assert problems == []
    page.context.close()


def test_the_fast_path_with_the_keyboard_alone(live_server, browser: Browser):
    patient, _ = _patient_with_plan(timedelta(weeks=3))
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server, patient)
    keys = Keys(page)
    page.goto(f"{live_server.url}/dashboard/")

    keys.press(page.get_by_role("link", name="I'm having a flare-up"))
    keys.press(page.get_by_role("button", name="None of these apply — nothing has changed"))
    keys.press(page.get_by_role("button", name="Confirm booking"))

    expect(page.get_by_text("Booked. A confirmation is on its way")).to_be_visible()
    assert Appointment.objects.filter(patient=patient).count() == 1
    keys.assert_focus_always_shown()
    page.context.close()


def _group(code: str, name: str, *, checked: str = "") -> str:
    text = next(q.text for q in QUESTIONS if q.code == code)
    return (
        f"<fieldset><legend>{text}</legend>"
        f'<label><input type="radio" name="{name}" value="yes"> Yes</label>'
        f'<label><input type="radio" name="{name}" value="no"{checked}> No</label></fieldset>'
    )


# A made-up site of the kinds of screen the check may become (issue 20, point 2): a group with
# "None of these apply", a script's "No to all" beside an answer carried over, one question with
# a number to type. The walker must count each answer once, and the taps a person makes.
FAKE_SITE = {
    "/": f"""<main><form method="post" action="/two">
        {_group("saddle_numbness", "saddle_numbness")}{_group("bladder_change", "q_bladder_change")}
        <button>None of these apply</button></form></main>""",
    "/two": f"""<main><form method="post" action="/three">
        {_group("fever", "q_fever")}{_group("foot_drop", "foot")}
        {_group("chest_symptoms", "chest_symptoms", checked=" checked")}
        <button type="button" onclick="document.querySelectorAll('[value=no]')
            .forEach(r => r.checked = true)">No to all</button>
        <button>Next</button></form></main>""",
    "/three": f"""<main><form method="post" action="/appointments/1/">
        <p><label for="age">How old are you?</label> <input id="age" name="age"></p>
        {_group("major_trauma", "answer")}<button>Next</button></form></main>""",
    "/appointments/1/": "<main><p>Booked. A confirmation is on its way by email.</p></main>",
}


def test_the_walker_counts_grouped_screens_once_each(browser: Browser):
    page = phone_context(browser).new_page()
    page.route(
        "http://walker.test/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<!doctype html><title>t</title>" + FAKE_SITE[route.request.url[18:]],
        ),
    )

    tally = Walker(page, "http://walker.test", Persona("a@example.org"), FORWARD_NEW).walk(
        "/", done=booked
    )

    assert dict(tally.answered) == dict.fromkeys(
        ["saddle_numbness", "bladder_change", "fever", "foot_drop", "major_trauma"], 1
    )
    assert tally.confirmed == {"chest_symptoms"}
    # None of these; No to all, Next; the age field, its answer's radio, Next.
    assert (tally.taps, tally.keystrokes, tally.screens) == (6, 2, 4)
    page.context.close()
