"""Every page an anonymous visitor, a patient, a therapist and a clinic admin can open, in a
real browser: axe-core finds no accessibility violation (WCAG 2.2 AA rules and best practice),
and at 320 px wide no page scrolls sideways and every chart's labels stay legible.

The pages come from the authorization matrix (`tests/proof/test_authorization_matrix.TABLE`):
each GET route that answers that role 200 there, filled with the proof world's real objects,
so a new page is tested here as soon as it is declared there. Files (PDF, ZIP, iCalendar,
FHIR JSON) and the API's own documents are not pages and are left out (`NOT_PAGES`).

Pages no GET of the matrix reaches are walked to as a person reaches them: the symptom
check's questions and results, the booking confirm step (with and without a deposit), the
deposit's card form, and the error pages (404, 403, and the 429s of a password reset asked too
often and of the symptom check answered too fast). On every matrix page each element in the tab
order must show a focus ring when focused (WCAG 2.2 2.4.7); tests/e2e/test_keyboard_journeys.py
walks the journeys themselves with the keyboard alone.

To re-run after a change: `pytest tests/e2e/test_every_page.py -p no:cacheprovider`; a failure
lists each page with its rule ids, the first elements and axe's summary, or the elements that
stick out past the right edge.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from sciaticare.accounts.models import User
from sciaticare.directory.models import (
    Clinic,
    Credential,
    CredentialStatus,
    Review,
    SessionType,
    TherapistProfile,
)
from sciaticare.intake.models import Intake, IntakeShare
from sciaticare.outcomes.models import PainEntry
from sciaticare.scheduling.models import Appointment, AppointmentStatus, WorkingHours
from tests.e2e.check_pages import walk_check
from tests.factories import MAIN_ROLES, PASSWORD, ROLES, totp_code
from tests.proof.test_authorization_matrix import TABLE, url_of
from tests.proof.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PHONE_WIDTH = 320

#: GET routes that answer 200 but are not HTML pages a person reads in the site's layout.
NOT_PAGES = {
    "calendar_feed",  # iCalendar
    "outcomes:report_pdf",
    "interop:export_zip",
    "interop:patient_fhir",
    "directory:document",  # the licence document itself (PDF)
    "billing:invoice_pdf",
    "billing:insurer_pdf",
    "billing:receipt_pdf",
    "billing:takings_csv",
    "api-v1:openapi-json",
    "api-v1:openapi-view",  # Swagger UI, a third party's page for programmers
    "admin:index",
    "web:manifest",  # JSON
    "web:service_worker",  # JavaScript
}
#: Pages outside the matrix (allauth's) that an anonymous visitor opens.
ANONYMOUS_EXTRA = ["account_login", "account_signup", "account_reset_password"]
#: Pages whose query fills them: search results.
WITH_QUERY = ["/therapists/?place=Manchester", "/therapists/?place=Manchster"]
WHO = [role for role in MAIN_ROLES if role != "site_admin"]  # site admin pages are Django's own

AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                     'best-practice']},
    resultTypes: ['violations'],
  });
  const found = result.violations.map(v => ({
    id: v.id,
    count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    summary: (v.nodes[0] && v.nodes[0].failureSummary || '').split('\\n').slice(0, 3).join(' '),
  }));
  // Not an axe rule: a description that is missing or empty is read as nothing (the sign-up
  // password's rules were, found by an outside test).
  const unread = [...document.querySelectorAll('[aria-describedby]:not([type=hidden])')].filter(e =>
    e.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean).some(id => {
      const target = document.getElementById(id);
      return !target || !target.textContent.trim();
    }));
  if (unread.length) {
    found.push({id: 'description-unread', count: unread.length,
                targets: unread.slice(0, 3).map(e => e.name || e.id || e.tagName),
                summary: 'aria-describedby names an element that is missing or empty'});
  }
  return found;
}"""


def inject_axe(page: Page) -> None:
    """Put axe on the page once it has loaded: a click that navigates may still be on its way,
    and a script added to a document being replaced has no <head> to go into."""
    page.wait_for_load_state()
    page.add_script_tag(path=str(AXE))


WIDE_ELEMENTS = """(width) => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .filter(e => !e.closest('[data-scrolls]'))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
       + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
       + ' right=' + Math.round(e.getBoundingClientRect().right))"""


#: The smallest chart or body-map label on the page, in CSS pixels as drawn (the SVG is scaled
#: to fit).
SMALLEST_CHART_TEXT = """() => Math.min(Infinity, ...Array.from(document.querySelectorAll('svg .tick, svg .view-label, svg .side-label'))
  .map(t => {
    const svg = t.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(t).fontSize) * scale;
  }))"""
#: Chart labels that run into each other (the y axis's "0" sat on the first date).
OVERLAPPING_TICKS = """() => Array.from(document.querySelectorAll('svg')).flatMap(svg => {
  const boxes = Array.from(svg.querySelectorAll('.tick')).map(t => [t.textContent, t.getBoundingClientRect()]);
  const hits = [];
  boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5) hits.push(a + ' / ' + b);
  }));
  return hits;
})"""
#: Below this a chart's words cannot be read on a phone (the dashboard's were 4 px, then 9).
LEGIBLE_PX = 11


def pages_for(world: World, role: str) -> list[str]:
    column = ROLES.index(role)
    urls = [
        url_of(world, row)
        for row in TABLE
        if not row.is_api
        and row.method == "GET"
        and row.expect[column] == 200
        and row.route not in NOT_PAGES
    ]
    if role == "anonymous":
        urls += [reverse(name) for name in ANONYMOUS_EXTRA]
    return list(dict.fromkeys(urls + WITH_QUERY))


def fuller(world: World) -> World:
    """The proof world plus what makes pages long and wide: a week of working hours (the
    booking page's time buttons) and two months of diary days (the charts)."""
    side = world.a
    location = side.past.location
    WorkingHours.objects.bulk_create(
        WorkingHours(
            therapist=side.therapist, location=location, weekday=d, start=time(8), end=time(18)
        )
        for d in range(7)
    )
    today = timezone.localdate()
    PainEntry.objects.bulk_create(
        PainEntry(
            patient=side.patient,
            day=today - timedelta(days=n),
            back_pain=3 + n % 5,
            leg_pain=2 + n % 6,
            tags=["bad_night"] if n % 7 == 0 else [],
        )
        for n in range(1, 60)
        if not PainEntry.objects.filter(patient=side.patient, day=today - timedelta(days=n))
    )
    return world


def session_cookie(person: Any) -> str:
    """A session made by the real sign-in: the password, then the TOTP code for staff."""
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    if person.has_staff_role:
        client.post(reverse("mfa_authenticate"), {"code": totp_code(person.totp_secret)})
    assert client.session.get("_auth_user_id") == str(person.pk)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def context_for(
    browser: Browser, live_server: Any, person: Any, cookie: Any = None, **options: Any
) -> BrowserContext:
    # axe is injected as a script, which the site's CSP (rightly) refuses.
    context = browser.new_context(bypass_csp=True, **options)
    if person is not None:
        value = (cookie or session_cookie)(person)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]
        )
    return context


def violations_on(page: Page, base: str, urls: list[str], *, strict: bool) -> list[str]:
    """axe's violations on each page, one line per rule and page. With ``strict`` every page
    must answer 200 (or 400: a form's message, on its page); otherwise others are skipped."""
    lines: list[str] = []
    for url in urls:
        response = page.goto(base + url)
        assert response is not None
        if response.status not in (200, 400):
            assert not strict, f"{url} answered {response.status}"
            continue
        inject_axe(page)
        lines += [
            f"{url}: {v['id']} ×{v['count']} at {v['targets']}: {v['summary']}"
            for v in page.evaluate(AXE_RUN)
        ]
    return lines


def too_wide_on(page: Page, base: str, urls: list[str]) -> list[str]:
    """Pages wider than the phone (with the elements that stick out), or whose chart labels
    are drawn too small to read."""
    lines: list[str] = []
    for url in urls:
        page.goto(base + url)
        if page.evaluate("document.documentElement.scrollWidth") > PHONE_WIDTH:
            lines.append(f"{url}: {page.evaluate(WIDE_ELEMENTS, PHONE_WIDTH)}")
        smallest = page.evaluate(SMALLEST_CHART_TEXT)
        if smallest < LEGIBLE_PX:
            lines.append(f"{url}: chart labels {smallest:.1f} px high")
        if overlapping := page.evaluate(OVERLAPPING_TICKS):
            lines.append(f"{url}: chart labels overlap: {overlapping[:3]}")
    return lines


@pytest.mark.parametrize("role", WHO)
def test_every_page_has_no_accessibility_violation(live_server, browser: Browser, role):
    world = fuller(build_world())
    context = context_for(
        browser, live_server, world.people[role], viewport={"width": 1280, "height": 900}
    )
    found = violations_on(context.new_page(), live_server.url, pages_for(world, role), strict=True)
    context.close()
    if found:
        pytest.fail("\n".join(found))


@pytest.mark.parametrize("role", WHO)
def test_no_page_scrolls_sideways_on_a_320_px_phone(live_server, browser: Browser, role):
    world = fuller(build_world())
    context = context_for(
        browser, live_server, world.people[role], viewport={"width": PHONE_WIDTH, "height": 640}
    )
    wide = too_wide_on(context.new_page(), live_server.url, pages_for(world, role))
    context.close()
    if wide:
        pytest.fail("\n".join(wide))


# --- The same over the demo (`make run`): a city of therapists, months of history ----------

DEMO_LOGINS = {
    "patient": "patient@example.com",
    "therapist": "therapist@example.com",
    "clinic_admin": "clinic@example.com",
}


def demo_world() -> SimpleNamespace:
    """The demo's objects under the proof world's names (``world.a.past`` …), so the matrix's
    rows fill in; a row whose object the demo lacks is skipped."""
    call_command("seed_demo")
    patient = User.objects.get(email=DEMO_LOGINS["patient"])
    admin = User.objects.get(email=DEMO_LOGINS["clinic_admin"])
    daniel = TherapistProfile.objects.get(user__email=DEMO_LOGINS["therapist"])
    clinic = Clinic.objects.filter(admins=admin).order_by("pk").first()
    mine = Appointment.objects.filter(patient=patient, therapist=daniel)
    found = {
        "patient": patient,
        "therapist": daniel,
        "clinic": clinic,
        "session": SessionType.objects.filter(therapist=daniel, is_standard=True).first(),
        "intake": Intake.objects.filter(patient=patient).order_by("-created_at").first(),
        "share": IntakeShare.objects.filter(patient=patient).order_by("pk").first(),
        "past": mine.filter(status=AppointmentStatus.COMPLETED).order_by("-start").first(),
        "future": mine.filter(status=AppointmentStatus.BOOKED, start__gt=timezone.now())
        .order_by("start")
        .first(),
        "review": Review.objects.filter(therapist=daniel).order_by("pk").first(),
        "pending_credential": Credential.objects.filter(
            status=CredentialStatus.PENDING, therapist__clinics=clinic
        )
        .order_by("pk")
        .first(),
    }
    return SimpleNamespace(a=SimpleNamespace(**{k: v for k, v in found.items() if v}))


def demo_pages_for(world: SimpleNamespace, role: str) -> list[str]:
    column = ROLES.index(role)
    urls: list[str] = []
    for row in TABLE:
        if row.is_api or row.method != "GET" or row.expect[column] != 200:
            continue
        if row.route in NOT_PAGES:
            continue
        try:
            urls.append(url_of(world, row))  # type: ignore[arg-type]
        except AttributeError:
            continue  # the demo has no such object
    if role == "anonymous":
        urls += [reverse(name) for name in ANONYMOUS_EXTRA]
    return list(dict.fromkeys(urls + WITH_QUERY))


def _forced_session(person: Any) -> str:
    client = Client()
    client.force_login(person)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("role", WHO)
def test_demo_pages_pass_axe_and_fit_a_320_px_phone(live_server, browser: Browser, settings, role):
    settings.STAFF_MFA_REQUIRED = False  # as `make run` serves the demo
    world = demo_world()
    person = User.objects.get(email=DEMO_LOGINS[role]) if role in DEMO_LOGINS else None
    urls = demo_pages_for(world, role)
    desk = context_for(
        browser, live_server, person, _forced_session, viewport={"width": 1280, "height": 900}
    )
    problems = violations_on(desk.new_page(), live_server.url, urls, strict=False)
    desk.close()
    phone = context_for(
        browser,
        live_server,
        person,
        _forced_session,
        viewport={"width": PHONE_WIDTH, "height": 640},
    )
    problems += too_wide_on(phone.new_page(), live_server.url, urls)
    phone.close()
    if problems:
        pytest.fail("\n".join(problems))


# --- Pages reached by a POST: the symptom check's questions and answers ---------------------


def _walk_check(page: Page, base: str, emergency: bool) -> None:
    walk_check(page, base, {"bladder_change"} if emergency else ())
    if emergency:
        page.wait_for_selector("#emergency")


@pytest.mark.parametrize("emergency", [False, True], ids=["ok", "emergency"])
@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_symptom_check_result_passes_axe_and_fits(live_server, browser: Browser, emergency, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
    page = context.new_page()
    _walk_check(page, live_server.url, emergency)
    page.wait_for_selector("h1")
    inject_axe(page)
    problems = [f"{v['id']} ×{v['count']} at {v['targets']}" for v in page.evaluate(AXE_RUN)]
    if page.evaluate("document.documentElement.scrollWidth") > width:
        problems.append(f"wider than {width}: {page.evaluate(WIDE_ELEMENTS, width)}")
    context.close()
    assert problems == []


# --- Pages reached by a journey, not by a GET of the matrix ----------------------------------


def problems_here(page: Page, width: int) -> list[str]:
    """axe's violations on the page the browser is on, and whether it scrolls sideways."""
    inject_axe(page)
    where = page.url
    problems = [
        f"{where}: {v['id']} ×{v['count']} at {v['targets']}" for v in page.evaluate(AXE_RUN)
    ]
    if page.evaluate("document.documentElement.scrollWidth") > width:
        problems.append(f"{where}: wider than {width}: {page.evaluate(WIDE_ELEMENTS, width)}")
    return problems


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_error_pages_pass_axe_and_fit(live_server, browser: Browser, settings, width):
    """404, 403 and both 429s (a password reset asked too often; the symptom check answered
    too fast)."""
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "symptom_check": "1/m"}
    patient = build_world().people["patient"]
    context = context_for(
        browser, live_server, patient, _forced_session, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    seen: dict[str, int] = {}
    problems: list[str] = []
    for url in ("/no-such-page/", reverse("intake:clients")):
        response = page.goto(live_server.url + url)
        assert response is not None
        seen[url] = response.status
        problems += problems_here(page, width)
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("account_reset_password"))
    for _ in range(8):  # ACCOUNT_RATE_LIMITS: 5 password resets an hour for one address
        page.get_by_label("Email").fill("nobody@example.com")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.locator("main form button[type=submit]").click()
        if answer.value.status == 429:
            break
        page.goto(live_server.url + reverse("account_reset_password"))
    seen["password reset"] = answer.value.status
    problems += problems_here(page, width)
    page.goto(live_server.url + "/check/")
    for _ in range(3):
        for no in page.get_by_label("No", exact=True).all():
            no.check()
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Next").click()
        if answer.value.status == 429:
            break
    seen["check"] = answer.value.status
    problems += problems_here(page, width)
    context.close()
    assert list(seen.values()) == [404, 403, 429, 429], seen
    assert problems == []


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_booking_confirm_and_deposit_card_pages_pass_axe_and_fit(
    live_server, browser: Browser, stripe_server, width
):
    """The confirm step (a plain clinic and a deposit clinic) and the deposit's card form."""
    from tests.billing.factories import deposit_therapist
    from tests.scheduling.helpers import bookable_patient, working_therapist

    plain = working_therapist()[0]
    deposit = deposit_therapist(legal_name="Riverside Massage Ltd")[0]
    context = context_for(
        browser,
        live_server,
        bookable_patient(),
        _forced_session,
        viewport={"width": width, "height": 800},
    )
    page = context.new_page()
    problems: list[str] = []
    page.goto(f"{live_server.url}/book/{plain.pk}/")
    page.locator("button.slot").first.click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    problems += problems_here(page, width)
    page.goto(f"{live_server.url}/book/{deposit.pk}/")
    page.locator("button.slot").first.click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    problems += problems_here(page, width)
    page.get_by_role("button", name="Confirm and pay the £10.00 deposit").click()
    page.get_by_role("heading", name="Pay the deposit to book").wait_for()
    page.locator("#card-element input").first.wait_for()
    problems += problems_here(page, width)
    context.close()
    assert problems == []


# --- Visible focus: every element the keyboard can reach shows a ring when it has focus -------

#: Each visible element in the tab order, focused in turn after a real Tab (so Chromium treats
#: the focus as the keyboard's and :focus-visible applies); the ones without an outline of at
#: least 2 px or a box shadow while focused.
UNRINGED = """() => {
  const reachable = Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]'))
    .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0);
  const bad = [];
  for (const e of reachable) {
    e.focus();
    if (document.activeElement !== e) continue;
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
    if (!ring || !e.matches(':focus-visible')) {
      bad.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' +
               (e.textContent || e.value || '').trim().slice(0, 30) + '"');
    }
  }
  return {count: reachable.length, bad: bad.slice(0, 5)};
}"""


@pytest.mark.parametrize("role", WHO)
def test_every_focusable_element_shows_its_focus(live_server, browser: Browser, role):
    world = fuller(build_world())
    context = context_for(
        browser, live_server, world.people[role], viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    problems, reached = [], 0
    for url in pages_for(world, role):
        page.goto(live_server.url + url)
        page.keyboard.press("Tab")
        found = page.evaluate(UNRINGED)
        reached += found["count"]
        if found["bad"]:
            problems.append(f"{url}: {found['bad']}")
    context.close()
    assert reached > 0
    assert problems == []


def test_a_profile_on_a_phone_gives_the_waitlist_link_a_24_px_target(live_server, browser: Browser):
    """Found by a tester: at 390 px "Join the waitlist" wraps under the full-width button as a
    19 px line of text (axe `target-size`, WCAG 2.2 2.5.8)."""
    world = fuller(build_world())
    # A licence verified and in force: the profile offers booking and the waitlist.
    TherapistProfile.objects.filter(pk=world.a.therapist.pk).update(
        licence_verified_on=timezone.localdate(), licence_expires_on=None
    )
    row = next(r for r in TABLE if r.route == "directory:profile")
    context = context_for(
        browser, live_server, world.people["patient"], viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    found = violations_on(page, live_server.url, [url_of(world, row)], strict=True)
    link = page.get_by_role("link", name="Join the waitlist").bounding_box()
    context.close()
    assert not found, "\n".join(found)
    assert link is not None
    assert link["height"] >= 24
