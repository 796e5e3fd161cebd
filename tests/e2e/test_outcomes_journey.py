"""Browser journey on a phone: a patient signs in, logs back and leg pain in two taps from the
dashboard, sees the chart take the new day, asks for a report for their doctor and downloads
the PDF once the task worker has made it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from sciaticare.core.display import day
from sciaticare.core.generated import FileStatus
from sciaticare.outcomes.models import PainEntry, ProgressReport
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHART = "Back and leg pain, 0 to 10, by day"


def test_log_pain_in_two_taps_see_the_chart_and_download_the_report(
    live_server, phone: Page, settings
):
    # The deployed backend: the report waits in the queue until a worker runs it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    patient = PatientFactory(first_name="Mira")
    PainEntry.objects.create(patient=patient, day=yesterday, back_pain=7, leg_pain=8)

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Email").fill(patient.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.goto(f"{live_server.url}/dashboard/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mira")
    chart = phone.get_by_role("img", name=CHART)
    back_dots = chart.locator("circle.dot.back title")
    expect(back_dots).to_have_text([f"Back pain 7 on {day(yesterday)}"])

    # Two taps, no button: the form saves itself once both are chosen.
    phone.get_by_role("group", name="Back pain today").get_by_text("3", exact=True).click()
    phone.get_by_role("group", name="Leg pain today").get_by_text("5", exact=True).click()

    expect(phone.get_by_text("Logged for today.")).to_be_visible()
    expect(phone).to_have_url(f"{live_server.url}/dashboard/")
    expect(back_dots).to_have_text(
        [f"Back pain 7 on {day(yesterday)}", f"Back pain 3 on {day(today)}"]
    )
    expect(chart.locator("circle.dot.leg title").last).to_have_text(f"Leg pain 5 on {day(today)}")
    entry = PainEntry.objects.get(patient=patient, day=today)
    assert (entry.back_pain, entry.leg_pain) == (3, 5)

    phone.get_by_role("link", name="Your pain diary and charts").click()
    phone.get_by_role("link", name="Make a report for your doctor (PDF)").click()
    phone.get_by_label("Date of birth").fill("1961-03-04")
    phone.get_by_role("button", name="Make a report for my doctor").click()
    reports = phone.get_by_role("region", name="Your reports")
    expect(reports).to_contain_text("Being made…")
    assert ProgressReport.objects.get(patient=patient).status == FileStatus.PENDING

    # The worker, as deployed (manage.py db_worker), takes the queued report; the page polls.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    download_link = reports.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=15_000)
    with phone.expect_download() as downloading:
        download_link.click()

    download = downloading.value
    assert download.suggested_filename.startswith("sciaticare-report-")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF-")
    assert b"%%EOF" in content[-1024:]
