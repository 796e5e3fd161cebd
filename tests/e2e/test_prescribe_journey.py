"""Browser journey at desktop width: the therapist opens the note of a session, follows "Home
exercise programme", ticks three exercises with their doses and saves version 1; comes back
from the signed note, changes a dose and takes one out, and sees version 2 with what changed.
axe on the page, with and without a refusal shown; and the same by keyboard alone on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sciaticare.exercises.models import Exercise, PlanVersion
from sciaticare.records import services as records
from tests.directory.factories import TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE_RUN, inject_axe
from tests.e2e.test_keyboard_journeys import Keys
from tests.factories import PatientFactory
from tests.records.conftest import past_appointment

pytestmark = pytest.mark.django_db(transaction=True)

BUILT_IN = [("walking", "Walking", True), ("pelvic-tilt", "Pelvic tilt", False)]


def _library() -> None:
    """The built-in rows (a transactional test's database is emptied between tests)."""
    for slug, name, timed in [*BUILT_IN, ("knee-to-chest", "Knee-to-chest stretch", False)]:
        Exercise.objects.get_or_create(
            slug=slug, clinic=None, patient=None, defaults={"name": name, "timed": timed}
        )


def _axe(page: Page) -> list[str]:
    inject_axe(page)
    return [f"{v['id']} at {v['targets']}: {v['summary']}" for v in page.evaluate(AXE_RUN)]


def _card(page: Page, name: str):
    return page.locator("fieldset.exercise-choice").filter(has=page.get_by_label(name, exact=True))


def test_prescribe_from_the_note_then_a_second_version(live_server, browser):
    _library()
    patient = PatientFactory(first_name="Rosa", last_name="Quintero")
    therapist = TherapistProfileFactory()
    appointment = past_appointment(therapist, patient)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page: Page = context.new_page()
    sign_in(page, live_server, therapist.user)

    page.goto(f"{live_server.url}/notes/{appointment.pk}/")
    page.get_by_role("button", name="Save the draft and open the home exercise programme").click()
    expect(
        page.get_by_role("heading", name="Home exercise programme · Rosa Quintero")
    ).to_be_visible()
    assert _axe(page) == []

    walking = _card(page, "Walking")
    page.get_by_label("Walking", exact=True).check()
    walking.get_by_label("Minutes").fill("15")
    page.get_by_label("Pelvic tilt", exact=True).check()
    tilt = _card(page, "Pelvic tilt")
    tilt.get_by_label("Repetitions").fill("10")
    tilt.get_by_label("Sets").fill("2")
    tilt.get_by_label("Times a day").fill("2")
    page.get_by_label("Knee-to-chest stretch", exact=True).check()
    knee = _card(page, "Knee-to-chest stretch")
    knee.get_by_label("Repetitions").fill("3")
    for day in ("Tuesday", "Thursday", "Saturday", "Sunday"):
        knee.get_by_label(day).uncheck()
    page.get_by_label("A note to the client (optional)").fill(
        "Walk after lunch; stop if the leg tingles."
    )
    page.get_by_role("button", name="Save as version 1").click()

    expect(page.get_by_text("Saved: version 1 of the programme")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 1, from")).to_be_visible()
    versions = page.locator("#version-1")
    expect(versions).to_contain_text("Walking: 15 minutes, once a day; every day")
    expect(versions).to_contain_text("Pelvic tilt: 10 repetitions, 2 sets, twice a day")
    expect(versions).to_contain_text(
        "Knee-to-chest stretch: 3 repetitions, twice a day; Monday, Wednesday, Friday"
    )
    version = PlanVersion.objects.get()
    assert (version.number, version.appointment_id) == (1, appointment.pk)

    # A refusal is said beside its field, and the page still passes axe.
    page.get_by_label("Review").fill("2000-01-01")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("must be on or after the start date")).to_be_visible()
    assert _axe(page) == []

    # From the signed note, the next version.
    records.start_note(therapist_user=therapist.user, appointment_id=appointment.pk)
    records.sign_note(therapist_user=therapist.user, appointment_id=appointment.pk)
    page.goto(f"{live_server.url}/notes/{appointment.pk}/")
    page.get_by_role("link", name="Home exercise programme").click()
    expect(page.get_by_label("Walking", exact=True)).to_be_checked()
    expect(_card(page, "Walking").get_by_label("Minutes")).to_have_value("15")
    _card(page, "Walking").get_by_label("Minutes").fill("20")
    page.get_by_label("Knee-to-chest stretch", exact=True).uncheck()
    page.get_by_role("button", name="Save as version 2").click()

    expect(page.get_by_text("Saved: version 2 of the programme")).to_be_visible()
    latest = page.locator("#version-2")
    expect(latest).to_contain_text("Changes:")
    expect(latest).to_contain_text("took out Knee-to-chest stretch")
    expect(latest).to_contain_text("Walking: 15 minutes, once a day → 20 minutes, once a day")
    assert list(PlanVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    context.close()


def test_by_keyboard_alone_on_a_320_px_phone(live_server, browser):
    """From the note's link to a saved version with Tab, Space and typing only; every stop
    shows its focus, and the page does not scroll sideways."""
    _library()
    patient = PatientFactory(first_name="Rosa", last_name="Quintero")
    therapist = TherapistProfileFactory()
    appointment = past_appointment(therapist, patient)
    page: Page = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
    keys = Keys(page)
    sign_in(page, live_server, therapist.user)
    page.goto(f"{live_server.url}/notes/{appointment.pk}/")

    keys.press(
        page.get_by_role("button", name="Save the draft and open the home exercise programme")
    )
    keys.choose(page.get_by_label("Pelvic tilt", exact=True))
    keys.type(_card(page, "Pelvic tilt").get_by_label("Repetitions"), "12", replace=True)
    keys.to(_card(page, "Pelvic tilt").get_by_label("Sunday"))
    page.keyboard.press("Space")  # not on Sundays
    keys.press(page.get_by_role("button", name="Save as version 1"))

    expect(page.get_by_text("Saved: version 1 of the programme")).to_be_visible()
    expect(page.locator("#version-1")).to_contain_text(
        "Pelvic tilt: 12 repetitions, twice a day; Monday, Tuesday, Wednesday, Thursday, "
        "Friday, Saturday"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    keys.assert_focus_always_shown()
