"""Browser journey on a phone: a patient downloads everything as a zip once the worker has made
it, then asks to delete the account (password again, explicit confirmation) and cancels."""

import io
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sciaticare.interop import archive
from sciaticare.outcomes.models import PainEntry
from sciaticare.privacy.models import DeletionRequest
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_download_everything_then_ask_to_delete_and_cancel(live_server, phone: Page, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    patient = PatientFactory(first_name="Mira")
    PainEntry.objects.create(
        patient=patient, day="2026-01-05", back_pain=6, leg_pain=7, note="=1+1"
    )
    sign_in(phone, live_server, patient)

    phone.goto(f"{live_server.url}/account/")
    phone.get_by_role("link", name="Download everything, or delete your account").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your data")
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.get_by_role("button", name="Make my archive").click()
    expect(phone.get_by_text("Being made…")).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    link = phone.get_by_role("link", name="Download zip")
    expect(link).to_be_visible(timeout=15_000)
    with phone.expect_download() as downloading:
        link.click()
    with open(downloading.value.path(), "rb") as raw:
        opened = zipfile.ZipFile(io.BytesIO(raw.read()))
    assert opened.namelist() == list(archive.FILES)
    assert "'=1+1" in opened.read("diary.csv").decode()

    phone.get_by_role("link", name="Delete my account…").click()
    phone.get_by_label("I understand").check()
    phone.get_by_role("button", name="Delete my account on").click()
    # allauth asks for the password again, then carries on with the request.
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_text("Your account will be deleted on").first).to_be_visible()
    assert DeletionRequest.objects.get(user=patient).is_open

    phone.get_by_role("button", name="Cancel the deletion").click()
    expect(phone.get_by_text("Your account will not be deleted.")).to_be_visible()
    assert not DeletionRequest.objects.get(user=patient).is_open
