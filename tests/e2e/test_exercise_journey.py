"""Issue 17's journey in Chromium, from the note to the flag: the therapist (desktop) opens a past
session's note, saves the draft and opens the home exercise programme, prescribes three exercises with their doses
and saves version 1; the patient, on a 390 px phone, sees the programme with its drawings and
ticks every planned exercise each evening for a week, marking on the last evening that the
nerve slider sent the pain further down the leg; the page suggests pausing it; the next morning
the therapist finds the flag on the client's brief and on their dashboard.

The server's clock is moved a day at a time (`timezone.now`, as tests/e2e/test_time_zone_journey
freezes it): the live server answers on threads of this process, so it reads the same clock,
and each tick is saved on the day the page itself says is today, with no day field. A session
lasts 12 hours of that clock, so each evening the patient signs in afresh. Every page passes axe
and nothing on the patient's pages scrolls sideways at 390 px.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from sciaticare.exercises.library import LIBRARY
from sciaticare.exercises.models import Exercise, ExerciseLog, PlanVersion
from tests.directory.factories import TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE_RUN, WIDE_ELEMENTS, inject_axe
from tests.factories import AppointmentFactory, PatientFactory
from tests.intake.factories import make_intake
from tests.records.conftest import past_appointment

pytestmark = pytest.mark.django_db(transaction=True)

#: Monday 2 March 2026, 09:00 in London (GMT, three weeks before the clocks change).
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PROGRAMME = "/exercises/programme/"
#: What the therapist prescribes, and on which weekdays (0 = Monday) each is planned.
WALKING, SLIDER, KNEES = "Walking", "Sciatic nerve slider", "Knee-to-chest stretch"
PLANNED = {WALKING: range(7), SLIDER: range(7), KNEES: (0, 2, 4)}


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now
        monkeypatch.setattr(timezone, "now", lambda: self.now)


@pytest.fixture(autouse=True)
def _library() -> None:
    """The built-in rows migration 0002 writes, which a transactional test's flush removes."""
    for entry in LIBRARY:
        Exercise.objects.get_or_create(
            slug=entry.slug,
            clinic=None,
            patient=None,
            defaults={"name": entry.name, "timed": entry.timed},
        )


def _axe_clean(page: Page) -> None:
    inject_axe(page)
    found = [f"{v['id']} ×{v['count']} at {v['targets']}" for v in page.evaluate(AXE_RUN)]
    assert found == [], page.url


def _fits_the_phone(page: Page) -> None:
    width = PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    assert page.evaluate(WIDE_ELEMENTS, width) == [], page.url


def _card(page: Page, name: str) -> Locator:
    return page.locator("fieldset.exercise-choice").filter(has=page.get_by_label(name, exact=True))


def _row(page: Page, name: str) -> Locator:
    return page.locator("li.programme-exercise").filter(
        has=page.get_by_role("heading", level=3, name=name, exact=True)
    )


def _prescribe(page: Page, live_server: Any, appointment_id: int) -> None:
    """From the session note: three exercises, their doses and days; saved as version 1."""
    page.goto(f"{live_server.url}/notes/{appointment_id}/")
    _axe_clean(page)
    page.get_by_role("button", name="Save the draft and open the home exercise programme").click()
    expect(
        page.get_by_role("heading", name="Home exercise programme · Rosa Quintero")
    ).to_be_visible()
    _axe_clean(page)

    page.get_by_label(WALKING, exact=True).check()
    _card(page, WALKING).get_by_label("Minutes").fill("15")
    page.get_by_label(SLIDER, exact=True).check()
    slider = _card(page, SLIDER)
    slider.get_by_label("Repetitions").fill("10")
    slider.get_by_label("Sets").fill("2")
    page.get_by_label(KNEES, exact=True).check()
    knees = _card(page, KNEES)
    knees.get_by_label("Repetitions").fill("8")
    knees.get_by_label("Sets").fill("2")
    for day in ("Tuesday", "Thursday", "Saturday", "Sunday"):
        knees.get_by_label(day).uncheck()
    page.get_by_role("button", name="Save as version 1").click()

    expect(page.get_by_text("Saved: version 1 of the programme")).to_be_visible()
    version = page.locator("#version-1")
    expect(version).to_contain_text("Walking: 15 minutes, once a day; every day")
    expect(version).to_contain_text("Sciatic nerve slider: 10 repetitions, 2 sets")
    expect(version).to_contain_text(
        "Knee-to-chest stretch: 8 repetitions, 2 sets, twice a day; Monday, Wednesday, Friday"
    )
    _axe_clean(page)


def _sees_the_programme(page: Page) -> None:
    """The three exercises, each with its drawing, steps and the stop rule."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Your home exercises")
    for name in PLANNED:
        row = _row(page, name)
        drawing = row.locator("figure img")
        expect(drawing).to_be_visible()
        assert drawing.evaluate("img => img.complete && img.naturalWidth > 0"), name
        assert drawing.get_attribute("alt")
        expect(row.locator("ol.steps li").first).to_be_visible()
        expect(row.get_by_role("note", name="When to stop any exercise")).to_be_visible()
    expect(_row(page, WALKING)).to_contain_text("15 minutes, once a day; every day")
    expect(_row(page, KNEES)).to_contain_text("8 repetitions, 2 sets, twice a day; Mon, Wed, Fri")


def _tick(row: Locator, *, leg_pain: str | None = None, spread: bool = False) -> None:
    if leg_pain:
        row.get_by_label(leg_pain).check()
    if spread:
        row.get_by_label("The pain spread further down my leg").check()
    row.get_by_role("button", name="Done today").click()
    expect(row.get_by_text("Done today.", exact=True)).to_be_visible()


def test_prescribed_from_a_note_logged_for_a_week_on_a_phone_flagged_on_the_brief(
    live_server, browser: Browser, monkeypatch: pytest.MonkeyPatch
):
    clock = Clock(monkeypatch, MONDAY)
    patient = PatientFactory(first_name="Rosa", last_name="Quintero")
    make_intake(patient)
    therapist = TherapistProfileFactory()
    appointment = past_appointment(therapist, patient, hours_ago=1)
    # Her next session, a week on: the dashboard says when the flag will be talked over.
    AppointmentFactory(
        patient=patient, therapist=therapist, start=MONDAY + timedelta(days=7, hours=2)
    )

    desk = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is injected
    therapist_page = desk.new_page()
    sign_in(therapist_page, live_server, therapist.user)
    _prescribe(therapist_page, live_server, appointment.pk)
    version = PlanVersion.objects.get()
    assert (version.number, version.appointment_id) == (1, appointment.pk)
    assert version.start_date == MONDAY.date()

    phone = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = phone.new_page()
    for day in range(7):
        clock.now = MONDAY + timedelta(days=day, hours=10)  # 19:00 in London
        sign_in(page, live_server, patient)  # yesterday's session has ended
        page.goto(f"{live_server.url}{PROGRAMME}")
        if day == 0:
            _sees_the_programme(page)
            _axe_clean(page)
        _fits_the_phone(page)
        for name, weekdays in PLANNED.items():
            row = _row(page, name)
            if day not in weekdays:
                expect(row).to_contain_text("not planned today")
                continue
            if day == 6 and name == SLIDER:  # Sunday: the slider sent the pain down her leg
                _tick(row, leg_pain="Worse", spread=True)
            else:
                _tick(row, leg_pain="Better" if day % 2 else None)

    slider = _row(page, SLIDER)
    suggestion = slider.get_by_role("alert")
    expect(suggestion).to_contain_text("Pause this exercise and tell your therapist.")
    expect(suggestion).to_contain_text("You said the pain spread further down your leg after it.")
    expect(suggestion.get_by_role("button", name="Pause Sciatic nerve slider")).to_be_visible()
    _axe_clean(page)
    _fits_the_phone(page)
    # Still suggested when she opens the page again (she leaves it for her therapist to see).
    page.reload()
    expect(_row(page, SLIDER).locator(".pause-suggestion")).to_contain_text(
        "Pause this exercise and tell your therapist."
    )
    expect(_row(page, WALKING).locator(".pause-suggestion")).to_have_count(0)
    expect(page.get_by_text("This week: 17 of 17 planned done (100 %).")).to_be_visible()
    _axe_clean(page)
    _fits_the_phone(page)
    phone.close()

    logs = list(ExerciseLog.objects.select_related("exercise").order_by("date", "exercise__slug"))
    assert len(logs) == 7 + 7 + 3
    assert all(log.done for log in logs)
    assert {log.date for log in logs} == {MONDAY.date() + timedelta(days=n) for n in range(7)}
    (spread,) = [log for log in logs if log.spread_down_leg]
    assert (spread.exercise.name, spread.date, spread.leg_pain) == (
        SLIDER,
        MONDAY.date() + timedelta(days=6),
        "worse",
    )

    # Monday morning: the therapist, before the session.
    clock.now = MONDAY + timedelta(days=7)
    sign_in(therapist_page, live_server, therapist.user)
    therapist_page.goto(f"{live_server.url}/dashboard/")
    flagged = therapist_page.get_by_role("region", name="Exercises flagged before the next session")
    expect(flagged).to_contain_text("Rosa Quintero")
    expect(flagged).to_contain_text("Sciatic nerve slider: leg pain spread further down the leg")
    expect(flagged).not_to_contain_text("Walking")
    expect(flagged).to_contain_text("next session")
    _axe_clean(therapist_page)

    flagged.get_by_role("link", name="Rosa Quintero", exact=True).click()
    flags = therapist_page.get_by_role("note", name="Flagged: look at this before the session")
    expect(flags).to_contain_text(
        "Sciatic nerve slider: leg pain spread further down the leg (marked on 8 Mar 2026)"
    )
    expect(flags).to_contain_text("Not paused by the client.")
    expect(flags).not_to_contain_text("Walking")
    _axe_clean(therapist_page)
    desk.close()
