"""The person's own day in a browser whose clock is in New York: sign-up sends the browser's
zone, the diary logs New York's day at 20:00 there (01:00 UTC the next day), and the account
page changes the zone. The server's clock is frozen."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from sciaticare.accounts.models import User
from sciaticare.outcomes.models import PainEntry
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

# 20:00 EST on 14 January 2026 in New York; 01:00 UTC on the 15th.
EVENING_IN_NEW_YORK = datetime(2026, 1, 15, 1, 0, tzinfo=UTC)


@pytest.fixture
def new_york(browser, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: EVENING_IN_NEW_YORK)
    context = browser.new_context(
        timezone_id="America/New_York", viewport={"width": 360, "height": 740}
    )
    yield context.new_page()
    context.close()


def test_sign_up_sends_the_browsers_zone(live_server, new_york: Page):
    page = new_york
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Password:", exact=True).fill("walk-daily-and-stretch")
    page.get_by_label("Password (again)").fill("walk-daily-and-stretch")
    expect(page.locator("input[name=time_zone]")).to_have_value("America/New_York")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    assert User.objects.get(email="dana@example.org").time_zone == "America/New_York"
    assert re.search(r"/accounts/confirm-email/", mail.outbox[-1].body)


def test_the_diary_logs_the_new_york_day_and_the_account_page_changes_the_zone(
    live_server, new_york: Page
):
    page = new_york
    patient = PatientFactory(first_name="Dana", time_zone="America/New_York")
    sign_in(page, live_server, patient)

    page.goto(f"{live_server.url}/diary/")
    page.get_by_role("group", name=re.compile("Back pain")).get_by_text("4", exact=True).click()
    page.get_by_role("group", name=re.compile("Leg pain")).get_by_text("6", exact=True).click()
    page.get_by_role("button", name="Save today").click()
    expect(page.get_by_text("Logged for today.")).to_be_visible()
    assert list(PainEntry.objects.filter(patient=patient).values_list("day", flat=True)) == [
        date(2026, 1, 14)
    ]

    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_text("Wednesday 14 January 2026, 20:00 (America/New_York)")).to_be_visible()
    page.get_by_label("Your time zone").select_option("Europe/London")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.get_by_text("Your time zone is now Europe/London.")).to_be_visible()
    expect(page.get_by_text("Thursday 15 January 2026, 01:00 (Europe/London)")).to_be_visible()
    patient.refresh_from_db()
    assert patient.time_zone == "Europe/London"
    # The entry stays on the day it was logged.
    assert list(PainEntry.objects.filter(patient=patient).values_list("day", flat=True)) == [
        date(2026, 1, 14)
    ]
