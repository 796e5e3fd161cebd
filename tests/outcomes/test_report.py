"""The PDF progress report: its content (empty and long histories), the task that builds it,
and who may ask for it and download it."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.outcomes import report, services
from sciaticare.outcomes.models import PainEntry, ProgressReport, ReportStatus
from sciaticare.records import services as records
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake
from tests.records.conftest import ASSESSMENT, SUBJECTIVE, past_appointment

pytestmark = pytest.mark.django_db

HONEST_PARTS = [
    "short-term relief",
    "alongside exercise",
    "does not treat the cause",
    "never replaces a medical assessment",
]
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _text(pdf: bytes, tmp_path) -> str:
    """The PDF's text (pdftotext, from poppler-utils, which CI installs)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603 -- fixed arguments, our own temp file
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(out.stdout.split())


def _signed_session(patient, therapist, *, days_ago, before, after):
    appointment = past_appointment(therapist, patient, hours_ago=24 * days_ago)
    user = therapist.user
    records.start_note(therapist_user=user, appointment_id=appointment.pk)
    records.save_draft(
        therapist_user=user,
        appointment_id=appointment.pk,
        values={
            "subjective": SUBJECTIVE,
            "assessment": ASSESSMENT,
            "regions": ["left_calf"],
            "pressure": "light",
            "back_pain_before": before,
            "back_pain_after": after,
        },
    )
    records.sign_note(therapist_user=user, appointment_id=appointment.pk)


def _no_cure(text: str) -> None:
    assert "cure" not in text.lower()


def test_an_empty_history_renders_a_pdf_with_the_honest_wording(tmp_path):
    patient = PatientFactory(first_name="Ines", last_name="Okafor")

    pdf = report.render_report(patient=patient, viewer=patient)

    assert pdf.startswith(b"%PDF-")
    text = _text(pdf, tmp_path)
    for part in [*HONEST_PARTS, "Ines Okafor", "No recorded sessions yet", "No intake on file"]:
        assert part in text
    _no_cure(text)
    assert AuditEvent.objects.filter(action="report.generate", patient=patient).count() == 1


def test_three_years_of_diary_with_sessions_and_intake_render(tmp_path):
    patient = PatientFactory(first_name="Tomasz", last_name="Reyes")
    make_intake(patient, yes={"anticoagulants": True})
    today = timezone.localdate()
    PainEntry.objects.bulk_create(
        PainEntry(patient=patient, day=today - timedelta(days=i), back_pain=i % 11, leg_pain=3)
        for i in range(1, 3 * 365 + 1)
    )
    therapist = TherapistProfileFactory(user__first_name="Ada", user__last_name="Quist")
    for days_ago in (60, 30, 3):
        _signed_session(patient, therapist, days_ago=days_ago, before=7, after=4)

    pdf = report.render_report(patient=patient, viewer=patient)

    text = _text(pdf, tmp_path)
    for part in [
        *HONEST_PARTS,
        f"{3 * 365} days logged",
        "Ada Quist",
        "7 → 4 (−3)",
        "Right buttock, Right calf",
        "no deep or forceful",
        "Massage is a reasonable option, with precautions",
    ]:
        assert part in text, part
    _no_cure(text)


def test_the_html_never_says_cure_even_with_a_review_prompt():
    patient = PatientFactory()

    html = report.render_html(patient=patient, viewer=patient)

    _no_cure(html)
    assert "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_the_task_builds_the_report_and_marks_it_ready(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    patient = PatientFactory()

    with django_capture_on_commit_callbacks(execute=True):
        asked = services.request_report(patient=patient)

    asked.refresh_from_db()
    assert asked.status == ReportStatus.READY
    assert bytes(asked.pdf).startswith(b"%PDF-")
    assert asked.finished_at is not None


def test_asking_again_while_one_is_being_made_gives_the_same_report(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    patient = PatientFactory()

    first = services.request_report(patient=patient)
    second = services.request_report(patient=patient)

    assert first.pk == second.pk
    assert ProgressReport.objects.filter(patient=patient).count() == 1


def test_the_page_asks_polls_and_downloads(client, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    patient = PatientFactory()
    client.force_login(patient)

    client.post(reverse("outcomes:reports"))
    pending_page = client.get(reverse("outcomes:reports")).content.decode()
    partial = client.get(reverse("outcomes:reports"), headers={"HX-Request": "true"})

    assert 'hx-trigger="every 2s"' in pending_page
    assert "Being made" in pending_page
    assert "<html" not in partial.content.decode()
    assert 'hx-trigger="every 2s"' in partial.content.decode()

    made = ProgressReport.objects.get(patient=patient)
    made.status, made.pdf, made.finished_at = ReportStatus.READY, b"%PDF-1.7 x", timezone.now()
    made.save()
    ready = client.get(reverse("outcomes:reports"), headers={"HX-Request": "true"}).content.decode()
    download = client.get(reverse("outcomes:report_pdf", args=[made.pk]))

    assert "every 2s" not in ready  # polling stops once nothing is pending
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content == b"%PDF-1.7 x"


def test_the_diary_links_to_the_reports(client):
    client.force_login(PatientFactory())

    assert reverse("outcomes:reports") in client.get(reverse("outcomes:diary")).content.decode()


def _ready_report(patient):
    return ProgressReport.objects.create(
        patient=patient,
        requested_by=patient,
        status=ReportStatus.READY,
        pdf=b"%PDF-1.7 secret",
        finished_at=timezone.now(),
    )


def test_anonymous_people_are_sent_to_log_in(client):
    made = _ready_report(PatientFactory())

    for url in (reverse("outcomes:reports"), reverse("outcomes:report_pdf", args=[made.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_someone_elses_report_is_404_like_a_missing_one(client):
    made = _ready_report(PatientFactory())

    for who in (PatientFactory(), TherapistFactory()):
        client.force_login(who)
        assert client.get(reverse("outcomes:report_pdf", args=[made.pk])).status_code == 404
    assert client.get(reverse("outcomes:report_pdf", args=[made.pk + 999])).status_code == 404


def test_a_pending_report_is_not_downloadable(client):
    patient = PatientFactory()
    pending = ProgressReport.objects.create(patient=patient, requested_by=patient)
    client.force_login(patient)

    assert client.get(reverse("outcomes:report_pdf", args=[pending.pk])).status_code == 404


def test_the_report_list_is_for_patients(client):
    client.force_login(TherapistFactory())

    assert client.get(reverse("outcomes:reports")).status_code == 403
    assert client.post(reverse("outcomes:reports")).status_code == 403
