"""Every main journey walked with the keyboard alone: Tab and Shift-Tab to move, arrow keys
inside a group of radio buttons or a select, Space and Enter to press, typed text into fields.
No mouse, no `.click()` or `.fill()`: `Keys.to` presses Tab until the wanted element has focus
(a locator only says which element is wanted, and is read, never acted on).

Each element the focus lands on must show it (WCAG 2.2 2.4.7): an outline of at least 2 px or
a box shadow, computed while it has focus — `Keys.unringed` lists any that did not. (A date
field's calendar button is Chromium's own and not seen from the page: left out.)
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from sciaticare.billing.models import Refund
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Intake
from sciaticare.intake.symptom_check import SCREENS, STEPS
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.billing.books import UK, books, pay_by_card
from tests.billing.factories import deposit_therapist
from tests.directory.factories import TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory
from tests.intake.factories import make_intake
from tests.records.conftest import past_appointment
from tests.scheduling.helpers import bookable_patient, working_therapist
from tests.stripe import CARD

pytestmark = pytest.mark.django_db(transaction=True)

#: What has focus, and whether it shows: an outline of 2 px or more, or a box shadow.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  // Tab also stops on a date field's own calendar button, drawn (and ringed) by Chromium inside
  // the field: the field is then the active element without matching :focus.
  if (!e.matches(':focus')) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  const text = (e.getAttribute('aria-label') || e.textContent || e.value || '').trim().replace(/\\s+/g, ' ');
  return {
    what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '')
          + ' "' + text.slice(0, 40) + '"',
    ring: ring,
    radio: e.type === 'radio' ? e.name : null,
  };
}"""


class Keys:
    """The keyboard, and a record of every focused element without a visible focus ring."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unringed: list[str] = []
        self.stops = 0

    def _has_focus(self, target: Locator) -> bool:
        return bool(target.evaluate("e => e === document.activeElement"))

    def _look(self) -> dict[str, Any] | None:
        focused: dict[str, Any] | None = self.page.evaluate(FOCUSED)
        if focused is not None:
            self.stops += 1
            if not focused["ring"] and focused["what"] not in self.unringed:
                self.unringed.append(f"{self.page.url}: {focused['what']}")
        return focused

    def to(self, target: Locator, *, back: bool = False, limit: int = 400) -> None:
        """Tab (or Shift-Tab) until `target` has focus; in a radio group, arrow keys to it."""
        target.wait_for()
        name = target.evaluate("e => e.type === 'radio' ? e.name : null")
        for _ in range(limit):
            if self._has_focus(target):
                return
            focused = self._look()
            if name and focused and focused["radio"] == name:
                for _ in range(12):
                    self.page.keyboard.press("ArrowRight")
                    self._look()
                    if self._has_focus(target):
                        return
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"Tab never reached {target}")

    def press(self, target: Locator, key: str = "Enter") -> None:
        self.to(target)
        self.page.keyboard.press(key)

    def type(self, target: Locator, text: str, *, replace: bool = False) -> None:
        self.to(target)
        if replace:
            self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(text)

    def choose(self, option: Locator) -> None:
        """A radio button (arrows) or a checkbox (Space)."""
        self.to(option)
        if not option.is_checked():
            self.page.keyboard.press("Space")
        expect(option).to_be_checked()

    def assert_focus_always_shown(self) -> None:
        assert self.stops > 0
        assert self.unringed == [], "focused without a visible focus indicator"


def _context(browser: Browser, width: int = 1280) -> Page:
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


def _answer_with_keys(page: Page, keys: Keys, yes: str | None = None) -> None:
    """Every question of the screen shown: arrows to "No" (or "Yes" for `yes`), numbers typed."""
    form = page.locator("form.check-step")
    for question in form.locator("fieldset.answer").all():
        code = question.locator("input[type=radio]").first.get_attribute("name")
        keys.choose(question.get_by_label("Yes" if code == yes else "No", exact=True))
    for box in form.locator("input[type=text]").all():
        keys.type(box, {"age": "38", "onset_weeks": "3"}[box.get_attribute("name") or ""])


def test_symptom_check_to_its_result(live_server, browser: Browser):
    page = _context(browser, 390)
    keys = Keys(page)
    page.goto(live_server.url + "/")
    keys.press(page.get_by_role("link", name="Start the symptom check"))
    for number in range(1, len(SCREENS) + 1):
        expect(page.locator(".progress")).to_have_text(f"Step {number} of {len(SCREENS)}")
        _answer_with_keys(page, keys)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Massage is a reasonable option")).to_be_visible()
    keys.assert_focus_always_shown()


def test_symptom_check_one_question_at_a_time(live_server, browser: Browser):
    """The mode chosen with the keyboard on the first screen holds to the result; a "yes" to
    an emergency question shows its advice at once, and Enter gives the emergency result."""
    page = _context(browser, 320)
    keys = Keys(page)
    page.goto(live_server.url + "/check/")
    keys.press(page.get_by_role("link", name="One question at a time"))
    for number, step in enumerate(STEPS[:4], start=1):
        expect(page.locator(".progress")).to_have_text(f"Question {number} of {len(STEPS)}")
        _answer_with_keys(page, keys, yes="sexual_dysfunction")
        if step == "sexual_dysfunction":
            advice = page.locator('[data-emergency-for="sexual_dysfunction"]')
            expect(advice).to_be_visible()
            expect(advice).to_contain_text("Go to an emergency department now")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(page.locator("#emergency")).to_be_in_viewport()
    keys.assert_focus_always_shown()


def test_sign_up(live_server, browser: Browser):
    page = _context(browser)
    keys = Keys(page)
    page.goto(live_server.url + "/")
    keys.press(page.get_by_role("link", name="Create an account").first)
    # Not the address the mouse journey signs up with: allauth limits confirmation mails per
    # address (in the cache, which outlives a test's database).
    keys.type(page.get_by_label("Email"), "kai@example.org")
    keys.type(page.get_by_label("First name"), "Inês")
    keys.type(page.get_by_label("Password:", exact=True), "walk-daily-and-stretch")
    keys.type(page.get_by_label("Password (again)"), "walk-daily-and-stretch")
    keys.press(page.get_by_role("button", name="Sign Up"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    assert "kai@example.org" in mail.outbox[-1].to
    keys.assert_focus_always_shown()


def test_intake_with_the_body_map(live_server, browser: Browser):
    patient = PatientFactory()
    page = _context(browser, 390)
    keys = Keys(page)
    sign_in(page, live_server, patient)
    page.goto(live_server.url + "/intake/new/")
    keys.type(page.get_by_label("Your age"), "46")
    keys.to(page.get_by_label("When did this episode begin?"))
    page.keyboard.type("10012026")  # the date field's month, day and year (en-US)
    for region in ("Left buttock", "Left back of thigh", "Left calf"):
        keys.choose(page.get_by_role("checkbox", name=region))
    expect(page.locator('.bodymap [data-region="left_calf"]')).to_have_class("region on")
    for label, value in [
        ("Back pain now", "5"),
        ("Back pain on average, past week", "6"),
        ("Back pain at its worst, past week", "6"),
        ("Leg pain now", "7"),
        ("Leg pain on average, past week", "6"),
        ("Leg pain at its worst, past week", "6"),
    ]:
        keys.type(page.get_by_label(label, exact=True), value)
    for group in page.locator("fieldset.yes-no").all():
        keys.choose(group.get_by_label("No"))
    keys.press(page.get_by_role("button", name="Save my intake"))
    expect(page.get_by_role("heading", name="Massage is a reasonable option")).to_be_visible()
    intake = Intake.objects.get(patient=patient)
    assert sorted(intake.regions) == ["left_back_of_thigh", "left_buttock", "left_calf"]
    assert str(intake.onset_date) == "2026-10-01"
    keys.assert_focus_always_shown()


def test_search_profile_book_and_cancel(live_server, browser: Browser):
    therapist = working_therapist(first_name="Rosa", last_name="Lindqvist")[0]
    patient = bookable_patient()
    page = _context(browser)
    keys = Keys(page)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/therapists/?place=Manchester&radius_km=25")
    keys.press(page.get_by_role("link", name="Rosa Lindqvist"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa Lindqvist")
    keys.press(page.get_by_role("link", name="Book", exact=False).first)
    keys.press(page.locator("button.slot").first)
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    keys.press(page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_text("Booked. A confirmation is on its way")).to_be_visible()
    appointment = Appointment.objects.get(patient=patient, therapist=therapist)
    assert appointment.status == AppointmentStatus.BOOKED

    page.goto(f"{live_server.url}/dashboard/")
    keys.press(page.get_by_role("region", name="Your next sessions").get_by_role("link").first)
    keys.press(page.get_by_role("link", name="Cancel…"))
    keys.press(page.get_by_role("button", name="Cancel the session"))
    expect(page.get_by_text("Cancelled", exact=False).first).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    keys.assert_focus_always_shown()


def test_book_with_a_deposit_typing_the_card(live_server, browser: Browser, stripe_server):
    therapist = deposit_therapist(legal_name="Riverside Massage Ltd")[0]
    page = _context(browser)
    keys = Keys(page)
    sign_in(page, live_server, bookable_patient())
    page.goto(f"{live_server.url}/book/{therapist.pk}/")
    keys.press(page.locator("button.slot").first)
    keys.press(page.get_by_role("button", name="Confirm and pay the £10.00 deposit"))
    expect(page.get_by_role("heading", name="Pay the deposit to book")).to_be_visible()
    card = page.locator("#card-element")
    for field, value in [
        ("number", CARD),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "M20 2RN"),
    ]:
        keys.type(card.get_by_placeholder(field), value)
    keys.press(page.get_by_role("button", name="Pay £10.00"))
    expect(page.get_by_role("heading", name="Booked: your deposit is paid")).to_be_visible()
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED
    keys.assert_focus_always_shown()


def test_pain_diary_on_the_dashboard_and_its_page(live_server, browser: Browser):
    patient = PatientFactory()
    today = timezone.localdate()
    page = _context(browser, 390)
    keys = Keys(page)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/dashboard/")
    # Arrow keys pass 0–3 and 0–5 on the way: nothing is saved until Enter.
    keys.choose(page.get_by_role("group", name="Back pain today").get_by_label("3", exact=True))
    keys.choose(page.get_by_role("group", name="Leg pain today").get_by_label("5", exact=True))
    assert not PainEntry.objects.filter(patient=patient).exists()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged for today.")).to_be_visible()
    entry = PainEntry.objects.get(patient=patient, day=today)
    assert (entry.back_pain, entry.leg_pain) == (3, 5)

    page.goto(f"{live_server.url}/diary/")
    keys.choose(page.get_by_role("group", name="Back pain").get_by_label("2", exact=True))
    keys.choose(page.get_by_role("group", name="Leg pain").get_by_label("4", exact=True))
    keys.press(page.get_by_role("button", name="Save today"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your pain")
    # The page saves through its offline queue (docs/offline.md): the entry arrives once sent.
    deadline = time.monotonic() + 15
    while (entry.back_pain, entry.leg_pain) != (2, 4) and time.monotonic() < deadline:
        time.sleep(0.1)
        entry.refresh_from_db()
    assert (entry.back_pain, entry.leg_pain) == (2, 4)
    keys.assert_focus_always_shown()


def test_dashboard_quick_log_saves_from_its_save_button(live_server, browser: Browser):
    patient = PatientFactory()
    page = _context(browser, 390)
    keys = Keys(page)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/dashboard/")
    keys.choose(page.get_by_role("group", name="Back pain today").get_by_label("6", exact=True))
    keys.choose(page.get_by_role("group", name="Leg pain today").get_by_label("2", exact=True))
    save = page.locator(".quick-log").get_by_role("button", name="Save")
    keys.to(save)
    box = save.bounding_box()
    assert box is not None
    assert box["width"] > 20  # shown once it has focus
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged for today.")).to_be_visible()
    entry = PainEntry.objects.get(patient=patient)
    assert (entry.back_pain, entry.leg_pain) == (6, 2)
    keys.assert_focus_always_shown()


def _saved(appointment: Any, **fields: Any) -> None:
    """Waits (up to 15 s) until the appointment's note holds these values."""
    deadline = time.monotonic() + 15
    while not SessionNote.objects.filter(appointment=appointment, **fields).exists():
        assert time.monotonic() < deadline, f"the note was not saved with {fields}"
        time.sleep(0.1)


def test_therapist_writes_and_signs_a_note(live_server, browser: Browser):
    patient = PatientFactory(first_name="Ines", last_name="Moreau")
    make_intake(patient)
    therapist = TherapistProfileFactory()
    intake_services.share_intake(patient=patient, therapist_email=therapist.user.email)
    appointment = past_appointment(therapist, patient)
    page = _context(browser)
    keys = Keys(page)
    sign_in(page, live_server, therapist.user)
    page.goto(f"{live_server.url}/notes/")
    keys.press(page.get_by_role("link", name="write"))
    objective = page.get_by_label("Objective findings")
    keys.type(objective, "Tender right piriformis.")
    keys.choose(page.get_by_label("Right buttock"))
    keys.to(page.get_by_label("Back pain before (0–10)"))
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Back pain before (0–10)")).to_have_value("5")
    # Leaving the slider saves it (autosave on change); the typing may have saved already, so
    # wait for what is stored rather than for one more request.
    keys.to(page.get_by_role("button", name="Sign…"))
    _saved(appointment, objective="Tender right piriformis.", back_pain_before=5)
    keys.press(page.get_by_role("button", name="Sign…"))
    keys.press(page.get_by_role("button", name="Sign and lock"))
    expect(page.get_by_text("The note is locked")).to_be_visible()
    note = SessionNote.objects.get(appointment=appointment)
    assert note.objective == "Tender right piriformis."
    assert note.signed_at is not None
    keys.assert_focus_always_shown()


def test_clinic_admin_refunds_a_card_payment(
    live_server, browser: Browser, settings, stripe_server
):
    settings.STAFF_MFA_REQUIRED = False  # the admin's session is made here, not by sign-in
    b = books(UK, price="50.00")  # 60.00 with VAT
    pay_by_card(stripe_server, b, "20.00")
    page = _context(browser)
    keys = Keys(page)
    sign_in(page, live_server, b.admin)
    page.goto(f"{live_server.url}/dashboard/")
    keys.press(page.get_by_role("link", name="Takings and payments"))
    keys.press(page.get_by_role("link", name=f"Refund {b.patient.display_name}'s £20.00"))
    keys.type(page.get_by_label("Amount (GBP)"), "5.00", replace=True)
    keys.type(page.get_by_label("Reason"), "Session cut short")
    keys.press(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Give back £5.00 to {b.patient.display_name}?"
    )
    keys.press(page.get_by_role("button", name="Refund"))
    expect(page.get_by_text(f"£5.00 given back to {b.patient.display_name}.")).to_be_visible()
    refund = Refund.objects.get()
    assert (refund.reason, refund.created_by) == ("Session cut short", b.admin)
    keys.assert_focus_always_shown()
