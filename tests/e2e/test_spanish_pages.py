"""The symptom check, the intake and the booking pages in Spanish, in a real browser whose
language is Spanish: axe finds no violation, the page says it is Spanish, and the longer Spanish
words still fit a 320 px phone without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.check_pages import walk_check
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE_RUN, PHONE_WIDTH, WIDE_ELEMENTS, inject_axe
from tests.scheduling.helpers import bookable_patient, working_therapist

pytestmark = pytest.mark.django_db(transaction=True)


def _problems(page: Page, width: int) -> list[str]:
    inject_axe(page)
    problems = [
        f"{page.url}: {v['id']} ×{v['count']} at {v['targets']}" for v in page.evaluate(AXE_RUN)
    ]
    if page.evaluate("document.documentElement.scrollWidth") > width:
        problems.append(f"{page.url}: wider than {width}: {page.evaluate(WIDE_ELEMENTS, width)}")
    assert page.evaluate("document.documentElement.lang") == "es"
    return problems


def _walk_check_in_spanish(page: Page, base: str, *, emergency: bool) -> None:
    walk_check(
        page,
        base,
        {"bladder_change"} if emergency else {"pregnant"},
        words=("Sí", "No"),
        next_label="Siguiente",
    )


@pytest.mark.parametrize("emergency", [False, True], ids=["ok", "emergency"])
@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_the_spanish_symptom_check_and_its_result_pass_axe_and_fit(
    live_server, browser: Browser, emergency, width
):
    context = browser.new_context(
        bypass_csp=True, locale="es-ES", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.goto(live_server.url + "/check/")
    problems = _problems(page, width)  # a question screen
    _walk_check_in_spanish(page, live_server.url, emergency=emergency)
    expect(page.locator("h1")).to_have_text("Su comprobación de síntomas")
    if emergency:
        alert = page.locator("#emergency")
        expect(alert).to_contain_text("Vaya ahora mismo a urgencias de un hospital")
        expect(alert).to_be_in_viewport()
    else:
        expect(page.locator(".triage")).to_contain_text("El masaje es una opción razonable")
        expect(page.locator(".triage")).to_contain_text("Consulte a su matrona o a su médico")
    problems += _problems(page, width)
    context.close()
    assert problems == []


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_a_spanish_patients_intake_and_booking_pages_pass_axe_and_fit(
    live_server, browser: Browser, width
):
    therapist, _session, _location = working_therapist(first_name="Ada", last_name="Byrne")
    patient = bookable_patient(language="es")
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, patient)
    problems: list[str] = []
    for path in (
        "/intake/",
        "/intake/new/",
        f"/book/{therapist.pk}/",
        "/appointments/",
        "/waitlist/join/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_selector("h1")
        problems += _problems(page, width)
    context.close()
    assert problems == []
