"""Issue 18's two pages in Chromium, with the keyboard alone on a 390 px phone.

A therapist connects their own calendar (Radicale on loopback, tests/caldav_server.py) from the
dashboard and sees it read; an event they then add there hides its slot once "Read now" has
read it. A clinic admin adds a webhook to a local HTTPS receiver (tests/webhook_receiver.py),
is shown its secret once, sends a test event that the log then shows, and is asked before a new
secret is made. axe finds nothing on any page, and nothing scrolls sideways at 320 px.

The calendar journey freezes the server's clock (`timezone.now`, as
tests/e2e/test_exercise_journey does): the live server answers on threads of this process.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sciaticare.integrations import signing
from sciaticare.integrations.models import BusyInterval, CalendarConnection
from sciaticare.integrations.models.webhooks import PING, WebhookEndpoint
from sciaticare.scheduling.models import WorkingHours
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.e2e.test_import_journey import checked_page
from tests.factories import ClinicAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
#: Monday 2 March 2026, 08:00 in London (GMT).
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}


def _phone(browser: Browser) -> tuple[Any, Page]:
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    return context, context.new_page()


def _tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element is the one named `name` (its label's words, however
    they wrap; at most 60 presses)."""
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const e = document.activeElement;
              const label = e.labels && e.labels[0] ? e.labels[0].innerText : '';
              return (e.getAttribute('aria-label') || label || e.innerText || e.value || '')
                .replace(/\\s+/g, ' ').trim();
            }"""
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def _type_into(page: Page, name: str, text: str) -> None:
    _tab_to(page, name)
    page.keyboard.type(text)


def _thursday(hour: int) -> datetime:
    """`hour`:00 in London on Thursday 5 March 2026, three days after MONDAY."""
    return datetime.combine(MONDAY.date() + timedelta(days=3), time(hour), tzinfo=LONDON)


def _offered(page: Page, base: str, therapist_id: int) -> list[str]:
    """The starts the public slots API offers on that Thursday."""
    answer = page.request.get(
        f"{base}/api/v1/therapists/{therapist_id}/slots",
        params={"start": _thursday(0).isoformat(), "end": _thursday(23).isoformat()},
    )
    assert answer.status == 200
    return [slot["start"] for slot in answer.json()]


def test_a_therapist_connects_their_own_calendar_with_the_keyboard(
    live_server, browser, own_calendar, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    location = LocationFactory(time_zone="Europe/London", name="Didsbury")
    therapist = TherapistProfileFactory(location=location)
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    context, page = _phone(browser)
    sign_in(page, live_server, therapist.user)

    page.goto(f"{live_server.url}/dashboard/")
    _tab_to(page, "Connect your own calendar (busy times, sessions written in)")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your own calendar", level=1)).to_be_visible()
    checked_page(page)

    _type_into(page, "Calendar server address:", own_calendar.server.url)
    _type_into(page, "User name:", own_calendar.username)
    _type_into(page, "App password:", own_calendar.password)
    _tab_to(page, "Test and connect")
    page.keyboard.press("Enter")

    # Connected, and read at once: the calendar's name and the time of the read.
    expect(page.get_by_text("Connected to the calendar “Work”.")).to_be_visible()
    status = page.get_by_role("region", name="Connected")
    expect(status).to_contain_text(f"Calendar “Work” (account {own_calendar.username}).")
    expect(status).to_contain_text("Last read successfully at 08:00 (local time).")
    expect(status).to_contain_text("No busy times in the coming weeks.")
    checked_page(page)
    connection = CalendarConnection.objects.get(therapist=therapist)
    assert connection.read_at == MONDAY
    assert _thursday(11).isoformat() in _offered(page, live_server.url, therapist.pk)

    # A dentist's appointment added on the therapist's phone: a read younger than a minute is
    # not repeated before a slot list, so the slot shows until "Read now" reads it.
    own_calendar.add_event(_thursday(11), _thursday(12), uid="dentist")
    assert _thursday(11).isoformat() in _offered(page, live_server.url, therapist.pk)
    _tab_to(page, "Read now")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Busy times read from your calendar.")).to_be_visible()
    expect(page.get_by_role("region", name="Connected")).to_contain_text(
        "1 busy time between 5 Mar and 5 Mar."
    )
    checked_page(page)

    offered = _offered(page, live_server.url, therapist.pk)
    assert _thursday(11).isoformat() not in offered
    assert _thursday(10).isoformat() not in offered  # its hour would run into the dentist
    assert _thursday(13).isoformat() in offered
    assert list(BusyInterval.objects.values_list("start", "end")) == [
        (_thursday(11).astimezone(UTC), _thursday(12).astimezone(UTC))
    ]
    context.close()


def test_a_clinic_admin_adds_a_webhook_with_the_keyboard(live_server, browser, webhook_receiver):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin], name="Didsbury Back Care")
    LocationFactory(clinic=clinic, name="Didsbury", time_zone="Europe/London")
    context, page = _phone(browser)
    sign_in(page, live_server, admin)

    page.goto(f"{live_server.url}/dashboard/")
    _tab_to(page, "Webhooks to your own systems")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="Webhooks of Didsbury Back Care", level=1)
    ).to_be_visible()
    expect(page.get_by_text("No address yet: add one below.")).to_be_visible()
    checked_page(page)

    _type_into(page, "Address (https://…):", webhook_receiver.url)
    _tab_to(page, "A session is booked (appointment.booked)")
    page.keyboard.press("Space")
    expect(page.get_by_label("A session is booked (appointment.booked)")).to_be_checked()
    _tab_to(page, "Add the address")
    page.keyboard.press("Enter")

    # The secret, shown this once.
    expect(page.get_by_role("heading", name="The signing secret", level=1)).to_be_visible()
    secret = page.get_by_label("Secret", exact=True).input_value()
    assert len(secret) >= 32
    checked_page(page)
    endpoint = WebhookEndpoint.objects.get(clinic=clinic)
    assert endpoint.url == webhook_receiver.url
    assert endpoint.events == ["appointment.booked"]
    _tab_to(page, "I have copied it")
    page.keyboard.press("Enter")

    title = f"Webhook to {webhook_receiver.url}"
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text("Nothing sent yet.")).to_be_visible()
    assert secret not in page.content()
    checked_page(page)

    # The test event goes out at once (tasks run on enqueue here), signed with that secret.
    _tab_to(page, "Send a test event")
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("A test event is on its way: its result appears in the log below.")
    ).to_be_visible()
    log = page.get_by_role("region", name="Delivery log")
    entry = log.get_by_role("article")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("heading")).to_have_text(f"{PING} · Delivered")
    expect(entry).to_contain_text("HTTP 200")
    (received,) = webhook_receiver.requests
    header = received.headers["sciaticare-signature"]
    assert signing.verify(secret, header, received.body, int(header.split(",")[0][2:]))
    assert json.loads(received.body)["type"] == PING
    checked_page(page)

    # A new secret is made only once the admin has confirmed it.
    sealed = WebhookEndpoint.objects.get().sealed_secret
    _tab_to(page, "Make a new secret…")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name=f"Make a new secret for {webhook_receiver.url}?")
    ).to_be_visible()
    expect(page.get_by_text("The old secret stops working immediately")).to_be_visible()
    checked_page(page)
    assert WebhookEndpoint.objects.get().sealed_secret == sealed
    _tab_to(page, "Make a new secret")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="The signing secret", level=1)).to_be_visible()
    new_secret = page.get_by_label("Secret", exact=True).input_value()
    assert new_secret != secret
    assert WebhookEndpoint.objects.get().sealed_secret != sealed
    checked_page(page)
    context.close()
