"""Moving in from Jane, Cliniko and a generic CSV: the dry run writes nothing, the import
creates what the dry run said, a second import creates nothing, and overlaps are listed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from sciaticare.accounts.models import User
from sciaticare.audit.models import AuditEvent
from sciaticare.integrations.models import ImportedRecord, ImportRun, RunStatus
from sciaticare.integrations.rows import said
from sciaticare.integrations.services import imports as services
from sciaticare.records.import_selectors import imported_summaries_for
from sciaticare.records.models import ImportedSummary
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import AppointmentFactory, ClinicAdminFactory, TherapistFactory

FILES = Path(__file__).parent / "files"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin])
    didsbury = LocationFactory(clinic=clinic, name="Didsbury")
    ana = TherapistProfileFactory(
        location=didsbury,
        user=TherapistFactory(first_name="Ana", last_name="García", email="ana@clinic.example"),
    )
    ben = TherapistProfileFactory(
        location=didsbury, user=TherapistFactory(first_name="Ben", last_name="Ode")
    )
    clinic.admin, clinic.ana, clinic.ben = admin, ana, ben
    return clinic


def upload(clinic, source, kind, name):
    return services.start_run(
        user=clinic.admin,
        clinic=clinic,
        source=source,
        kind=kind,
        file_name=name,
        data=(FILES / name).read_bytes(),
    )


def counts():
    return (
        User.objects.count(),
        Appointment.objects.count(),
        ImportedSummary.objects.count(),
        ImportedRecord.objects.count(),
    )


def refused(report):
    return {r.number: " ".join(r.reasons) for r in report.refused}


def test_cliniko_files_dry_run_writes_nothing_then_import_matches_it(clinic):
    run = upload(clinic, "cliniko", "patients", "cliniko_patients.csv")
    assert run.mapping == {
        "source_id": 0,
        "first_name": 1,
        "last_name": 2,
        "email": 4,
        "phone": 5,
    }
    before = counts()

    preview = services.dry_run(run=run, now=NOW)

    assert counts() == before
    assert preview.created == [2, 3, 4]
    assert set(refused(preview)) == {5, 6}
    assert "no email" in refused(preview)[5]
    assert "repeats row 2" in refused(preview)[6]
    notes = {n.number: " ".join(n.reasons) for n in preview.notes}
    assert "0161 496 0000 is a landline" in notes[3]
    assert "07700 900123 is not a mobile number" in notes[4]

    done = services.import_file(run=run, by=clinic.admin, now=NOW)

    assert done.created == preview.created
    assert refused(done) == refused(preview)
    tomas = User.objects.get(email="tomas@example.org")
    assert tomas.is_patient
    assert not tomas.has_usable_password()
    assert tomas.phone == ""  # a landline is left out, the patient imported
    assert User.objects.get(email="ruth.okafor@example.org").phone == "+447400123456"
    assert done.as_json()["notes"] == [
        {"row": n.number, "reasons": [r.as_json() for r in n.reasons]} for n in preview.notes
    ]
    run.refresh_from_db()
    assert run.status == RunStatus.IMPORTED
    assert run.content is None

    appointments = upload(clinic, "cliniko", "appointments", "cliniko_appointments.csv")
    preview = services.dry_run(run=appointments, now=NOW)
    before = counts()
    done = services.import_file(run=appointments, by=clinic.admin, now=NOW)

    assert done.created == preview.created == [2, 4, 5]
    assert refused(done) == refused(preview)
    assert "overlaps row 2" in refused(done)[3]
    assert "No therapist named Zed Unknown at this clinic: invite them first" in refused(done)[6]
    assert "cancelled" in refused(done)[7]
    assert "31/02/2026" in refused(done)[8]
    assert counts()[1] == before[1] + 3
    ruth = User.objects.get(email="ruth.okafor@example.org")
    future, past = (
        Appointment.objects.filter(patient=ruth).order_by("-start").values_list("status", "start")
    )
    assert future == (AppointmentStatus.BOOKED, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert past[0] == AppointmentStatus.COMPLETED
    # British summer time: 09:00 in Didsbury on 5 October is 08:00 UTC.
    assert past[1] == datetime(2026, 10, 5, 8, 0, tzinfo=UTC)


def test_importing_the_same_file_twice_creates_once(clinic):
    first = upload(clinic, "cliniko", "patients", "cliniko_patients.csv")
    services.import_file(run=first, by=clinic.admin, now=NOW)
    before = counts()

    second = upload(clinic, "cliniko", "patients", "cliniko_patients.csv")
    preview = services.dry_run(run=second, now=NOW)
    done = services.import_file(run=second, by=clinic.admin, now=NOW)

    assert counts() == before
    assert preview.already == done.already == [2, 3, 4]
    assert done.created == []


def test_an_appointment_overlapping_one_already_booked_is_listed_and_the_rest_imported(clinic):
    services.import_file(
        run=upload(clinic, "cliniko", "patients", "cliniko_patients.csv"), by=clinic.admin, now=NOW
    )
    taken = AppointmentFactory(therapist=clinic.ana, start=datetime(2026, 12, 7, 9, 15, tzinfo=UTC))

    done = services.import_file(
        run=upload(clinic, "cliniko", "appointments", "cliniko_appointments.csv"),
        by=clinic.admin,
        now=NOW,
    )

    assert f"overlaps appointment {taken.pk}" in refused(done)[2]
    # The scheduling app's refusal is kept in its English and values: read later in Spanish.
    result = ImportRun.objects.get(kind="appointments").result
    kept = next(r["reasons"][0] for r in result["refused"] if r["row"] == 2)
    with translation.override("es"):
        assert said(kept).startswith(f"Se solapa con la cita {taken.pk} (2026-12-07 09:15 con ")
    assert 2 not in done.created
    assert 4 in done.created
    assert not Appointment.objects.filter(patient__email="ruth.okafor@example.org", start__month=12)


def test_jane_files_read_month_first_dates_and_twelve_hour_times(clinic):
    services.import_file(
        run=upload(clinic, "jane", "patients", "jane_patients.csv"), by=clinic.admin, now=NOW
    )
    run = upload(clinic, "jane", "appointments", "jane_appointments.csv")
    assert (run.mapping["start"], run.mapping["time"], run.mapping["therapist"]) == (5, 6, 2)

    done = services.import_file(run=run, by=clinic.admin, now=NOW)

    assert done.created == [2, 3, 4]
    assert "overlaps row 2" in refused(done)[5]
    priya = Appointment.objects.get(patient__email="priya.shah@example.org")
    assert priya.start == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # GMT in December
    assert priya.end == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    sam = Appointment.objects.filter(patient__email="sam.lee@example.org").order_by("start")
    assert [a.status for a in sam] == [AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW]
    assert sam[0].changes.get().kind == "imported"


def test_generic_summaries_become_read_only_history_for_the_treating_therapist(clinic):
    services.import_file(
        run=upload(clinic, "generic", "patients", "generic_patients.csv"), by=clinic.admin, now=NOW
    )
    sam = User.objects.get(email="sam.lee@example.org")
    session = AppointmentFactory(
        patient=sam,
        therapist=clinic.ben,
        start=datetime(2026, 10, 12, 10, 0, tzinfo=UTC),
        status=AppointmentStatus.COMPLETED,
    )
    run = upload(clinic, "generic", "summaries", "generic_summaries.csv")
    assert set(run.mapping) == {
        "source_id",
        "patient_email",
        "therapist",
        "start",
        "time",
        "summary",
    }
    before = counts()
    preview = services.dry_run(run=run, now=NOW)
    assert counts() == before

    done = services.import_file(run=run, by=clinic.admin, now=NOW)

    assert done.created == preview.created == [2, 3]
    assert "add the time, or import the appointments first" in refused(done)[4]
    assert "import the patients file first" in refused(done)[5]
    assert ImportedSummary.objects.get(source_id="S-2").appointment == session
    priya_summary = ImportedSummary.objects.get(source_id="S-1")
    assert priya_summary.appointment.status == AppointmentStatus.COMPLETED
    assert priya_summary.source_system == "Another system (generic CSV)"
    assert imported_summaries_for(viewer=clinic.ana.user, patient=priya_summary.patient) == [
        priya_summary
    ]
    assert AuditEvent.objects.filter(action="imported_summary.read").count() == 1
    assert imported_summaries_for(viewer=clinic.ben.user, patient=priya_summary.patient) == []


def test_a_file_left_without_a_decision_is_emptied_after_seven_days(clinic):
    from datetime import timedelta

    run = upload(clinic, "jane", "patients", "jane_patients.csv")

    assert services.purge_stale_files(now=run.created_at + timedelta(days=6)) == 0
    assert services.purge_stale_files(now=run.created_at + timedelta(days=8)) == 1
    run.refresh_from_db()
    assert run.content is None
    assert run.status == RunStatus.DISCARDED
