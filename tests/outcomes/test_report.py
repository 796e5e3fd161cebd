"""The PDF progress report: its content (empty and long histories), the task that builds it,
and who may ask for it and download it."""

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sciaticare.audit.models import AuditEvent
from sciaticare.core.generated import FileStatus
from sciaticare.outcomes import report, services
from sciaticare.outcomes.models import PainEntry, ProgressReport
from sciaticare.outcomes.tasks import build_report
from sciaticare.records import services as records
from tests.database_faults import failing, lock_timeout
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


def test_the_task_builds_the_report_and_marks_it_ready():
    patient = PatientFactory()
    asked, _ = services.request_report(patient=patient)

    build_report.call(asked.pk)

    asked.refresh_from_db()
    assert asked.status == FileStatus.READY
    assert bytes(asked.content).startswith(b"%PDF-")
    assert asked.finished_at is not None


def test_asking_again_while_one_is_being_made_gives_the_same_report(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    patient = PatientFactory()

    first, first_new = services.request_report(patient=patient)
    second, second_new = services.request_report(patient=patient)

    assert first.pk == second.pk
    assert (first_new, second_new) == (True, False)
    assert ProgressReport.objects.filter(patient=patient).count() == 1


def test_the_page_queues_the_task_once_with_the_row(client):
    patient = PatientFactory()
    client.force_login(patient)

    client.post(reverse("outcomes:reports"), {"date_of_birth": "1970-05-17"})
    client.post(reverse("outcomes:reports"), {"date_of_birth": "1970-05-17"})  # being made

    made = ProgressReport.objects.get(patient=patient)
    assert [t.args_kwargs["args"] for t in DBTaskResult.objects.all()] == [[made.pk]]
    assert DBTaskResult.objects.get().task_path.endswith(".build_report")


def test_a_report_whose_task_could_not_be_queued_is_not_left_being_made(client):
    patient = PatientFactory()
    client.force_login(patient)
    client.raise_request_exception = False

    with failing(lock_timeout, when=lambda sql: DBTaskResult._meta.db_table in sql):
        answer = client.post(reverse("outcomes:reports"), {"date_of_birth": "1970-05-17"})

    assert answer.status_code == 503
    assert not ProgressReport.objects.filter(patient=patient).exists()
    client.post(reverse("outcomes:reports"), {"date_of_birth": "1970-05-17"})
    made = ProgressReport.objects.get(patient=patient)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [made.pk]


def test_the_page_asks_polls_and_downloads(client, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    patient = PatientFactory()
    client.force_login(patient)

    client.post(reverse("outcomes:reports"), {"date_of_birth": "1970-05-17"})
    pending_page = client.get(reverse("outcomes:reports")).content.decode()
    partial = client.get(reverse("outcomes:reports"), headers={"HX-Request": "true"})

    assert 'hx-trigger="every 2s"' in pending_page
    assert "Being made" in pending_page
    assert "<html" not in partial.content.decode()
    assert 'hx-trigger="every 2s"' in partial.content.decode()

    made = ProgressReport.objects.get(patient=patient)
    made.status, made.content, made.finished_at = FileStatus.READY, b"%PDF-1.7 x", timezone.now()
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
        status=FileStatus.READY,
        content=b"%PDF-1.7 secret",
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


# --- the doctor's report identifies the patient, states the baseline, keeps notes out -----------


def _rmdq_answers(ticked):
    return {f"rmdq-{n}": n <= ticked for n in range(1, 25)}


def _questionnaire(patient, code, answers, *, days_ago):
    from sciaticare.intake import services as intake

    made = intake.record_questionnaire(patient=patient, code=code, answers=answers, version="1.0")
    made.completed_at = timezone.now() - timedelta(days=days_ago)
    made.save(update_fields=["completed_at"])
    return made


def _doctor_report_world():
    patient = PatientFactory(first_name="Maud", last_name="Ellery")
    therapist = TherapistProfileFactory()
    today = timezone.localdate()
    PainEntry.objects.bulk_create(
        PainEntry(patient=patient, day=today - timedelta(days=i), back_pain=3, leg_pain=6)
        for i in range(1, 40)
    )
    _signed_session(patient, therapist, days_ago=30, before=7, after=4)
    _questionnaire(patient, "rmdq", _rmdq_answers(12), days_ago=35)
    _questionnaire(patient, "rmdq", _rmdq_answers(8), days_ago=2)
    _questionnaire(patient, "peg", {"peg-1": 6, "peg-2": 6, "peg-3": 6}, days_ago=35)
    _questionnaire(patient, "peg", {"peg-1": 5, "peg-2": 5, "peg-3": 5}, days_ago=2)
    return patient


def test_the_doctors_report_identifies_the_patient_and_states_the_baseline(tmp_path):
    from sciaticare.outcomes.identity import PatientIdentity

    patient = _doctor_report_world()
    identity = PatientIdentity(date(1961, 3, 4), "9434765919")

    text = _text(report.render_report(patient=patient, viewer=patient, identity=identity), tmp_path)

    assert "Date of birth 4 March 1961" in text
    assert "NHS number 943 476 5919" in text
    first_session = (timezone.localdate() - timedelta(days=30)).strftime("%-d %B %Y")
    assert "Baseline: median worst daily pain 6 of 10" in text
    assert f"first session on {first_session}" in text
    # The table's cells wrap in the PDF's text: read the first score's date in the HTML.
    html = report.render_html(patient=patient, viewer=patient, identity=identity)
    baseline_day = (timezone.localdate() - timedelta(days=35)).strftime("%-d %b %Y")
    assert f"12 on {baseline_day}" in html  # the RMDQ's first score, with its date


def test_the_doctors_report_carries_no_session_note_text(tmp_path):
    patient = _doctor_report_world()

    text = _text(report.render_report(patient=patient, viewer=patient), tmp_path)

    assert SUBJECTIVE not in text
    assert ASSESSMENT not in text
    assert "7 → 4 (−3)" in text  # the pain numbers are what the report takes from a note


def test_the_doctors_report_draws_the_verdicts_threshold_and_says_so(tmp_path):
    patient = _doctor_report_world()

    text = _text(report.render_report(patient=patient, viewer=patient), tmp_path)
    html = report.render_html(patient=patient, viewer=patient)

    # RMDQ 12 -> 8: meaningful, and the line the table states is 8.4 (it was drawn at 7).
    assert "8.4 or less (3.6 points: 30 % of 12)" in html
    assert "meaningful improvement" in html
    assert "30 % of the first score (no published threshold)" in html
    assert "Meaningful change (3.6 points)" in text  # the chart's line, named in its legend
    assert "published MCID" not in text
    for marker in ("CLINICAL", "\N{SECTION SIGN}", "verify", "verify".upper()):
        assert marker not in text


def test_the_rmdq_chart_in_the_report_has_whole_number_ticks():
    import re

    patient = _doctor_report_world()

    html = report.render_html(patient=patient, viewer=patient)

    rmdq_svg = html[html.index('id="rmdq-title"') :]
    rmdq_svg = rmdq_svg[: rmdq_svg.index("</svg>")]
    ticks = re.findall(r'<text class="tick" x="30"[^>]*>([^<]*)</text>', rmdq_svg)
    assert ticks == ["0", "4", "8", "12", "16", "20", "24"]
    assert "meaningful change (3.6 points)" in rmdq_svg


def test_asking_for_a_report_needs_a_date_of_birth_and_checks_an_nhs_number(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    patient = PatientFactory()
    client.force_login(patient)
    url = reverse("outcomes:reports")

    missing = client.post(url, {"date_of_birth": ""})
    future = client.post(url, {"date_of_birth": "2999-01-01"})
    bad_nhs = client.post(url, {"date_of_birth": "1961-03-04", "identifier": "943 476 5918"})
    control = client.post(url, {"date_of_birth": "1961-03-04", "identifier": "A1\r\nB2"})
    markup = client.post(url, {"date_of_birth": "1961-03-04", "identifier": "<b>1</b>"})

    assert [r.status_code for r in (missing, future, bad_nhs, control, markup)] == [422] * 5
    assert "Enter your date of birth" in missing.content.decode()
    assert "not a valid NHS number" in bad_nhs.content.decode()
    assert not ProgressReport.objects.filter(patient=patient).exists()

    ok = client.post(url, {"date_of_birth": "1961-03-04", "identifier": "943 476 5919"})

    assert ok.status_code == 302
    made = ProgressReport.objects.get(patient=patient)
    assert (made.date_of_birth, made.patient_identifier) == (date(1961, 3, 4), "943 476 5919")
    # The next request is pre-filled with what was given last time.
    page = client.get(url).content.decode()
    assert 'value="1961-03-04"' in page
    assert 'value="943 476 5919"' in page


def test_the_task_prints_the_identity_given_with_the_request(tmp_path):
    from sciaticare.outcomes.identity import PatientIdentity

    patient = PatientFactory()
    asked, _ = services.request_report(
        patient=patient, identity=PatientIdentity(date(1980, 12, 1), "MRN 44-1029")
    )

    build_report.call(asked.pk)

    asked.refresh_from_db()
    text = _text(bytes(asked.content), tmp_path)
    assert "Date of birth 1 December 1980" in text
    assert "Identifier MRN 44-1029" in text
