"""The patient's home exercises in Chromium on a phone (390 px): the programme with its drawings,
a tick with "the pain spread further down my leg", the pause suggestion at once, pausing; the
dashboard's one tap by keyboard alone; entering a programme; each page passing axe and fitting
a 320 px screen. And with the network off: a tick waits on the device and reaches the server
once when back online (docs/offline.md)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sciaticare.exercises.library import LIBRARY
from sciaticare.exercises.models import Exercise, ExerciseLog, ExercisePlan, PausedExercise
from sciaticare.exercises.services.plans import ItemInput, write_plan
from tests.directory.factories import TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE_RUN, WIDE_ELEMENTS, inject_axe
from tests.e2e.test_keyboard_journeys import Keys
from tests.exercises.conftest import session
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
PROGRAMME = "/exercises/programme/"
#: Waits up to 10 s for the worker to keep the programme page.
PROGRAMME_KEPT = """async () => {
  for (let i = 0; i < 100; i++) {
    if (await caches.match('/exercises/programme/', {cacheName: 'sciaticare-own'})) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""
WORKER_READY = "async () => (await navigator.serviceWorker.ready).scope"
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


@pytest.fixture(autouse=True)
def _library() -> None:
    """The built-in rows migration 0002 writes: a browser test's flush (transaction=True)
    takes them away, so they are written again as the migration writes them."""
    for entry in LIBRARY:
        Exercise.objects.get_or_create(
            slug=entry.slug,
            clinic=None,
            patient=None,
            defaults={"name": entry.name, "timed": entry.timed},
        )


def built_in(slug: str) -> Exercise:
    return Exercise.objects.get(slug=slug, clinic__isnull=True, patient__isnull=True)


def _programme() -> tuple[Any, ExercisePlan]:
    """A patient whose therapist gave them walking and pelvic tilts every day (version 2 since
    yesterday; version 1 a week before)."""
    patient = PatientFactory(first_name="Odalys")
    therapist = TherapistProfileFactory()
    session(therapist, patient, days_ago=10)
    today = timezone.localdate()
    first = write_plan(
        therapist=therapist.user,
        patient=patient,
        items=[ItemInput(built_in("walking").pk, minutes=10)],
        start_date=today - timedelta(days=8),
        review_date=None,
    )
    write_plan(
        therapist=therapist.user,
        patient=patient,
        items=[
            ItemInput(built_in("walking").pk, minutes=15),
            ItemInput(built_in("pelvic-tilt").pk, repetitions=10, sets=2),
        ],
        start_date=today - timedelta(days=1),
        review_date=today + timedelta(weeks=4),
        plan_id=first.plan_id,
    )
    return patient, first.plan


def _axe_clean(page: Page) -> None:
    inject_axe(page)
    found = [f"{v['id']} ×{v['count']} at {v['targets']}" for v in page.evaluate(AXE_RUN)]
    assert found == [], page.url


#: What has the keyboard's focus, in words ("p: Done today.").
FOCUS = """() => {
  const e = document.activeElement;
  return e.tagName.toLowerCase() + ': ' + (e.textContent || '').trim().replace(/\\s+/g, ' ');
}"""


def _focus(page: Page) -> str:
    return str(page.evaluate(FOCUS))


def _focus_on(page: Page, words: str) -> None:
    """Waits for the focus to reach ``words`` (a swap settles a moment after the answer)."""
    with contextlib.suppress(PlaywrightTimeout):  # then the assertion says where it is
        page.wait_for_function(f"(words) => ({FOCUS})() === words", arg=words, timeout=5000)
    assert _focus(page) == words


def _fits(page: Page, width: int = 320) -> None:
    page.set_viewport_size({"width": width, "height": 700})
    assert page.evaluate(WIDE_ELEMENTS, width) == [], page.url
    page.set_viewport_size(PHONE)


def test_the_patient_sees_the_drawings_ticks_marks_spread_and_pauses(live_server, browser: Browser):
    patient, plan = _programme()
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe is injected
    page = context.new_page()
    sign_in(page, live_server, patient)

    page.goto(f"{live_server.url}{PROGRAMME}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your home exercises")
    walking = page.locator(f"#exercise-{plan.pk}-{built_in('walking').pk}")
    tilt = page.locator(f"#exercise-{plan.pk}-{built_in('pelvic-tilt').pk}")
    for row in (walking, tilt):
        drawing = row.locator("figure img")
        expect(drawing).to_be_visible()
        assert drawing.evaluate("img => img.complete && img.naturalWidth > 0")
        assert drawing.get_attribute("alt")
        expect(row.locator("ol.steps li").first).to_be_visible()
        expect(row.get_by_role("note", name="When to stop any exercise")).to_be_visible()
    expect(walking).to_contain_text("15 minutes, once a day; every day")
    expect(tilt).to_contain_text("10 repetitions, 2 sets, once a day; every day")
    expect(page.get_by_text("The version before (read only)")).to_be_visible()
    _axe_clean(page)
    _fits(page)

    walking.get_by_label("Same").check()
    walking.get_by_label("The pain spread further down my leg").check()
    walking.get_by_role("button", name="Done today").click()

    suggestion = walking.get_by_role("alert")
    expect(suggestion).to_contain_text("Pause this exercise and tell your therapist.")
    expect(suggestion).to_contain_text("You said the pain spread further down your leg after it.")
    expect(suggestion.get_by_role("link", name="Take the symptom check")).to_be_visible()
    log = ExerciseLog.objects.get(plan=plan)
    assert (log.done, log.leg_pain, log.spread_down_leg) == (True, "same", True)
    _axe_clean(page)

    walking.get_by_role("button", name="Pause Walking").click()

    expect(walking.get_by_text("Paused", exact=True)).to_be_visible()
    expect(walking.get_by_role("button", name="Take up Walking again")).to_be_visible()
    assert PausedExercise.objects.filter(plan=plan, exercise=built_in("walking")).exists()
    page.goto(f"{live_server.url}/dashboard/")
    today = page.get_by_role("region", name="Today's exercises")
    expect(today).to_contain_text("Paused")
    expect(today.get_by_role("button", name="Done: Pelvic tilt")).to_be_visible()
    context.close()


def test_one_tap_on_the_dashboard_by_keyboard_alone(live_server, browser: Browser):
    patient, plan = _programme()
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe is injected
    page = context.new_page()
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/dashboard/")
    keys = Keys(page)
    today = page.get_by_role("region", name="Today's exercises")

    keys.press(today.get_by_role("button", name="Done: Walking"))

    expect(today.get_by_text("Done today.")).to_have_count(1)
    assert ExerciseLog.objects.get(plan=plan).done is True
    # The swapped row keeps the focus: on what it now says, and Tab goes on from there.
    _focus_on(page, "p: Done today.")
    keys.stops += 1
    page.keyboard.press("Tab")
    assert _focus(page) == "summary: How was your leg pain after? (optional)"
    # Afterwards the marks are optional, and open by the keyboard too.
    keys.choose(today.get_by_label("Better"))
    keys.press(today.get_by_role("button", name="Save"))
    expect(today.get_by_role("button", name="Done: Pelvic tilt")).to_be_visible()
    _focus_on(page, "p: Done today.")  # the row is back: saved
    assert ExerciseLog.objects.get(plan=plan, exercise=built_in("walking")).leg_pain == "better"
    _axe_clean(page)
    _fits(page)

    # The programme page: pause and take up again by keyboard, the week's figure with them.
    page.goto(f"{live_server.url}{PROGRAMME}")
    tilt = page.locator(f"#exercise-{plan.pk}-{built_in('pelvic-tilt').pk}")
    week = page.locator(f"#week-{plan.pk}")
    before = week.inner_text()
    keys.press(tilt.get_by_role("button", name="Pause Pelvic tilt"))
    expect(tilt.get_by_role("button", name="Take up Pelvic tilt again")).to_be_visible()
    expect(week).not_to_have_text(before)
    _focus_on(page, "p: Paused. Your therapist sees that you paused it.")
    keys.stops += 1
    page.keyboard.press("Tab")
    assert _focus(page) == "button: Take up Pelvic tilt again"
    page.keyboard.press("Enter")
    expect(tilt.get_by_role("button", name="Done today")).to_be_visible()
    expect(week).to_have_text(before)  # as a reload would show it
    _focus_on(page, "h3: Pelvic tilt")
    keys.press(tilt.get_by_role("button", name="Done today"))
    expect(tilt.get_by_text("Done today.")).to_be_visible()
    _focus_on(page, "p: Done today.")
    shown = week.inner_text()
    assert shown != before  # one more done
    page.reload()
    expect(week).to_have_text(shown)
    keys.assert_focus_always_shown()
    context.close()


def test_the_patient_enters_a_programme_on_the_phone(live_server, browser: Browser):
    patient = PatientFactory()
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe is injected
    page = context.new_page()
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}{PROGRAMME}")
    page.get_by_role("link", name="Enter a programme you were given").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a programme you were given")
    _axe_clean(page)
    _fits(page)
    # At 320 px each date field has room for its whole value and the calendar button, and
    # the two are in line (one under the other).
    page.set_viewport_size({"width": 320, "height": 700})
    start, review = (page.locator(f"#id_{n}_date").bounding_box() for n in ("start", "review"))
    assert start is not None
    assert review is not None
    assert min(start["width"], review["width"]) >= 150
    assert start["x"] == review["x"] or start["y"] == review["y"]
    page.set_viewport_size(PHONE)

    page.get_by_label("Who gave you this programme? (optional)").fill("My physio")
    page.get_by_role("button", name="Save the programme").click()  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text("give from 1 to 12 exercises")
    _axe_clean(page)
    first = page.get_by_role("group", name="Exercise 1")
    first.get_by_label("Exercise", exact=True).select_option(label="Cat–camel")
    first.get_by_label("Repetitions").fill("8")
    for day in ("Tuesday", "Thursday", "Saturday", "Sunday"):
        first.get_by_label(day).uncheck()
    page.get_by_role("button", name="Save the programme").click()

    expect(page.get_by_text("Your programme is saved.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Programme you entered — given by: My physio")
    ).to_be_visible()
    expect(page.get_by_text("8 repetitions, once a day; Mon, Wed, Fri")).to_be_visible()
    assert ExercisePlan.objects.get(patient=patient).versions.get().items.get().days == 0b10101
    context.close()


def test_a_tick_made_offline_reaches_the_server_once_back_online(live_server, browser: Browser):
    patient, plan = _programme()
    walk = built_in("walking")
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    page = context.new_page()
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/dashboard/")
    page.evaluate(WORKER_READY)
    page.wait_for_function(CONTROLLED)
    # Signing in is enough: the worker keeps the patient's programme page for later.
    assert page.evaluate(PROGRAMME_KEPT) is True

    context.set_offline(True)
    page.goto(f"{live_server.url}{PROGRAMME}")
    expect(page.locator("[data-exercise-ticks][data-kept]")).to_have_count(1)  # the kept copy
    row = page.locator(f"#exercise-{plan.pk}-{walk.pk}")
    row.get_by_label("Better").check()
    row.get_by_role("button", name="Done today").click()
    waiting = row.locator("[data-tick-waiting]")
    expect(waiting).to_have_text("Saved on this device: it will be sent when you are back online.")
    expect(page.locator("[data-tick-status]")).to_contain_text("You are offline.")
    row.get_by_role("button", name="Done today").click()  # a second tap: still one tick waiting
    page.reload()
    expect(page.locator(f"#exercise-{plan.pk}-{walk.pk} [data-tick-waiting]")).to_be_visible()
    assert (
        page.evaluate(
            """() => new Promise((resolve) => {
          const opening = indexedDB.open('sciaticare-exercises', 1);
          opening.onsuccess = () => {
            const all = opening.result.transaction('ticks').objectStore('ticks').getAll();
            all.onsuccess = () => resolve(all.result.length);
          };
        })"""
        )
        == 1
    )
    assert not ExerciseLog.objects.exists()

    context.set_offline(False)

    expect(page.locator("[data-tick-status]")).to_have_text(
        "Sent: the exercises you ticked offline are saved."
    )
    log = ExerciseLog.objects.get()
    assert (log.plan_id, log.exercise_id, log.done, log.leg_pain) == (
        plan.pk,
        walk.pk,
        True,
        "better",
    )
    assert log.date == timezone.localdate()
    expect(page.locator(f"#exercise-{plan.pk}-{walk.pk}")).to_contain_text("Done today.")
    # Online again, the page sends nothing twice.
    page.reload()
    expect(page.locator(f"#exercise-{plan.pk}-{walk.pk}")).to_contain_text("Done today.")
    assert ExerciseLog.objects.count() == 1
    context.close()
