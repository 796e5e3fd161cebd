"""Findings of the attack on "Moving in" (CSV imports by a clinic admin), each named by finding:

1. An import took over the care of any patient on the platform (an appointments or summaries
   row naming an existing account's email, or a patients row linking it).
2. The dry run named another clinic's appointments (id, time, therapist) in its overlaps.
3. A patients file linked a staff account and made it a patient.
4. Dates at the calendar's ends were a 500 (9999-12-31 23:30, 0001-01-01); 1900 and 2999
   were accepted.
5. A cell that begins like a formula was quoted in a reason without its apostrophe.
6. Three imports of one file at once (PostgreSQL): unique keys raced into a 500.
"""

from __future__ import annotations

# Dates in a file are the location's clock: naive until the service applies the zone.
# ruff: noqa: DTZ001
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import example, given
from hypothesis import strategies as st

from sciaticare.accounts.models import User
from sciaticare.integrations.mappings import Kind, Source
from sciaticare.integrations.models import ImportedRecord, ImportRun
from sciaticare.integrations.rows import EARLIEST, LATEST, Row, parse_row
from sciaticare.integrations.services import imports as services
from sciaticare.records.models import ImportedSummary
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.care import treats
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import (
    AppointmentFactory,
    ClinicAdminFactory,
    PatientFactory,
    SiteAdminFactory,
    TherapistFactory,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

PATIENTS = "Id,First name,Last name,Email\n"
APPOINTMENTS = "Id,Client email,Therapist,Start,End\n"
SUMMARIES = "Id,Client email,Therapist,Date,Summary\n"
MAPPINGS = {
    "patients": {"source_id": 0, "first_name": 1, "last_name": 2, "email": 3},
    "appointments": {"source_id": 0, "patient_email": 1, "therapist": 2, "start": 3, "end": 4},
    "summaries": {"source_id": 0, "patient_email": 1, "therapist": 2, "start": 3, "summary": 4},
}


def make_clinic(name: str):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin], name=name)
    place = LocationFactory(clinic=clinic, name=f"{name} rooms", time_zone="Europe/London")
    therapist = TherapistProfileFactory(
        location=place, user=TherapistFactory(first_name=name, last_name="Therapist")
    )
    clinic.admin, clinic.place, clinic.therapist = admin, place, therapist
    return clinic


@pytest.fixture
def ours(db):
    return make_clinic("Ours")


@pytest.fixture
def theirs(db):
    return make_clinic("Theirs")


def run_of(clinic, kind: str, text: str) -> ImportRun:
    run = services.start_run(
        user=clinic.admin,
        clinic=clinic,
        source="generic",
        kind=kind,
        file_name=f"{kind}.csv",
        data=text.encode(),
    )
    return services.set_mapping(run=run, mapping=MAPPINGS[kind])


def both(clinic, kind: str, text: str):
    """The dry run's report and the import's."""
    return (
        services.dry_run(run=run_of(clinic, kind, text), now=NOW),
        services.import_file(run=run_of(clinic, kind, text), by=clinic.admin, now=NOW),
    )


def reasons(report) -> dict[int, str]:
    return {r.number: " ".join(r.reasons) for r in report.refused}


def their_patient(theirs) -> User:
    patient = PatientFactory(email="victim@example.org")
    AppointmentFactory(
        patient=patient,
        therapist=theirs.therapist,
        location=theirs.place,
        start=NOW - timedelta(days=30),
        status=AppointmentStatus.COMPLETED,
    )
    return patient


# --- 1. Taking over another clinic's patient ----------------------------------------------


def test_f1_an_appointments_row_naming_another_clinics_patient_is_refused(ours, theirs):
    victim = their_patient(theirs)
    text = APPOINTMENTS + "A-1,victim@example.org,Ours Therapist,2026-10-01 10:00,\n"

    for report in both(ours, "appointments", text):
        assert report.created == []
        assert "no patient of this clinic has the email" in reasons(report)[2]
    assert not Appointment.objects.filter(patient=victim, location__clinic=ours).exists()
    assert not treats(therapist=ours.therapist.user, patient=victim)


def test_f1_a_summaries_row_naming_another_clinics_patient_is_refused(ours, theirs):
    victim = their_patient(theirs)
    text = SUMMARIES + "S-1,victim@example.org,Ours Therapist,2026-10-01 10:00,Back.\n"

    for report in both(ours, "summaries", text):
        assert report.created == []
        assert "no patient of this clinic" in reasons(report)[2]
    assert not ImportedSummary.objects.exists()
    assert not treats(therapist=ours.therapist.user, patient=victim)


def test_f1_the_same_refusal_whether_an_account_exists_or_not(ours, theirs):
    their_patient(theirs)
    text = (
        APPOINTMENTS
        + "A-1,victim@example.org,Ours Therapist,2026-10-01 10:00,\n"
        + "A-2,nobody@example.org,Ours Therapist,2026-10-02 10:00,\n"
    )
    report = services.dry_run(run=run_of(ours, "appointments", text), now=NOW)
    said = reasons(report)
    assert said[2].replace("victim", "X").replace("A-1", "") == said[3].replace(
        "nobody", "X"
    ).replace("A-2", "")


def test_f1_a_patients_row_does_not_link_another_clinics_patient(ours, theirs):
    victim = their_patient(theirs)
    text = PATIENTS + "P-1,Vic,Tim,VICTIM@example.org\n"

    for report in both(ours, "patients", text):
        assert (report.created, report.matched) == ([], [])
        assert "is not a patient of this clinic" in reasons(report)[2]
    assert not ImportedRecord.objects.exists()
    # Nor through the id the refused row had in the other system.
    text = (
        APPOINTMENTS.replace("Client email", "Client id")
        + "A-1,P-1,Ours Therapist,2026-10-01 10:00,\n"
    )
    run = services.start_run(
        user=ours.admin,
        clinic=ours,
        source="generic",
        kind="appointments",
        file_name="a.csv",
        data=text.encode(),
    )
    services.set_mapping(
        run=run, mapping={"source_id": 0, "patient_id": 1, "therapist": 2, "start": 3}
    )
    assert services.import_file(run=run, by=ours.admin, now=NOW).created == []
    assert not treats(therapist=ours.therapist.user, patient=victim)


def test_f1_an_account_that_booked_here_before_is_matched_and_its_history_imported(ours, theirs):
    known = PatientFactory(email="known@example.org")
    AppointmentFactory(
        patient=known,
        therapist=ours.therapist,
        location=ours.place,
        start=NOW - timedelta(days=3),
        status=AppointmentStatus.CANCELLED,
    )
    report = services.import_file(
        run=run_of(ours, "patients", PATIENTS + "P-1,Kno,Wn,known@example.org\n"),
        by=ours.admin,
        now=NOW,
    )
    assert report.matched == [2]
    text = APPOINTMENTS + "A-1,known@example.org,Ours Therapist,2026-10-01 10:00,\n"
    assert services.import_file(
        run=run_of(ours, "appointments", text), by=ours.admin, now=NOW
    ).created == [2]


def test_f1_a_patient_made_by_this_clinics_import_takes_appointments(ours):
    services.import_file(
        run=run_of(ours, "patients", PATIENTS + "P-1,New,Comer,new@example.org\n"),
        by=ours.admin,
        now=NOW,
    )
    text = APPOINTMENTS + "A-1,new@example.org,Ours Therapist,2026-10-01 10:00,\n"
    report = services.import_file(run=run_of(ours, "appointments", text), by=ours.admin, now=NOW)
    assert report.created == [2]


def test_f1_a_waitlist_hold_alone_does_not_make_a_clinics_patient(ours):
    held = PatientFactory(email="held@example.org")
    AppointmentFactory(
        patient=held,
        therapist=ours.therapist,
        location=ours.place,
        start=NOW + timedelta(days=3),
        status=AppointmentStatus.HELD,
    )
    report = services.dry_run(
        run=run_of(ours, "patients", PATIENTS + "P-1,He,Ld,held@example.org\n"), now=NOW
    )
    assert "not a patient of this clinic" in reasons(report)[2]


# --- 2. Overlaps at another clinic ----------------------------------------------------------


def test_f2_an_overlap_at_another_clinic_is_not_described(ours, theirs):
    patient = PatientFactory(email="shared@example.org")
    AppointmentFactory(
        patient=patient,
        therapist=ours.therapist,
        location=ours.place,
        start=NOW - timedelta(days=60),
        status=AppointmentStatus.COMPLETED,
    )
    elsewhere = AppointmentFactory(
        patient=patient,
        therapist=theirs.therapist,
        location=theirs.place,
        start=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    )
    text = APPOINTMENTS + "A-1,shared@example.org,Ours Therapist,2026-12-06 09:00,\n"

    said = reasons(services.dry_run(run=run_of(ours, "appointments", text), now=NOW))[2]

    assert said == "The patient has another session at that time."
    assert str(elsewhere.pk) not in said
    assert "Theirs" not in said


def test_f2_a_therapist_busy_at_another_clinic_is_not_described(ours, theirs):
    from sciaticare.directory.models import TherapistLocation

    ours.therapist.clinics.add(theirs)
    TherapistLocation.objects.create(therapist=ours.therapist, location=theirs.place)
    elsewhere = AppointmentFactory(
        therapist=ours.therapist,
        location=theirs.place,
        start=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    )
    services.import_file(
        run=run_of(ours, "patients", PATIENTS + "P-1,New,Comer,new@example.org\n"),
        by=ours.admin,
        now=NOW,
    )
    text = APPOINTMENTS + "A-1,new@example.org,Ours Therapist,2026-12-06 09:00,\n"

    said = reasons(services.dry_run(run=run_of(ours, "appointments", text), now=NOW))[2]

    assert said == "The therapist has another session at that time."
    assert str(elsewhere.pk) not in said


def test_f2_an_overlap_at_this_clinic_is_still_described(ours):
    taken = AppointmentFactory(
        therapist=ours.therapist, location=ours.place, start=datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    )
    services.import_file(
        run=run_of(ours, "patients", PATIENTS + "P-1,New,Comer,new@example.org\n"),
        by=ours.admin,
        now=NOW,
    )
    text = APPOINTMENTS + "A-1,new@example.org,Ours Therapist,2026-12-06 09:00,\n"
    said = reasons(services.dry_run(run=run_of(ours, "appointments", text), now=NOW))[2]
    assert f"overlaps appointment {taken.pk}" in said


# --- 3. Staff accounts ----------------------------------------------------------------------


@pytest.mark.parametrize("make", [SiteAdminFactory, ClinicAdminFactory, TherapistFactory])
def test_f3_a_staff_account_is_never_linked_nor_made_a_patient(ours, make):
    staff = make(email="staff@example.org")
    staff.is_patient = False
    staff.save(update_fields=["is_patient"])
    text = PATIENTS + "P-1,St,Aff,staff@example.org\n"

    for report in both(ours, "patients", text):
        assert "This email belongs to a staff account" in reasons(report)[2]
    staff.refresh_from_db()
    assert not staff.is_patient
    assert not ImportedRecord.objects.exists()


# --- 4. Dates at the ends of the calendar ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "words"),
    [
        ("appointments", "9999-12-31 23:30", "outside the dates we import"),
        ("appointments", "0001-01-01 00:00", "outside the dates we import"),
        ("appointments", "1900-01-01 10:00", "outside the dates we import"),
        ("appointments", "2999-01-01 10:00", "outside the dates we import"),
        ("appointments", "2030-01-01 10:00", "too far ahead"),
        ("summaries", "0001-01-01", "outside the dates we import"),
        ("summaries", "9999-12-31 23:59", "outside the dates we import"),
    ],
)
def test_f4_a_date_at_the_calendars_ends_is_a_refused_row(ours, kind, text, words):
    services.import_file(
        run=run_of(ours, "patients", PATIENTS + "P-1,New,Comer,new@example.org\n"),
        by=ours.admin,
        now=NOW,
    )
    header = APPOINTMENTS if kind == "appointments" else SUMMARIES
    last = "" if kind == "appointments" else "Back."
    for report in both(ours, kind, header + f"X-1,new@example.org,Ours Therapist,{text},{last}\n"):
        assert words in reasons(report)[2]


def test_f4_an_end_at_the_calendars_end_is_a_refused_row(ours):
    text = APPOINTMENTS + "X-1,new@example.org,Ours Therapist,2026-10-01 10:00,9999-12-31 23:59\n"
    assert (
        "outside the dates"
        in reasons(services.dry_run(run=run_of(ours, "appointments", text), now=NOW))[2]
    )


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)))
@example(datetime(9999, 12, 31, 23, 30))
@example(datetime(1, 1, 1))
@example(datetime(1900, 1, 1, 10))
@example(datetime(2999, 1, 1, 10))
@example(datetime(2000, 1, 1))
@example(datetime(2100, 12, 31, 23, 59))
def test_f4_any_date_parses_to_a_refusal_or_a_time_whose_arithmetic_stays_in_the_calendar(
    moment,
):
    written = f"{moment.year:04d}-{moment:%m-%d %H:%M}"
    row = parse_row(
        kind=Kind.APPOINTMENTS,
        source=Source.GENERIC,
        number=2,
        cells=["A-1", "p@example.org", "Ana", written, ""],
        mapping=MAPPINGS["appointments"],
    )
    if not isinstance(row, Row):
        assert EARLIEST.year > moment.year or moment.year > LATEST.year
        return
    assert row.start is not None
    assert EARLIEST <= row.start.date() <= LATEST
    # What the service does with it: a zone either side of UTC, a session, a day either side.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        aware = row.start.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        assert aware + timedelta(hours=6, days=2) - timedelta(days=2, hours=12)


# --- 5. Formula cells quoted in reasons -----------------------------------------------------


def test_f5_a_formula_cell_is_quoted_with_its_apostrophe(ours):
    text = PATIENTS + "P-1,Eve,Il,@SUM(1)\n"
    said = reasons(services.dry_run(run=run_of(ours, "patients", text), now=NOW))[2]
    assert "“'@SUM(1)” is not an email address" in said
    text = APPOINTMENTS + "A-1,new@example.org,=HYPERLINK(1),2026-10-01 10:00,\n"
    said = reasons(services.dry_run(run=run_of(ours, "appointments", text), now=NOW))[2]
    assert "No therapist named '=HYPERLINK(1)" in said


# --- 6. Three imports of one file at once ---------------------------------------------------


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks and unique keys racing need PostgreSQL (the suite's SQLite is one file)",
)
def test_f6_three_imports_of_one_file_at_once_create_each_patient_once(transactional_db):
    clinic = make_clinic("Racing")
    text = PATIENTS + "".join(f"P-{i},Pat,Number{i},p{i}@example.org\n" for i in range(20))
    runs = [run_of(clinic, "patients", text) for _ in range(3)]
    start = threading.Barrier(len(runs))
    reports, failures = [], []

    def go(run: ImportRun) -> None:
        try:
            start.wait(timeout=30)
            reports.append(services.import_file(run=run, by=clinic.admin, now=NOW))
        except BaseException as exc:  # the test reports any failure
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(len(r.created) for r in reports) == [0, 0, 20]
    assert sorted(len(r.already) for r in reports) == [0, 20, 20]
    assert User.objects.filter(email__regex=r"^p[0-9]+@example\.org$").count() == 20
    assert ImportedRecord.objects.filter(clinic=clinic).count() == 20
