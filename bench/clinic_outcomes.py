"""A clinic's outcome report over 1,000,000 diary entries and 200,000 signed sessions.

Run:  DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=sciaticare.settings SECRET_KEY=bench \
      .venv/bin/python -m bench.clinic_outcomes   (--runs N, --rebuild)

PostgreSQL only (the target is stated for it). The data goes to a database of its own,
``sciaticare_bench_outcomes`` on the server of DATABASE_URL, made the way Django makes test
databases and kept between runs; the first run builds it (its time is printed apart).

The data: 20 clinics and 400 therapists — half of them at one large clinic (a clinic network
in one organisation), ten or so at each of the others — and 25,000 patients. Each patient has
a course of 8 weekly sessions with one therapist (one in seven has their last two with another
therapist, often at another clinic): 200,000 completed appointments, each with a signed note
whose back and leg pain before and after vary (some not recorded); 40 pain-diary entries each
around the course (the week before it, then most days for 8 weeks): 1,000,000 entries; and two
Roland-Morris scores each, before and 6 weeks in. About 60 % of courses go well. Rows are
written with COPY, then VACUUM ANALYZE.

Measured, interleaved, over ``--runs`` runs after 3 warm-up runs:
* ``practice_selectors.clinic_report`` for the large clinic (half the data: ~100,000
  sessions, ~500,000 diary entries in reach) as the page calls it — access check, the
  aggregation, the therapists' names, the audit row (the target: ≤ 1 s);
* the aggregation statement alone, replayed on the same connection (the floor);
* the same two for a small clinic;
* and, fewer times, the daily refresh of every stored figure (``refresh_outcomes``: all
  therapists, all clinics and their therapists), for reference.
Then the plan of the large clinic's statement.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import django

from bench.scheduling_slots import bench_database, captured_sql, elapsed_ms, machine, percentiles

TARGET_MS = 1000.0
CLINICS = 20
THERAPISTS = 400
BIG_CLINIC_THERAPISTS = 200
PATIENTS = 25_000
SESSIONS_PER_PATIENT = 8
DIARY_PER_PATIENT = 40
SESSIONS = PATIENTS * SESSIONS_PER_PATIENT
DIARY = PATIENTS * DIARY_PER_PATIENT
SEED = 20261125
SLOT_HOURS = (8, 10, 12, 14, 16, 18)  # 60-minute sessions, a 2-hour pace: never overlapping


def _utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S+00")


def existing_build() -> bool:
    from sciaticare.directory.models import Clinic
    from sciaticare.outcomes.models import PainEntry
    from sciaticare.records.models import SessionNote

    anchor = Clinic.objects.order_by("pk").values_list("name", flat=True).first()
    if anchor is None or not anchor.startswith("built"):
        return False
    if SessionNote.objects.count() != SESSIONS or PainEntry.objects.count() != DIARY:
        return False
    print(f"Data reused: {SESSIONS:,} signed sessions, {DIARY:,} diary entries; {anchor}.")
    return True


def _copy(
    cursor: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]
) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build() -> None:
    """Fill the (empty) benchmark database."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # nobody signs in as these
    from django.db import connection, transaction

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import (
        Clinic,
        Location,
        SessionType,
        TherapistLocation,
        TherapistProfile,
    )

    started = time.perf_counter()
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    with transaction.atomic():
        clinics = Clinic.objects.bulk_create(
            [Clinic(name=f"Bench clinic {i}", created_at=now) for i in range(CLINICS)]
        )
        locations = Location.objects.bulk_create(
            [
                Location(
                    clinic=c,
                    name="Main",
                    address="1 Main Street",
                    latitude=53.48,
                    longitude=-2.24,
                    time_zone="Europe/London",
                )
                for c in clinics
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"therapist{i}@bench.invalid",
                    password=UNUSABLE_PASSWORD_PREFIX,
                    is_patient=False,
                    is_therapist=True,
                )
                for i in range(THERAPISTS)
            ],
            batch_size=5000,
        )
        profiles = TherapistProfile.objects.bulk_create(
            [TherapistProfile(user=u, years_experience=10, years_sciatica=5) for u in users]
        )
        home = [
            0 if i < BIG_CLINIC_THERAPISTS else 1 + i % (CLINICS - 1) for i in range(THERAPISTS)
        ]
        TherapistProfile.clinics.through.objects.bulk_create(
            [
                TherapistProfile.clinics.through(therapistprofile_id=p.pk, clinic_id=clinics[c].pk)
                for p, c in zip(profiles, home, strict=True)
            ]
        )
        TherapistLocation.objects.bulk_create(
            [
                TherapistLocation(therapist=p, location=locations[c])
                for p, c in zip(profiles, home, strict=True)
            ]
        )
        sessions = SessionType.objects.bulk_create(
            [
                SessionType(
                    therapist=p, name="Massage", minutes=60, price=Decimal(60), is_standard=True
                )
                for p in profiles
            ]
        )
        patients = User.objects.bulk_create(
            [
                User(
                    email=f"patient{i}@bench.invalid",
                    password=UNUSABLE_PASSWORD_PREFIX,
                    is_patient=True,
                )
                for i in range(PATIENTS)
            ],
            batch_size=5000,
        )
        admin = User.objects.create(
            email="admin@bench.invalid",
            password=UNUSABLE_PASSWORD_PREFIX,
            is_patient=False,
            is_clinic_admin=True,
        )
        for clinic in clinics:
            clinic.admins.add(admin)
    print(f"  directory and people written in {time.perf_counter() - started:.0f} s")

    used: set[tuple[int, date, int]] = set()
    appointments: list[tuple[Any, ...]] = []
    notes: list[tuple[Any, ...]] = []
    diary: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []

    def maybe(value: int) -> int | None:
        return None if rng.random() < 0.1 else value

    for patient in patients:
        first_therapist = rng.randrange(THERAPISTS)
        second = rng.randrange(THERAPISTS) if rng.random() < 1 / 7 else first_therapist
        first_day = today - timedelta(days=rng.randint(70, 400))
        goes_well = rng.random() < 0.6
        baseline = rng.uniform(5, 8.5)
        for k in range(SESSIONS_PER_PATIENT):
            t = second if k >= SESSIONS_PER_PATIENT - 2 else first_therapist
            day = first_day + timedelta(weeks=k)
            slot = rng.randrange(len(SLOT_HOURS))
            while (t, day, slot) in used:  # the therapist is busy: the next free slot or day
                slot += 1
                if slot == len(SLOT_HOURS):
                    slot, day = 0, day + timedelta(days=1)
            used.add((t, day, slot))
            start = datetime(day.year, day.month, day.day, SLOT_HOURS[slot], tzinfo=UTC)
            appointment_id = len(appointments) + 1
            appointments.append(
                (
                    appointment_id,
                    patient.pk,
                    profiles[t].pk,
                    locations[home[t]].pk,
                    sessions[t].pk,
                    _utc(start),
                    _utc(start + timedelta(minutes=60)),
                    _utc(start + timedelta(minutes=75)),
                    "completed",
                    False,
                    _utc(start - timedelta(days=3)),
                )
            )
            before = round(baseline - (k * 0.4 if goes_well else 0) + rng.uniform(-1, 1))
            before = min(max(before, 1), 10)
            back_before = min(max(before - rng.randint(0, 2), 0), 10)
            drop = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))
            signed = start + timedelta(hours=2)
            notes.append(
                (
                    appointment_id,
                    appointment_id,
                    profiles[t].pk,
                    patient.pk,
                    maybe(back_before),
                    maybe(max(back_before - drop, 0)),
                    maybe(before),
                    maybe(max(before - drop, 0)),
                    _utc(start),
                    _utc(signed),
                    _utc(signed),
                    profiles[t].user_id,
                    "bench",
                )
            )
        # The diary: 6 of the 7 days before the course, then 34 of the 56 days from its start.
        days = rng.sample(range(-7, 0), 6) + rng.sample(range(0, 56), DIARY_PER_PATIENT - 6)
        for offset in days:
            progress = min(max(offset, 0) / 42, 1.0)
            level = baseline - (3.5 * progress if goes_well else 0.3 * progress)
            leg = min(max(round(level + rng.uniform(-1.2, 1.2)), 0), 10)
            back = min(max(leg - rng.randint(-1, 2), 0), 10)
            at = _utc(datetime.combine(first_day, datetime.min.time(), tzinfo=UTC))
            diary.append(
                (patient.pk, first_day + timedelta(days=offset), back, leg, "", "[]", at, at)
            )
        before_score = rng.randint(8, 20)
        after_score = max(
            before_score - (rng.randint(3, 9) if goes_well else rng.randint(-2, 2)), 0
        )
        for days_from_start, score in ((-2, before_score), (42, after_score)):
            completed = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC) + timedelta(
                days=days_from_start, hours=18
            )
            answers.append((patient.pk, "rmdq", "1", "{}", float(score), "", "{}", _utc(completed)))
    print(f"  {len(appointments):,} sessions and {len(diary):,} entries laid out")

    with connection.cursor() as cursor, transaction.atomic():
        _copy(
            cursor,
            "scheduling_appointment",
            (
                "id",
                "patient_id",
                "therapist_id",
                "location_id",
                "session_type_id",
                "start",
                "end",
                "busy_until",
                "status",
                "late_cancellation",
                "created_at",
            ),
            iter(appointments),
        )
        _copy(
            cursor,
            "records_sessionnote",
            (
                "id",
                "appointment_id",
                "therapist_id",
                "patient_id",
                "back_pain_before",
                "back_pain_after",
                "leg_pain_before",
                "leg_pain_after",
                "created_at",
                "updated_at",
                "signed_at",
                "signed_by_id",
                "seal",
                "subjective",
                "objective",
                "assessment",
                "assessment_shared",
                "plan",
                "regions",
                "techniques",
                "pressure",
                "pressure_warning_acknowledged",
                "adverse_event",
                "adverse_event_detail",
                "home_care",
            ),
            (
                (*row, "", "", "", False, "", "[]", "[]", "", False, "none", "", "[]")
                for row in notes
            ),
        )
        _copy(
            cursor,
            "outcomes_painentry",
            (
                "patient_id",
                "day",
                "back_pain",
                "leg_pain",
                "note",
                "tags",
                "created_at",
                "updated_at",
            ),
            iter(diary),
        )
        _copy(
            cursor,
            "intake_questionnaireresponse",
            (
                "patient_id",
                "instrument",
                "instrument_version",
                "resource",
                "score",
                "band",
                "subscores",
                "completed_at",
            ),
            iter(answers),
        )
        for table in ("scheduling_appointment", "records_sessionnote"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
    print(f"  rows copied in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    Clinic.objects.filter(pk=clinics[0].pk).update(
        name=f"built {now:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s"
    )
    print(f"Built {SESSIONS:,} signed sessions and {DIARY:,} diary entries in {seconds:.0f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--refresh-runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="Build the data again.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
    django.setup()

    from django.db import connection, transaction

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import Clinic
    from sciaticare.outcomes import practice_selectors
    from sciaticare.outcomes.practice_services import refresh_outcomes

    if connection.vendor != "postgresql":
        print("The clinic outcome benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 0
    database = bench_database("outcomes")
    if args.rebuild or not existing_build():
        database = bench_database("outcomes", fresh=True)
        build()

    admin = User.objects.get(email="admin@bench.invalid")
    clinic_ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    big, small = clinic_ids[0], clinic_ids[1]

    def aggregation(statements: list[tuple[str, Any]]) -> tuple[str, Any]:
        return next(s for s in statements if "percentile_cont" in s[0])

    def floor(statement: tuple[str, Any]) -> None:
        # The statement alone, with the settings compute_outcomes gives it.
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in practice_selectors.POSTGRES_SETTINGS:
                cursor.execute(setting)
            cursor.execute(*statement)
            cursor.fetchall()

    figures: dict[str, tuple[list[float], list[float]]] = {}
    reports = {}
    for label, clinic_id in (("large clinic", big), ("small clinic", small)):
        whole: list[float] = []
        raw: list[float] = []
        for n in range(args.runs + 3):
            with captured_sql() as statements:
                started = time.perf_counter()
                reports[label] = practice_selectors.clinic_report(viewer=admin, clinic_id=clinic_id)
                took = (time.perf_counter() - started) * 1000.0
            statement = aggregation(statements)
            took_floor = elapsed_ms(lambda statement=statement: floor(statement))  # type: ignore[misc]
            if n >= 3:
                whole.append(took)
                raw.append(took_floor)
        figures[label] = (whole, raw)
    refresh: list[float] = []
    for _ in range(args.refresh_runs):
        refresh.append(elapsed_ms(refresh_outcomes))

    print(f"\nClinic outcome report, {SESSIONS:,} signed sessions and {DIARY:,} diary entries")
    print(f"{database}; {machine()}; {args.runs} runs; load average {os.getloadavg()[0]:.2f}")
    for label, report in reports.items():
        total = report.total
        print(
            f"{label}: {total.patients:,} patients, {len(report.therapists)} therapists; "
            f"relief {total.relief.value} ({total.relief.patients:,}), responders "
            f"{total.responders.value and round(total.responders.value, 1)} % "
            f"({total.responders.patients:,}), RMDQ change {total.questionnaire_change.value} "
            f"({total.questionnaire_change.patients:,})"
        )
    header = f"{'measured':<56} {'p50 ms':>9} {'p95 ms':>9}"
    print(header)
    print("-" * len(header))
    for label, (whole, raw) in figures.items():
        for name, samples in (
            (f"clinic_report, {label} (target)", whole),
            ("  the aggregation statement alone (floor)", raw),
        ):
            p50, p95 = percentiles(samples)
            print(f"{name:<56} {p50:>9.1f} {p95:>9.1f}")
    p50, p95 = percentiles(refresh)
    print(f"{'refresh_outcomes: every therapist and clinic (daily)':<56} {p50:>9.1f} {p95:>9.1f}")
    p95 = percentiles(figures["large clinic"][0])[1]
    print(
        f"\np95 {p95:.0f} ms (target {TARGET_MS:g} ms): {'met' if p95 <= TARGET_MS else 'NOT MET'}"
    )

    with captured_sql() as statements:
        practice_selectors.clinic_report(viewer=admin, clinic_id=big)
    sql, params = aggregation(statements)
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in practice_selectors.POSTGRES_SETTINGS:  # as compute_outcomes sets them
            cursor.execute(setting)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\nPlan of the large clinic's statement:\n" + plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
