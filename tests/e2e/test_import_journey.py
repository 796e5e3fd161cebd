"""Moving in from Cliniko in Chromium, with the keyboard alone on a 390 px phone: a clinic admin
uploads a patients export, sees its columns, reads the dry run's refused row and why, imports,
and reads the result. axe finds nothing on any step, and no step scrolls sideways at 320 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sciaticare.accounts.models import User
from sciaticare.integrations.models import ImportRun, RunStatus
from tests.directory.factories import ClinicFactory, LocationFactory
from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE_RUN, WIDE_ELEMENTS, inject_axe
from tests.factories import ClinicAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)

FILE = Path(__file__).parents[1] / "integrations" / "files" / "cliniko_patients.csv"


def checked_page(page: Page) -> None:
    """No accessibility violation, and nothing sticks out at 390 px nor at 320 px."""
    inject_axe(page)
    assert page.evaluate(AXE_RUN) == []
    assert page.evaluate(WIDE_ELEMENTS, 390) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(WIDE_ELEMENTS, 320) == []
    page.set_viewport_size({"width": 390, "height": 844})


def _tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element is the one named `name` (at most 60 presses)."""
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const e = document.activeElement;
              const label = e.labels && e.labels[0] ? e.labels[0].innerText : '';
              return (e.getAttribute('aria-label') || label || e.innerText || e.value || '').trim();
            }"""
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_clinic_admin_moves_in_from_cliniko_with_the_keyboard(live_server, browser):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin], name="Didsbury Back Care")
    LocationFactory(clinic=clinic, name="Didsbury", time_zone="Europe/London")
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, admin)

    # From the dashboard's clinic card to the upload page.
    page.goto(f"{live_server.url}/dashboard/")
    _tab_to(page, "Move in from another system")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Move in from another system", level=1)).to_be_visible()
    checked_page(page)

    # A radio group is one tab stop: its arrow keys choose within it.
    _tab_to(page, "Jane")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Cliniko")).to_be_checked()
    _tab_to(page, "Patients")
    page.keyboard.press("Space")
    expect(page.get_by_label("Patients")).to_be_checked()
    # A file chooser is the system's own dialog: the file is given to the input directly.
    page.get_by_label("The CSV file (up to 5 MB and 20,000 rows)").set_input_files(str(FILE))
    _tab_to(page, "Upload and choose the columns")
    page.keyboard.press("Enter")

    # The columns found, and Cliniko's suggested choice for each field.
    expect(page.get_by_role("heading", name="Choose the columns", level=1)).to_be_visible()
    columns = page.get_by_role("heading", name="Columns found in the file").locator("+ ol")
    expect(columns.get_by_role("listitem")).to_have_text(
        [
            "Patient ID",
            "First Name",
            "Last Name",
            "Date of Birth (not imported)",
            "Email",
            "Mobile",
        ]
    )
    expect(page.get_by_label("Email *")).to_have_value("4")
    checked_page(page)
    # At 320 px the check button keeps clear of the last drop-down above it.
    page.set_viewport_size({"width": 320, "height": 640})
    gap = page.evaluate(
        """() => {
          const selects = document.querySelectorAll('form.card select');
          const last = selects[selects.length - 1].getBoundingClientRect();
          const button = document.querySelector('form.card button[type=submit]');
          return button.getBoundingClientRect().top - last.bottom;
        }"""
    )
    assert gap >= 12
    page.set_viewport_size({"width": 390, "height": 844})
    _tab_to(page, "Check the file (nothing is imported yet)")
    page.keyboard.press("Enter")

    # The dry run: what would be created, and the refused rows with why.
    expect(page.get_by_role("heading", name="Check before importing", level=1)).to_be_visible()
    expect(page.get_by_text("3 rows would be created.")).to_be_visible()
    refused = page.get_by_role("table", name="Rows not imported, and why")
    expect(refused.get_by_role("row", name="5")).to_contain_text(
        "It has no email: a patient's account is their email address."
    )
    expect(refused.get_by_role("row", name="6")).to_contain_text("Its email repeats row 2")
    assert not User.objects.filter(email="ruth.okafor@example.org").exists()
    checked_page(page)
    _tab_to(page, "Import the rows that can be imported; the rows listed above are left out.")
    page.keyboard.press("Space")
    _tab_to(page, "Import")
    page.keyboard.press("Enter")

    # The result, kept with the history.
    expect(
        page.get_by_role("heading", name="Import of cliniko_patients.csv: done", level=1)
    ).to_be_visible()
    expect(page.get_by_text("Imported. The rows not imported are listed below.")).to_be_visible()
    expect(page.get_by_text("3 rows created.")).to_be_visible()
    expect(page.get_by_role("table", name="Rows not imported, and why")).to_contain_text(
        "It has no email"
    )
    checked_page(page)
    run = ImportRun.objects.get()
    assert run.status == RunStatus.IMPORTED
    assert run.content is None
    assert User.objects.get(email="ruth.okafor@example.org").phone == "+447400123456"
    context.close()
