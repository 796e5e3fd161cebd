"""In a real browser, user text holding a script shows as text and runs nothing: the patient's
diary and the therapist's brief of that patient (tests/proof/test_escaping.py covers every
field without a browser)."""

import pytest
from playwright.sync_api import Page, expect

from sciaticare.intake import services as intake_services
from sciaticare.outcomes import services as outcome_services
from tests.directory.factories import TherapistProfileFactory
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"


def _open(page: Page, url: str, dialogs: list[str]) -> None:
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")


def test_script_in_user_text_is_shown_as_text_and_never_runs(live_server, browser):
    patient = PatientFactory()
    make_intake(patient, goals=f"Goals {PAYLOAD}", notes=f"Notes {PAYLOAD}")
    outcome_services.log_pain(patient=patient, back_pain=3, leg_pain=4, note=f"Diary {PAYLOAD}")
    therapist = TherapistProfileFactory()
    intake_services.share_intake(patient=patient, therapist_email=therapist.user.email)
    dialogs: list[str] = []

    patient_page = browser.new_context().new_page()
    sign_in(patient_page, live_server, patient)
    _open(patient_page, f"{live_server.url}/diary/", dialogs)
    # The diary table sits in a collapsed section: present as text is what matters.
    expect(patient_page.get_by_text(f"Diary {PAYLOAD}")).to_be_attached()

    therapist_page = browser.new_context().new_page()
    sign_in(therapist_page, live_server, therapist.user)
    _open(therapist_page, f"{live_server.url}/intake/clients/{patient.pk}/", dialogs)
    expect(therapist_page.get_by_text(f"Goals {PAYLOAD}")).to_be_visible()
    expect(therapist_page.get_by_text(f"Notes {PAYLOAD}")).to_be_visible()

    assert dialogs == []
    assert therapist_page.locator("img[src='x']").count() == 0
