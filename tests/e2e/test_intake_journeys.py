"""Browser journeys: the public symptom check, and a patient filling the intake."""

import pytest
from playwright.sync_api import Page, expect

from sciaticare.intake.models import Intake
from sciaticare.intake.symptom_check import SCREENS
from tests.e2e.check_pages import walk_check
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_check_reaching_emergency_puts_the_emergency_first_on_screen(live_server, phone: Page):
    phone.goto(live_server.url + "/check/")
    phone.get_by_role("group", name="Numbness or a strange feeling").get_by_label("No").check()
    phone.get_by_role("group", name="New trouble passing urine").get_by_label("Yes").check()
    phone.get_by_role("button", name="Next").click()

    alert = phone.locator("#emergency")
    expect(alert).to_be_in_viewport()
    expect(alert).to_contain_text("Go to an emergency department now")
    # First after the skip link, which leads every page (hidden until focused): the advice's
    # tappable numbers came before it and axe no longer took it for a skip link.
    top = phone.evaluate("document.querySelector('body > :not(.skip-link)').id")
    assert top == "emergency"
    assert alert.bounding_box()["y"] == 0


def test_check_reaching_ok_shows_precautions_and_honest_wording(live_server, phone: Page):
    walk_check(phone, live_server.url, {"pregnant"})

    expect(phone.get_by_role("heading", name="Massage is a reasonable option")).to_be_visible()
    expect(phone.get_by_text("midwife", exact=False).first).to_be_visible()
    expect(phone.get_by_text("does not treat the cause", exact=False).first).to_be_visible()


def test_check_enter_in_an_answer_goes_forward_not_back(live_server, page: Page):
    """With the keyboard alone: Enter on screen 2 moves to screen 3 (it used to go Back)."""
    page.goto(live_server.url + "/check/")
    progress = page.locator(".progress")
    for number in (1, 2, 3):
        expect(progress).to_have_text(f"Step {number} of {len(SCREENS)}")
        for question in page.locator("fieldset.answer").all():
            no = question.get_by_label("No")
            no.focus()
            page.keyboard.press("Space")
            expect(no).to_be_checked()
        page.keyboard.press("Enter")
    expect(progress).to_have_text(f"Step 4 of {len(SCREENS)}")


def _answer_safety_questions(page: Page) -> None:
    for group in page.locator("fieldset.yes-no").all():
        group.get_by_label("No").check()


def test_patient_fills_the_intake_marking_the_body_map_by_mouse(live_server, page: Page):
    patient = PatientFactory()
    sign_in(page, live_server, patient)
    page.goto(live_server.url + "/intake/new/")

    page.get_by_label("Your age").fill("46")
    page.get_by_label("When did this episode begin?").fill("2026-10-01")
    page.locator('.bodymap [data-region="left_buttock"]').click()
    page.locator('.bodymap [data-region="left_calf"]').click()
    page.locator('.bodymap [data-region="left_calf"]').click()  # a second click unmarks
    page.locator('.bodymap [data-region="left_back_of_thigh"]').click()
    expect(page.locator('input[name="regions"][value="left_buttock"]')).to_be_checked()
    expect(page.locator('.bodymap [data-region="left_buttock"]')).to_have_class("region on")
    for name, value in [("Back pain now", "5"), ("Leg pain now", "7")]:
        page.get_by_label(name, exact=True).fill(value)
    for name in [
        "Back pain on average, past week",
        "Back pain at its worst, past week",
        "Leg pain on average, past week",
        "Leg pain at its worst, past week",
    ]:
        page.get_by_label(name).fill("6")
    _answer_safety_questions(page)
    page.get_by_role("button", name="Save my intake").click()

    expect(page.get_by_role("heading", name="Massage is a reasonable option")).to_be_visible()
    intake = Intake.objects.get(patient=patient)
    assert sorted(intake.regions) == ["left_back_of_thigh", "left_buttock"]


def test_patient_marks_regions_with_the_keyboard_alone(live_server, page: Page):
    patient = PatientFactory()
    sign_in(page, live_server, patient)
    page.goto(live_server.url + "/intake/new/")

    checkbox = page.get_by_role("checkbox", name="Right sole or heel")
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    expect(page.locator('.bodymap [data-region="right_sole_heel"]')).to_have_class("region on")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the next box in the list: Left front of thigh, in map order
    page.get_by_label("Your age").fill("30")
    page.get_by_label("When did this episode begin?").fill("2026-11-01")
    for label in [
        "Back pain now",
        "Back pain on average, past week",
        "Back pain at its worst, past week",
        "Leg pain now",
        "Leg pain on average, past week",
        "Leg pain at its worst, past week",
    ]:
        page.get_by_label(label, exact=True).fill("3")
    _answer_safety_questions(page)
    page.get_by_role("button", name="Save my intake").press("Enter")

    expect(page.get_by_role("heading", name="Massage is a reasonable option")).to_be_visible()
    intake = Intake.objects.get(patient=patient)
    assert "right_sole_heel" in intake.regions
    assert len(intake.regions) == 2
