"""A person signs up, verifies their email, and signs in, in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_verify_email_and_sign_in(live_server, page: Page, screenshots_dir):
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("sciatica")
    page.screenshot(path=str(screenshots_dir / "home.png"), full_page=True)

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill("ines@example.org")
    page.get_by_label("First name").fill("Inês")
    page.get_by_label("Password:", exact=True).fill("walk-daily-and-stretch")
    page.get_by_label("Password (again)").fill("walk-daily-and-stretch")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(live_server.url + "/accounts/" + link.group().split("/accounts/", 1)[1])
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Email").fill("ines@example.org")
    page.get_by_label("Password").fill("walk-daily-and-stretch")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Inês")


def test_home_page_fits_a_phone_without_sideways_scrolling(live_server, phone: Page):
    phone.goto(live_server.url)

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    expect(phone.get_by_role("navigation", name="Main")).to_be_visible()
