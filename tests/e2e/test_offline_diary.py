"""The installable app in Chromium with the network switched off (docs/offline.md): the manifest
and its icons, the service worker and its offline pages, and the diary's queue: log pain
offline, reload, still there and waiting, back online, on the server once."""

import re
import struct

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from sciaticare.accounts.selectors import today_for
from sciaticare.outcomes.models import PainEntry
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_READY = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return registration.scope;
}"""
CONTROLLED = "() => navigator.serviceWorker.controller !== null"
# Waits up to 10 s for the worker to keep the diary page (wait_for_function takes no promise).
DIARY_KEPT = """async () => {
  for (let i = 0; i < 100; i++) {
    if (await caches.match('/diary/', {cacheName: 'sciaticare-own'})) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def _new_phone(browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="allow")
    return context, context.new_page()


def test_the_manifest_validates_and_its_icons_load(live_server, browser):
    context, page = _new_phone(browser)
    page.goto(f"{live_server.url}/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    answer = page.request.get(f"{live_server.url}{href}")

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["name"] == manifest["short_name"] == "Sciaticare"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/dashboard/"
    assert manifest["scope"] == "/"
    assert manifest["theme_color"] == "#0b5d7a"
    assert manifest["background_color"] == "#ffffff"
    assert page.locator("meta[name=theme-color]").get_attribute("content") == "#0b5d7a"
    sizes = set()
    for icon in manifest["icons"]:
        image = page.request.get(f"{live_server.url}{icon['src']}")
        assert image.status == 200, icon
        assert image.headers["content-type"] == "image/png"
        width, height = _png_size(image.body())
        assert f"{width}x{height}" == icon["sizes"]
        sizes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    context.close()


def test_the_worker_registers_and_serves_the_offline_pages(live_server, browser):
    context, page = _new_phone(browser)
    page.goto(f"{live_server.url}/")
    assert page.evaluate(WORKER_READY) == f"{live_server.url}/"
    worker = page.request.get(f"{live_server.url}/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "no-cache" in worker.headers["cache-control"]
    page.wait_for_function(CONTROLLED)

    context.set_offline(True)
    page.goto(f"{live_server.url}/therapists/?place=Leeds")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    page.get_by_role("link", name="Read when to go to an emergency department").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "When to go to an emergency department"
    )
    expect(page.get_by_text("Go to an emergency department now", exact=True)).to_be_visible()
    expect(page.get_by_text("999")).to_be_visible()
    context.close()


def _log(page: Page, back: str, leg: str, note: str) -> None:
    today = page.get_by_role("region", name="Today")
    today.get_by_role("group", name="Back pain today").get_by_text(back, exact=True).click()
    today.get_by_role("group", name="Leg pain today").get_by_text(leg, exact=True).click()
    today.get_by_label("Note (optional)").fill(note)
    today.get_by_role("button", name="Save today").click()


def test_pain_logged_offline_waits_on_the_device_and_reaches_the_server_once(live_server, browser):
    patient = PatientFactory()
    context, page = _new_phone(browser)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/dashboard/")
    page.evaluate(WORKER_READY)
    page.wait_for_function(CONTROLLED)
    # Signing in is enough: the worker keeps the patient's diary page for later.
    assert page.evaluate(DIARY_KEPT) is True

    context.set_offline(True)
    page.goto(f"{live_server.url}/diary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your pain")
    expect(page.locator("form[data-offline-diary][data-kept]")).to_have_count(1)  # the kept copy
    _log(page, "3", "5", "on the sofa")

    queue = page.get_by_role("region", name="Waiting to sync")
    expect(queue).to_contain_text("Back 3, leg 5")
    expect(queue).to_contain_text("on the sofa")
    expect(queue).to_contain_text("waiting to sync")
    expect(page.get_by_role("status")).to_contain_text("You are offline")
    assert not PainEntry.objects.filter(patient=patient).exists()

    page.reload()
    expect(page.get_by_role("region", name="Waiting to sync")).to_contain_text("Back 3, leg 5 on")
    assert not PainEntry.objects.filter(patient=patient).exists()

    context.set_offline(False)
    expect(page.get_by_role("status")).to_have_text("Logged for today.")
    expect(page.get_by_role("region", name="Waiting to sync")).to_be_hidden()
    entry = PainEntry.objects.get(patient=patient)
    assert (entry.day, entry.back_pain, entry.leg_pain) == (today_for(patient), 3, 5)
    assert entry.note == "on the sofa"
    assert entry.client_id is not None

    # The same write sent again (a retry, or the answer lost on the way): nothing new.
    again = page.evaluate(
        """async ([url, body]) => {
          const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
          const answer = await fetch(url, {method: 'PUT', body: JSON.stringify(body),
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
          return [answer.status, await answer.json()];
        }""",
        [
            f"/api/v1/diary/entries/{entry.client_id}",
            {
                "date": entry.day.isoformat(),
                "made_at": entry.client_made_at.isoformat(),
                "back_pain": 3,
                "leg_pain": 5,
                "note": "on the sofa",
            },
        ],
    )
    assert again[0] == 200
    assert again[1]["result"] == "already_stored"
    assert PainEntry.objects.filter(patient=patient).count() == 1
    context.close()


def test_the_queue_speaks_the_pages_language(live_server, browser):
    # offline-diary.js has no words: a Spanish page gives it Spanish ones, and Spanish days.
    patient = PatientFactory(language="es")
    context, page = _new_phone(browser)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/diary/")
    page.evaluate(WORKER_READY)
    assert page.evaluate(DIARY_KEPT) is True

    context.set_offline(True)
    page.reload()
    today = page.get_by_role("region", name="Hoy")
    today.get_by_role("group", name="Dolor de espalda hoy").get_by_text("3", exact=True).click()
    today.get_by_role("group", name="Dolor en la pierna hoy").get_by_text("5", exact=True).click()
    today.get_by_label("Nota (opcional)").fill("en el sofá")
    today.get_by_role("button", name="Guardar el día de hoy").click()

    queue = page.get_by_role("region", name="Pendiente de sincronizar")
    expect(queue).to_contain_text("Espalda 3, pierna 5 el ")
    expect(queue).to_contain_text(": en el sofá")
    expect(queue).to_contain_text("pendiente de sincronizar")
    expect(page.get_by_role("status")).to_contain_text("No tiene conexión")
    written = queue.locator("li").inner_text()
    assert "Back" not in written
    assert re.search(r"el (lun|mar|mié|jue|vie|sáb|dom), \d+ ", written), written

    context.set_offline(False)
    expect(page.get_by_role("status")).to_have_text("Anotado para hoy.")
    assert PainEntry.objects.get(patient=patient).note == "en el sofá"
    context.close()


def test_signing_out_forgets_the_kept_diary_and_the_queue(live_server, browser):
    patient = PatientFactory()
    context, page = _new_phone(browser)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/diary/")
    page.evaluate(WORKER_READY)
    assert page.evaluate(DIARY_KEPT) is True
    context.set_offline(True)
    page.reload()
    _log(page, "6", "7", "kept here")
    expect(page.get_by_role("region", name="Waiting to sync")).to_contain_text("Back 6, leg 7")
    context.set_offline(False)
    expect(page.get_by_role("status")).to_have_text("Logged for today.")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.evaluate("async () => await caches.has('sciaticare-own')") is False
    page.evaluate(WORKER_READY)  # the home page registers the worker again (no one's data)
    page.wait_for_function(CONTROLLED)

    context.set_offline(True)
    page.goto(f"{live_server.url}/diary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    context.close()
