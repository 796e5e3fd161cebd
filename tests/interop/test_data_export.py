"""'Download everything': the task makes a zip whose every file matches the database; only the
patient downloads it; every step is audited."""

import csv
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sciaticare.audit.models import AuditEvent
from sciaticare.core.generated import FileStatus
from sciaticare.exercises.models import ExerciseLog, LegPain
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.interop import archive, selectors, services, services_archive
from sciaticare.interop.models import DataExport
from sciaticare.interop.tasks import build_data_export
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.database_faults import failing, lock_timeout
from tests.directory.factories import TherapistProfileFactory
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory, TherapistFactory
from tests.interop.test_export_import import history

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
FORMULA = '=HYPERLINK("http://evil.example","click")'


def world() -> Any:
    """history() (a signed session, a diary day, two scores) plus a diary day whose note starts
    like a formula, and a cancelled booking."""
    patient = history()
    PainEntry.objects.create(
        patient=patient,
        day=timezone.localdate() - timedelta(days=1),
        back_pain=3,
        leg_pain=8,
        note=FORMULA,
        tags=["bad_night", "flare_up"],
    )
    signed = Appointment.objects.get(patient=patient)
    Appointment.objects.create(
        patient=patient,
        therapist=signed.therapist,
        location=signed.location,
        session_type=signed.session_type,
        start=signed.start + timedelta(days=3),
        end=signed.end + timedelta(days=3),
        busy_until=signed.busy_until + timedelta(days=3),
        status=AppointmentStatus.CANCELLED,
    )
    return patient


def _made(patient) -> DataExport:
    asked, _ = services_archive.request_data_export(patient=patient)
    build_data_export.call(asked.pk)
    asked.refresh_from_db()
    return asked


def _csv(opened: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = opened.read(name).decode()
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_the_zip_holds_every_file_and_each_matches_the_database():
    patient = world()

    made = _made(patient)

    assert made.status == FileStatus.READY
    opened = zipfile.ZipFile(io.BytesIO(bytes(made.content)))
    assert opened.namelist() == list(archive.FILES)

    readme = opened.read("README.txt").decode()
    for name in archive.FILES:
        assert f"- {name}: " in readme
    assert patient.display_name in readme
    assert "8 years after your last session" in readme

    bundle = json.loads(opened.read("record.fhir.json"))
    assert bundle == services.export_patient(patient=patient, viewer=patient)

    diary = _csv(opened, "diary.csv")
    entries = list(PainEntry.objects.filter(patient=patient).order_by("day"))
    assert list(diary[0]) == list(selectors.DIARY_HEADER)
    assert [(r["date"], r["back_pain_0_to_10"], r["leg_pain_0_to_10"]) for r in diary] == [
        (e.day.isoformat(), str(e.back_pain), str(e.leg_pain)) for e in entries
    ]
    assert diary[0]["note"] == "'" + FORMULA  # escaped: no spreadsheet runs it
    assert diary[0]["tags"] == "bad_night; flare_up"
    assert diary[1]["tags"] == "after_massage"

    sessions = _csv(opened, "sessions.csv")
    appointments = list(Appointment.objects.filter(patient=patient).order_by("start"))
    note = SessionNote.objects.get(patient=patient)
    assert list(sessions[0]) == list(selectors.SESSIONS_HEADER)
    assert [r["status"] for r in sessions] == [a.get_status_display() for a in appointments]
    assert sessions[0]["start_utc"] == appointments[0].start.isoformat()
    assert sessions[0]["therapist"] == note.therapist.user.display_name
    assert sessions[0]["clinic"] == appointments[0].location.clinic.name
    assert (
        sessions[0]["back_pain_before"],
        sessions[0]["back_pain_after"],
        sessions[0]["leg_pain_before"],
        sessions[0]["leg_pain_after"],
    ) == ("6", "4", "7", "5")
    assert sessions[0]["regions_worked_on"] == "Left buttock; Left calf"
    assert sessions[0]["note_signed_utc"] == note.signed_at.isoformat()
    assert sessions[0]["amended_after_signing"] == "no"
    assert sessions[1]["status"] == "Cancelled"
    assert sessions[1]["note_signed_utc"] == ""

    scores = _csv(opened, "scores.csv")
    responses = list(QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at"))
    assert list(scores[0]) == list(selectors.SCORES_HEADER)
    assert [(r["instrument_code"], float(r["score"]), r["band"]) for r in scores] == [
        (q.instrument, q.score, q.band) for q in responses
    ]

    assert opened.read("progress-report.pdf").startswith(b"%PDF-")
    actions = set(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert {"export.request", "export.generate", "fhir.export", "report.generate"} <= actions


def test_asking_again_while_one_is_being_made_gives_the_same_export(settings):
    settings.TASKS = DUMMY
    patient = PatientFactory()

    first, first_new = services_archive.request_data_export(patient=patient)
    second, second_new = services_archive.request_data_export(patient=patient)

    assert first.pk == second.pk
    assert (first_new, second_new) == (True, False)
    assert DataExport.objects.filter(patient=patient).count() == 1


def test_the_page_queues_the_task_once_with_the_row(client):
    patient = PatientFactory()
    client.force_login(patient)

    client.post(reverse("interop:your_data"))
    client.post(reverse("interop:your_data"))  # while it is being made

    export = DataExport.objects.get(patient=patient)
    queued = DBTaskResult.objects.all()
    assert [(t.task_path.rsplit(".", 1)[1], t.args_kwargs["args"]) for t in queued] == [
        ("build_data_export", [export.pk])
    ]


def test_an_archive_whose_task_could_not_be_queued_is_not_left_being_made(client):
    patient = PatientFactory()
    client.force_login(patient)
    client.raise_request_exception = False

    with failing(lock_timeout, when=lambda sql: DBTaskResult._meta.db_table in sql):
        answer = client.post(reverse("interop:your_data"))

    assert answer.status_code == 503
    assert not DataExport.objects.filter(patient=patient).exists()
    # Asked again, it is made: a new row with its task.
    client.post(reverse("interop:your_data"))
    export = DataExport.objects.get(patient=patient)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [export.pk]


def _ready(patient, *, days_ago: float = 0) -> DataExport:
    at = timezone.now() - timedelta(days=days_ago)
    return DataExport.objects.create(
        patient=patient,
        status=FileStatus.READY,
        content=b"PK zip bytes",
        requested_at=at,
        finished_at=at,
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("patient", 200),
        ("other_patient", 404),
        ("therapist", 404),
        ("clinic_admin", 404),
        ("site_admin", 404),
    ],
)
def test_only_the_patient_downloads_their_archive(client, who, status):
    patient = PatientFactory()
    export = _ready(patient)
    people = {
        "anonymous": None,
        "patient": patient,
        "other_patient": PatientFactory(),
        "therapist": TherapistProfileFactory().user,
        "clinic_admin": ClinicAdminFactory(),
        "site_admin": SiteAdminFactory(),
    }
    if people[who] is not None:
        client.force_login(people[who])

    response = client.get(reverse("interop:export_zip", args=[export.pk]))

    assert response.status_code == status
    downloads = AuditEvent.objects.filter(action="export.download", patient=patient)
    if status == 200:
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert response.content == b"PK zip bytes"
        assert downloads.get().actor == patient
    else:
        assert b"PK zip bytes" not in response.content
        assert not downloads.exists()


def test_an_archive_past_its_keeping_time_is_gone_and_the_daily_purge_deletes_it(client):
    patient = PatientFactory()
    old, fresh = _ready(patient, days_ago=8), _ready(patient, days_ago=1)
    client.force_login(patient)

    assert client.get(reverse("interop:export_zip", args=[old.pk])).status_code == 404
    assert services_archive.purge_expired_exports() == 1
    assert list(DataExport.objects.filter(patient=patient)) == [fresh]


def test_the_page_asks_polls_and_lists_only_the_patients_own(client, settings):
    settings.TASKS = DUMMY
    patient, other = PatientFactory(), PatientFactory()
    theirs = _ready(other)
    client.force_login(patient)

    asked = client.post(reverse("interop:your_data"))
    page = client.get(reverse("interop:your_data"))
    partial = client.get(reverse("interop:your_data"), headers={"HX-Request": "true"})

    assert asked.status_code == 302
    assert DataExport.objects.filter(patient=patient, status=FileStatus.PENDING).exists()
    assert AuditEvent.objects.filter(action="export.request", actor=patient).exists()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "Being made" in body
    assert reverse("interop:export_zip", args=[theirs.pk]) not in body
    assert "<html" not in partial.content.decode()
    for name in archive.FILES:
        assert name in body
    assert "8 years after your last session" in body


@pytest.mark.parametrize("factory", [TherapistFactory, ClinicAdminFactory, SiteAdminFactory])
def test_staff_without_a_patient_record_get_no_data_page(client, factory):
    client.force_login(factory())

    assert client.get(reverse("interop:your_data")).status_code == 403
    assert client.post(reverse("interop:your_data")).status_code == 403
    assert not DataExport.objects.exists()


def test_the_account_page_links_to_your_data(client):
    client.force_login(PatientFactory())

    assert reverse("interop:your_data") in client.get(reverse("accounts:account")).content.decode()


def test_the_exercises_file_holds_every_tick_with_the_leg_s_answer():
    patient = history(programme=True)
    ticks = list(ExerciseLog.objects.filter(plan__patient=patient).order_by("date"))
    marked = ticks[-1]
    marked.leg_pain, marked.spread_down_leg = LegPain.WORSE, True
    marked.save()

    opened = zipfile.ZipFile(io.BytesIO(bytes(_made(patient).content)))

    rows = _csv(opened, "exercises.csv")
    assert list(rows[0]) == list(selectors.EXERCISES_HEADER)
    assert [(r["date"], r["exercise"], r["done"]) for r in rows] == [
        (t.date.isoformat(), "Knee to chest", "Yes") for t in ticks
    ]
    assert rows[0]["programme_from"] == marked.plan.therapist.display_name
    assert (rows[-1]["leg_pain_after"], rows[-1]["spread_down_leg"]) == ("Worse", "Yes")
    assert (rows[0]["leg_pain_after"], rows[0]["spread_down_leg"]) == ("", "No")
