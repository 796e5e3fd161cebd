"""Walking the symptom check in the browser, screen by screen, as a person answers it: shared by
the browser tests that reach the check's screens and results."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from playwright.sync_api import Page

from sciaticare.intake.symptom_check import STEPS

NUMBERS = {"age": "38", "onset_weeks": "3"}


def answer_screen(
    page: Page,
    yes: Collection[str] = (),
    numbers: Mapping[str, str] = NUMBERS,
    words: tuple[str, str] = ("Yes", "No"),
) -> list[str]:
    """Answer every question of the screen the browser shows: "yes" to the codes in `yes`,
    "no" to the others, the numbers typed. Returns the codes it answered."""
    answered = []
    form = page.locator("form.check-step")
    for question in form.locator("fieldset.answer").all():
        code = question.locator("input[type=radio]").first.get_attribute("name") or ""
        question.get_by_label(words[0] if code in yes else words[1], exact=True).check()
        answered.append(code)
    for box in form.locator("input[type=text]").all():
        code = box.get_attribute("name") or ""
        box.fill(numbers[code])
        answered.append(code)
    return answered


def walk_check(
    page: Page,
    base: str,
    yes: Collection[str] = (),
    *,
    one_at_a_time: bool = False,
    numbers: Mapping[str, str] = NUMBERS,
    words: tuple[str, str] = ("Yes", "No"),
    next_label: str = "Next",
) -> list[list[str]]:
    """Answer the check screen by screen until its result; returns what each screen asked."""
    page.goto(base + "/check/" + ("?one=1" if one_at_a_time else ""))
    screens = []
    for _ in range(len(STEPS) + 1):
        if page.locator("section.triage").count():
            return screens
        screens.append(answer_screen(page, yes, numbers, words))
        with page.expect_navigation():
            page.get_by_role("button", name=next_label).click()
    raise AssertionError("the check never reached a result")
