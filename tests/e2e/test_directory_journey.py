"""A signed-in patient finds a therapist near Manchester, opens their profile and adds them to
the flare-up plan, in a real browser; and the search page fits a phone."""

import pytest
from playwright.sync_api import Page, expect

from sciaticare.directory.places import resolve_place
from tests.directory.factories import MANCHESTER, TherapistProfileFactory
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_search_profile_and_add_to_flare_up_plan(live_server, page: Page, screenshots_dir):
    therapist = TherapistProfileFactory(
        user__first_name="Dana",
        user__last_name="Quill",
        years_sciatica=8,
        location__latitude=MANCHESTER[0] + 0.0378,
        location__name="Didsbury",
    )
    TherapistProfileFactory(location__latitude=MANCHESTER[0] + 0.1)
    patient = PatientFactory()
    resolve_place("Manchester")  # the gazetteer loads once per process, in about a second
    page.set_viewport_size({"width": 1200, "height": 900})
    sign_in(page, live_server.url, patient.email)

    page.get_by_role("link", name="Find a therapist").first.click()
    page.get_by_label("Near").fill("Manchester")
    page.get_by_role("button", name="Search").click()

    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_contain_text(
        "2 therapists within 25 km of Manchester", timeout=15_000
    )
    first = results.locator("li.result").first
    expect(first).to_contain_text("Dana Quill")
    expect(first).to_contain_text("4.2 km away")
    expect(first).to_contain_text("treats sciatica for 8 years")
    page.screenshot(path=str(screenshots_dir / "directory-search.png"), full_page=True)

    first.get_by_role("link", name="Dana Quill").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Quill")
    expect(page.get_by_text("Licence verified").first).to_be_visible()
    page.get_by_role("button", name="Add to my flare-up plan").click()

    expect(page.get_by_text("Dana Quill is now your preferred therapist")).to_be_visible()
    page.goto(live_server.url + "/dashboard/")
    card = page.locator("section", has=page.get_by_role("heading", name="Your flare-up plan"))
    expect(card).to_contain_text("Dana Quill")
    expect(card).to_contain_text("preferred")
    assert therapist.pk


def test_search_page_fits_a_phone(live_server, phone: Page):
    TherapistProfileFactory()

    phone.goto(live_server.url + "/therapists/?place=Manchester")

    expect(phone.locator("#results li.result")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_unknown_place_is_said_in_the_page_and_a_suggestion_searches(live_server, page: Page):
    TherapistProfileFactory(user__first_name="Dana", user__last_name="Quill")
    resolve_place("Manchester")
    page.goto(live_server.url + "/therapists/")

    page.get_by_label("Near").fill("Manchster")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "We don't know a place called “Manchster”", timeout=15_000
    )
    page.get_by_role("link", name="Manchester, United Kingdom").click()
    expect(page.locator("#results li.result")).to_contain_text("Dana Quill")

    page.get_by_label("Near").fill("M1 1AE")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("of M1 (Manchester city centre)")
