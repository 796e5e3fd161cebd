"""The symptom check in a real browser, on a phone: four screens of questions (or one question at
a time), walked for the hidden cases that must still reach an emergency department or a doctor
today, and an ok case; the emergency advice the page shows the moment a "yes" is chosen (its
script, under the site's own Content-Security-Policy); and, in both modes at 320 and 390 px,
axe, no sideways scroll, and every answer a finger can hit (24 × 24 px, as
tests/e2e/test_touch_targets.py asks of the body map)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from sciaticare.intake.symptom_check import SCREENS, STEPS
from tests.e2e.check_pages import answer_screen, walk_check
from tests.e2e.test_every_page import AXE_RUN, WIDE_ELEMENTS, inject_axe

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
MINIMUM_PX = 24


def _level(page: Page) -> str:
    classes = (page.locator("section.triage").get_attribute("class") or "").split()
    return next(c.removeprefix("triage-") for c in classes if c.startswith("triage-"))


# The hidden cases (docs/clinical.md): each answer set, the screens it takes, and its level.
CASES = [
    ("saddle numbness", {"saddle_numbness"}, 1, "emergency"),
    ("bladder change", {"bladder_change"}, 1, "emergency"),
    ("swollen calf with chest symptoms", {"calf_swelling", "chest_symptoms"}, 1, "emergency"),
    ("cancer history with foot drop", {"foot_drop", "cancer_history"}, 3, "emergency"),
    ("fever with a weakened immune system", {"fever", "infection_risk"}, 4, "urgent"),
    ("swollen calf", {"calf_swelling"}, 4, "urgent"),
    ("cancer history with weight loss", {"cancer_history", "weight_loss"}, 4, "urgent"),
    ("nothing to report", set(), 4, "ok"),
]


@pytest.mark.parametrize(("name", "yes", "screens", "level"), CASES, ids=[c[0] for c in CASES])
def test_the_hidden_cases_reach_their_level_through_the_grouped_screens(
    live_server, browser: Browser, name, yes, screens, level
):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()

    asked = walk_check(page, live_server.url, yes)

    assert _level(page) == level, name
    assert [len(screen) for screen in asked] == [len(s.steps) for s in SCREENS][:screens]
    if level == "emergency":
        alert = page.locator("#emergency")
        expect(alert).to_be_in_viewport()
        expect(alert).to_contain_text("Go to an emergency department now")
    context.close()


def test_one_question_at_a_time_reaches_the_same_levels(live_server, browser: Browser):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()

    asked = walk_check(page, live_server.url, {"foot_drop", "cancer_history"}, one_at_a_time=True)
    assert _level(page) == "emergency"
    assert len(asked) == STEPS.index("cancer_history") + 1  # ends on the cancer question
    walk_check(page, live_server.url, {"pregnant"}, one_at_a_time=True)
    assert _level(page) == "ok"
    expect(page.locator(".triage")).to_contain_text("midwife")
    context.close()


def test_the_emergency_advice_shows_as_soon_as_yes_is_chosen(live_server, browser: Browser):
    """The site's own CSP, not bypassed: the page's script is allowed to run, and does."""
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/check/")
    advice = page.locator('[data-emergency-for="both_legs"]')
    question = page.locator('fieldset[data-emergency-question="both_legs"]')
    expect(advice).to_be_hidden()

    question.get_by_label("Yes", exact=True).tap()

    expect(advice).to_be_visible()
    expect(advice).to_contain_text("Go to an emergency department now")
    expect(advice).to_contain_text("999")
    assert page.url.endswith("/check/")  # nothing was sent
    question.get_by_label("No", exact=True).tap()
    expect(advice).to_be_hidden()
    assert page.locator(".emergency-inline:visible").count() == 0
    assert refused == []
    context.close()


# --- Both modes: axe, no sideways scroll, touch targets -----------------------------------

TARGETS = """() => Array.from(document.querySelectorAll(
    'form.check-step label.choice, form.check-step button, form.check-step input[type=text], .check-mode a'))
  .map(e => {
    e.scrollIntoView({block: 'center'});
    const r = e.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {what: e.tagName.toLowerCase() + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
            width: r.width, height: r.height, reached: !!hit && (hit === e || e.contains(hit))};
  })"""


def _problems_here(page: Page, width: int) -> list[str]:
    """axe's violations, sideways scroll, and answers too small or covered for a finger."""
    where = " ".join([page.url, *page.locator(".progress").all_text_contents()])
    inject_axe(page)
    problems = [
        f"{where}: {v['id']} ×{v['count']} at {v['targets']}" for v in page.evaluate(AXE_RUN)
    ]
    if page.evaluate("document.documentElement.scrollWidth") > width:
        problems.append(f"{where}: wider than {width}: {page.evaluate(WIDE_ELEMENTS, width)}")
    for target in page.evaluate(TARGETS):
        if target["width"] < MINIMUM_PX or target["height"] < MINIMUM_PX:
            problems.append(
                f"{where}: {target['what']} {target['width']:.0f}×{target['height']:.0f}"
            )
        if not target["reached"]:
            problems.append(f"{where}: {target['what']} is covered at its centre")
    return problems


@pytest.mark.parametrize("width", [320, 390])
def test_every_grouped_screen_passes_axe_fits_and_has_finger_sized_answers(
    live_server, browser: Browser, width
):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/check/")
    problems = []
    # A screen sent with answers missing: its list of what to answer, and each marked.
    with page.expect_navigation():
        page.get_by_role("button", name="Next").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems += _problems_here(page, width)
    # The emergency advice shown by the script (axe reads it too).
    page.locator('fieldset[data-emergency-question="saddle_numbness"]').get_by_label(
        "Yes", exact=True
    ).check()
    expect(page.locator('[data-emergency-for="saddle_numbness"]')).to_be_visible()
    problems += _problems_here(page, width)
    for _ in SCREENS:
        answer_screen(page)
        problems += _problems_here(page, width)
        with page.expect_navigation():
            page.get_by_role("button", name="Next").click()
    expect(page.locator("section.triage")).to_be_visible()
    problems += _problems_here(page, width)
    context.close()
    assert problems == []


@pytest.mark.parametrize("width", [320, 390])
def test_one_question_at_a_time_passes_axe_fits_and_has_finger_sized_answers(
    live_server, browser: Browser, width
):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/check/")
    with page.expect_navigation():
        page.get_by_role("link", name="One question at a time").click()
    problems = []
    for index, step in enumerate(STEPS):
        # Each kind of screen once: the first, an answer missing, a middle one, the numbers.
        if index == 0 or step in ("calf_swelling", "age", "onset_weeks"):
            problems += _problems_here(page, width)
        if step == "calf_swelling":
            with page.expect_navigation():
                page.get_by_role("button", name="Next").click()
            expect(page.locator(".field-error")).to_be_visible()
            problems += _problems_here(page, width)
        answer_screen(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Next").click()
    expect(page.locator("section.triage")).to_be_visible()
    context.close()
    assert problems == []
