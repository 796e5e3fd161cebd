"""`seed_demo` moves the demo clinic in from Cliniko through the import's own steps: its admin
finds three finished runs in the import history, each with what it refused, once however often
`make run` runs."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.directory.selectors.access import clinic_run_by
from sciaticare.integrations.models import ImportedRecord, ImportRun, RunStatus
from sciaticare.integrations.rows import said
from sciaticare.integrations.selectors import imports as selectors
from sciaticare.records.models import ImportedSummary
from sciaticare.scheduling.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 10, 20, tzinfo=UTC)  # a Saturday morning


def test_seed_demo_imports_a_clinic_from_cliniko_once(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    call_command("seed_demo")

    runs = {run.kind: run for run in ImportRun.objects.all()}
    assert set(runs) == {"patients", "appointments", "summaries"}
    assert {run.clinic.name for run in runs.values()} == {"Didsbury Back Care"}
    assert all(run.status == RunStatus.IMPORTED and run.content is None for run in runs.values())
    patients = runs["patients"].result
    assert (patients["created"], patients["matched"]) == (40, 0)
    # Row 26 has no email; Tom Becker (row 43) has an account but never booked here: not linked.
    assert [r["row"] for r in patients["refused"]] == [26, 43]
    assert "not a patient of this clinic" in said(patients["refused"][1]["reasons"][0])
    assert "landline" in said(patients["notes"][0]["reasons"][0])
    appointments = runs["appointments"].result
    assert appointments["created"] >= 25
    reasons = " ".join(" ".join(map(said, r["reasons"])) for r in appointments["refused"])
    assert "overlaps appointment" in reasons
    assert "No therapist named Rebecca Stone" in reasons
    assert "cancelled in Cliniko" in reasons
    assert runs["summaries"].result["created"] >= 50
    assert ImportedSummary.objects.count() == runs["summaries"].result["created"]
    imported = ImportedRecord.objects.filter(kind="appointments").values_list("target_id")
    assert set(Appointment.objects.filter(pk__in=imported).values_list("status", flat=True)) == {
        AppointmentStatus.BOOKED
    }

    admin = User.objects.get(email="clinic@example.com")
    clinic = clinic_run_by(user=admin, clinic_id=runs["patients"].clinic_id)
    assert [run.file_name for run in selectors.runs_of(clinic=clinic)] == [
        "cliniko-treatment-notes.csv",
        "cliniko-appointments.csv",
        "cliniko-patients.csv",
    ]

    before = (ImportRun.objects.count(), Appointment.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (ImportRun.objects.count(), Appointment.objects.count(), User.objects.count()) == before
