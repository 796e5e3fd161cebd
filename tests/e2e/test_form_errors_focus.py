"""A refused form puts the keyboard on what needs correcting (found by an outside test: focus
stayed at the top of the page on sign-in, sign-up and the intake)."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_sign_in_focuses_its_message(live_server, page: Page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_label("Password").press("Enter")

    focused = page.locator(":focus")
    expect(focused).to_contain_text("not correct")


def test_a_refused_sign_up_focuses_the_first_field_to_correct(live_server, page: Page):
    page.goto(f"{live_server.url}/accounts/signup/")
    for name, value in {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana@example.com",
    }.items():
        page.locator(f"input[name={name}]").fill(value)
    for name in ("password1", "password2"):
        page.locator(f"input[name={name}]").fill("short")
    page.locator("input[name=password2]").press("Enter")

    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-invalid", "true")
    expect(focused).to_have_attribute("name", "password1")


def test_a_refused_intake_focuses_the_first_field_to_correct(live_server, page: Page):
    sign_in(page, live_server, PatientFactory())
    page.goto(f"{live_server.url}/intake/new/")
    page.get_by_label("Your age").fill("500")
    page.get_by_label("Your age").press("Enter")

    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-invalid", "true")
