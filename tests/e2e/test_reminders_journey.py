"""The reminders page in Chromium: axe finds nothing and nothing scrolls sideways at 320 px; the
keyboard reaches every control; and notifications, as far as a browser without its push
service's network can go (docs/architecture.md, "Reminders", says what is and is not proved):
permission granted, the worker registered, subscribing tried with the site's VAPID key and a
failure said plainly (headless Chromium has no push service: subscribe() answers "AbortError:
Registration failed - permission denied"); a subscription posted as the page's script posts it
is kept and listed; and a push
message delivered to the service worker (DevTools' ServiceWorker.deliverPushMessage, the path a
push service's message takes inside the browser) is shown as a notification with its words."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import BrowserContext, Page, expect

from sciaticare.reminders.models import PushSubscription
from sciaticare.reminders.push import new_key_pair
from sciaticare.reminders.selectors import choices_of
from sciaticare.reminders.services.replies import opt_out
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE_RUN, WIDE_ELEMENTS, inject_axe
from tests.factories import PatientFactory
from tests.reminders.fakes import FakeBrowser

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/reminders/"
KEYS = new_key_pair()


@pytest.fixture
def push_site(settings: Any) -> None:
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = KEYS
    settings.SMS_BACKEND = "console"


def _context(browser: Any, **options: Any) -> tuple[BrowserContext, Page]:
    context = browser.new_context(**options)
    return context, context.new_page()


def test_the_page_has_no_accessibility_violation_and_fits_a_small_phone(
    live_server, browser, push_site
):
    patient = PatientFactory(phone="+447400123456", time_zone="Europe/London")
    opt_out(phone=patient.phone)  # the STOP notice shows too
    PushSubscription.objects.create(
        user=patient,
        endpoint="https://fcm.googleapis.com/fcm/send/e2e",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
    )
    context, page = _context(browser, viewport={"width": 320, "height": 640}, bypass_csp=True)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}{PAGE}")
    expect(page.get_by_role("heading", name="Reminders", level=1)).to_be_visible()
    expect(
        page.get_by_role("button", name="Remove Chrome, Edge or another Chromium browser, added")
    ).to_be_visible()

    inject_axe(page)
    assert page.evaluate(AXE_RUN) == []
    assert page.evaluate(WIDE_ELEMENTS, 320) == []
    context.close()


def test_the_keyboard_alone_chooses_texts_and_saves(live_server, browser):
    patient = PatientFactory(phone="+447400123456")
    context, page = _context(browser, viewport={"width": 360, "height": 740})
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}{PAGE}")

    box = page.get_by_role("group", name="Appointment reminders").get_by_label("Text message")
    for _ in range(60):
        page.keyboard.press("Tab")
        if box.evaluate("(element) => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the box")
    page.keyboard.press("Space")
    save = page.get_by_role("button", name="Save reminder settings")
    for _ in range(40):
        page.keyboard.press("Tab")
        if save.evaluate("(element) => element === document.activeElement"):
            break
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your reminder settings are saved.")).to_be_visible()
    assert sorted(choices_of(patient)["appointment"]) == ["email", "sms"]
    context.close()


# --- Notifications ------------------------------------------------------------------------------

SUBSCRIBE_STATE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration('/');
  return {
    permission: Notification.permission,
    worker: !!(registration && registration.active),
    subscription: registration ? !!(await registration.pushManager.getSubscription()) : false,
  };
}"""

SUBSCRIBE_ERROR = """async (key) => {
  const padded = key.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((key.length + 3) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  const registration = await navigator.serviceWorker.ready;
  try {
    await registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: bytes});
    return 'subscribed';
  } catch (error) {
    return error.name + ': ' + error.message;
  }
}"""

POST_SUBSCRIPTION = """async (fields) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
  const response = await fetch('/reminders/devices/', {
    method: 'POST', body: form, headers: {'X-CSRFToken': token}, credentials: 'same-origin'});
  return [response.status, await response.json()];
}"""

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  for (let i = 0; i < 50; i++) {
    const shown = await registration.getNotifications();
    if (shown.length) return shown.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data}));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}"""


def test_turning_notifications_on_in_chromium(live_server, browser, push_site):
    patient = PatientFactory()
    context, page = _context(
        browser, viewport={"width": 360, "height": 740}, service_workers="allow"
    )
    context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}{PAGE}")

    button = page.get_by_role("button", name="Turn on notifications on this device")
    expect(button).to_be_visible()  # the script found PushManager and shows its button
    button.click()
    status = page.locator("[data-push-status]")
    expect(status).not_to_be_empty(timeout=20_000)

    state = page.evaluate(SUBSCRIBE_STATE)
    assert state["permission"] == "granted"
    assert state["worker"] is True
    if state["subscription"]:
        # Chromium reached its push service: the page reloads and lists the device.
        expect(page.get_by_text("Chrome, Edge or another Chromium browser, added")).to_be_visible()
        assert PushSubscription.objects.filter(user=patient).count() == 1
    else:
        # Headless Chromium without Google's push service cannot subscribe ("AbortError:
        # Registration failed - push service error"): the page says so.
        error = page.evaluate(SUBSCRIBE_ERROR, KEYS[0])
        assert error.startswith("AbortError"), error
        expect(status).to_have_text(
            "This browser could not reach its notification service. Try again later, or "
            "choose email or text messages."
        )
        assert not PushSubscription.objects.exists()
    context.close()


def test_a_subscription_posted_by_the_page_is_kept_and_listed(
    live_server, browser, push_site, settings
):
    settings.PUSH_SERVICES = ["https://push.example.org"]
    patient = PatientFactory()
    context, page = _context(browser, viewport={"width": 360, "height": 740})
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}{PAGE}")
    # The keys a browser would make for its subscription.
    keys = FakeBrowser("", ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16))
    status, answer = page.evaluate(
        POST_SUBSCRIPTION,
        {
            "endpoint": "https://push.example.org/send/abc",
            "p256dh": keys.p256dh,
            "auth": keys.auth,
            "expiration_time": "",
        },
    )

    assert status == 201
    assert PushSubscription.objects.get(pk=answer["device"]).user == patient
    page.reload()
    expect(page.get_by_text("push.example.org, added")).to_be_visible()
    context.close()


def test_the_service_worker_shows_a_pushed_reminder(live_server, browser, push_site):
    context, page = _context(
        browser, viewport={"width": 360, "height": 740}, service_workers="allow"
    )
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto(f"{live_server.url}/")
    page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.on("ServiceWorker.workerVersionUpdated", lambda event: versions.extend(event["versions"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):  # DevTools reports the worker; wait until it is the active one
        if any(v["status"] == "activated" for v in versions):
            break
        page.wait_for_timeout(100)
    (registration,) = {r["registrationId"]: r for r in registrations if not r["isDeleted"]}.values()
    message = {
        "title": "Sciaticare",
        "body": "Reminder: your massage with Ada Byrne is on Wednesday 15 July, 10:00 "
        "(Europe/London time).",
        "url": "http://elsewhere.example/appointments/7/",
        "tag": "appointment:7",
    }
    push = {
        "origin": live_server.url,
        "registrationId": registration["registrationId"],
        "data": json.dumps(message),
    }

    shown_all: list[dict[str, Any]] = []
    for _ in range(3):  # a worker that was stopping may miss one: the push service retries too
        cdp.send("ServiceWorker.deliverPushMessage", push)
        shown_all = page.evaluate(NOTIFICATIONS)
        if shown_all:
            break

    (shown,) = shown_all
    assert shown["title"] == "Sciaticare"
    assert shown["body"] == message["body"]
    assert shown["tag"] == "appointment:7"
    # A click opens the page on this site, whatever host the server wrote.
    assert shown["data"] == {"url": f"{live_server.url}/appointments/7/"}
    context.close()
