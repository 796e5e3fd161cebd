"""A patient's dashboard with three years of daily diary entries and 60 signed sessions.

Run:  DJANGO_SETTINGS_MODULE=sciaticare.settings SECRET_KEY=bench HTTPS=0 .venv/bin/python -m bench.patient_dashboard
      (add DATABASE_URL=postgres://… to measure PostgreSQL; --runs N)

It never touches the development database: the data goes to a database of its own, made the
way Django makes test databases — ``var/bench/patient_dashboard.sqlite3`` for SQLite,
``sciaticare_bench_patient_dashboard`` on the PostgreSQL server of DATABASE_URL — and is
written afresh on every run (it is small).

The data: one patient with 1,095 daily diary entries (back and leg pain, a note or a tag on
some days) ending today; 60 completed sessions with a therapist over the last two years, each
with a signed note carrying back and leg pain before and after; 3 booked sessions ahead;
monthly PEG and RMDQ questionnaires (72 responses); an intake; a flare-up plan of 2 therapists.
A second patient has the same history and, in addition, a home exercise programme written by
the therapist three years ago, revised every quarter (12 versions of 3 exercises), with a tick
on about three planned days in four ever since (about 3,000 logs, some with a leg-pain mark).
A third patient has an account and a flare-up plan of one therapist, and no history.

Measured, interleaved, over ``--runs`` runs after a warm-up, each a whole ``GET /dashboard/``
through Django's test client signed in as the patient (middleware, session, the view, the
template render):
* the dashboard of the patient with the long history and the programme (the target);
* the dashboard of the patient with the long history and no programme (today's dashboard
  before exercises, measured beside it);
* the dashboard of the patient with no history (the baseline: everything but the history);
* the public home page (the floor of a request through the same middleware).
Then the SQL statements of each dashboard, which must be the same whatever the history. The
target's CPU time (this process only: on PostgreSQL the server's share is not in it) is printed
too, as a figure that a busy machine inflates less than wall-clock time.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import django

from bench.scheduling_slots import bench_database, elapsed_ms, machine, percentiles

TARGET_P95_MS = 30.0
TARGET_QUERIES = 10
DAYS = 3 * 365
SESSIONS = 60
SEED = 20261125
ZONE = "Europe/London"
NOTES = ("Long drive", "Slept badly", "Walked 30 minutes", "Gardening", "")


def _pain(rng: random.Random, day: int) -> tuple[int, int]:
    """A course of massage from day 365 brings pain down, with flare-ups now and then."""
    base = 7.0 if day < 365 else max(7.0 - (day - 365) / 60, 2.5)
    if day % 97 < 6:
        base += 3
    back = round(min(max(base + rng.uniform(-1.5, 1.5), 0), 10))
    leg = round(min(max(base + 0.5 + rng.uniform(-1.5, 1.5), 0), 10))
    return back, leg


def build(now: datetime) -> tuple[int, int, int]:
    """Write the three patients into the fresh benchmark database; return (programme patient
    id, long history without a programme, empty patient id)."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # the client forces login
    from django.db import transaction

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import (
        Clinic,
        FlareUpPlanEntry,
        Location,
        SessionType,
        TherapistLocation,
        TherapistProfile,
    )

    rng = random.Random(SEED)
    zone = ZoneInfo(ZONE)
    today = now.astimezone(zone).date()
    password = UNUSABLE_PASSWORD_PREFIX
    with transaction.atomic():
        clinic = Clinic.objects.create(name="Bench clinic")
        location = Location.objects.create(
            clinic=clinic,
            name="Centre",
            address="1 Main Street",
            latitude=53.48,
            longitude=-2.24,
            time_zone=ZONE,
        )
        therapists = []
        for i in range(2):
            user = User.objects.create(
                email=f"therapist{i}@bench.invalid",
                password=password,
                first_name=f"Therapist{i}",
                last_name="Bench",
                is_patient=False,
                is_therapist=True,
            )
            profile = TherapistProfile.objects.create(
                user=user, years_experience=10, years_sciatica=5
            )
            profile.clinics.add(clinic)
            TherapistLocation.objects.create(therapist=profile, location=location)
            therapists.append(profile)
        session = SessionType.objects.create(
            therapist=therapists[0],
            name="60-minute massage",
            minutes=60,
            price=Decimal(60),
            is_standard=True,
        )
        SessionType.objects.create(
            therapist=therapists[1],
            name="60-minute massage",
            minutes=60,
            price=Decimal(55),
            is_standard=True,
        )
        patients, firsts = [], []
        for email, last_name, hour in (
            ("patient@bench.invalid", "Long-History", 10),
            ("plain@bench.invalid", "No-Programme", 12),  # the same therapist, another hour
        ):
            patient = User.objects.create(
                email=email,
                password=password,
                first_name="Dana",
                last_name=last_name,
                is_patient=True,
            )
            firsts.append(
                _history(patient, therapists, location, session, now, random.Random(SEED), hour)
            )
            patients.append(patient)
        _programme(patients[0], therapists[0], clinic, firsts[0], today, rng)
        empty = User.objects.create(
            email="new@bench.invalid", password=password, first_name="Noor", is_patient=True
        )
        # Chosen before any session (docs/benchmarks.md), so the dashboards read the same tables.
        FlareUpPlanEntry.objects.create(patient=empty, therapist=therapists[1], rank=1)
    return patients[0].pk, patients[1].pk, empty.pk


def _history(
    patient: Any,
    therapists: list[Any],
    location: Any,
    session: Any,
    now: datetime,
    rng: Any,
    hour: int,
) -> Any:
    """Three years of diary, 60 signed sessions and 3 ahead, monthly questionnaires, an intake
    and a flare-up plan; return the first session."""
    from sciaticare.directory.models import FlareUpPlanEntry
    from sciaticare.intake import services as intake_services
    from sciaticare.intake.models import QuestionnaireResponse
    from sciaticare.intake.triage.questions import REQUIRED_CODES
    from sciaticare.outcomes.models import PainEntry
    from sciaticare.records.models import SessionNote
    from sciaticare.scheduling.models import Appointment, AppointmentStatus

    zone = ZoneInfo(ZONE)
    today = now.astimezone(zone).date()
    intake_services.submit_intake(
        patient=patient,
        data=intake_services.IntakeData(
            age=52,
            onset_date=today - timedelta(days=DAYS + 30),
            answers=dict.fromkeys(REQUIRED_CODES, False),
            regions=["right_buttock", "right_calf"],
            back_pain=(6, 5, 8),
            leg_pain=(7, 6, 9),
            goals="Walk the dog without stopping",
        ),
    )
    for rank, profile in enumerate(therapists, start=1):
        FlareUpPlanEntry.objects.create(patient=patient, therapist=profile, rank=rank)

    entries = []
    for index in range(DAYS):
        back, leg = _pain(rng, index)
        entries.append(
            PainEntry(
                patient=patient,
                day=today - timedelta(days=DAYS - 1 - index),
                back_pain=back,
                leg_pain=leg,
                note=rng.choice(NOTES) if rng.random() < 0.1 else "",
                tags=["flare_up"] if index % 97 < 6 else [],
            )
        )
    PainEntry.objects.bulk_create(entries, batch_size=500)

    # 60 sessions from two years ago, weekly then fortnightly, at `hour` local time.
    first = today - timedelta(days=DAYS - 365)
    days = [first + timedelta(days=7 * i) for i in range(30)]
    days += [days[-1] + timedelta(days=14 * (i + 1)) for i in range(SESSIONS - 30)]
    assert days[-1] < today
    starts = [datetime.combine(d, clock(hour), tzinfo=zone) for d in days]
    ahead = [
        datetime.combine(today + timedelta(days=7 * (i + 1)), clock(hour), tzinfo=zone)
        for i in range(3)
    ]
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient=patient,
            therapist=therapists[0],
            location=location,
            session_type=session,
            start=start,
            end=start + timedelta(hours=1),
            busy_until=start + timedelta(minutes=75),
            status=AppointmentStatus.COMPLETED if start < now else AppointmentStatus.BOOKED,
        )
        for start in starts + ahead
    )
    notes = []
    for appointment in appointments[:SESSIONS]:
        back, leg = _pain(rng, (appointment.start.date() - entries[0].day).days)
        notes.append(
            SessionNote(
                appointment=appointment,
                therapist=therapists[0],
                patient=patient,
                subjective="Pain settles with walking.",
                assessment="Piriformis tension on the right.",
                minutes=60,
                back_pain_before=back,
                back_pain_after=max(back - rng.randint(0, 3), 0),
                leg_pain_before=leg,
                leg_pain_after=max(leg - rng.randint(0, 2), 0),
                signed_at=appointment.end + timedelta(hours=2),
                signed_by=therapists[0].user,
                seal="bench",  # the seal is not read by the dashboard
            )
        )
    SessionNote.objects.bulk_create(notes)

    responses = []
    for month in range(36):
        at = datetime.combine(entries[0].day + timedelta(days=30 * month), clock(9), tzinfo=zone)
        improving = max(0, month - 12)
        responses.append(
            QuestionnaireResponse(
                patient=patient,
                instrument="peg",
                instrument_version="1",
                resource={},
                score=max(7.0 - improving * 0.2, 2.0),
                completed_at=at,
            )
        )
        responses.append(
            QuestionnaireResponse(
                patient=patient,
                instrument="rmdq",
                instrument_version="1",
                resource={},
                score=max(14 - improving // 2, 3),
                completed_at=at,
            )
        )
    QuestionnaireResponse.objects.bulk_create(responses)
    return appointments[0]


PROGRAMME = ("walking", "knee-to-chest", "sciatic-nerve-slider")


def _programme(
    patient: Any, therapist: Any, clinic: Any, appointment: Any, today: Any, rng: Any
) -> None:
    """A programme written three years ago, a new version every quarter, ticked on about three
    planned days in four since (written as the app would hold it, in bulk)."""
    from sciaticare.exercises.adherence import on_days
    from sciaticare.exercises.models import (
        ExerciseLog,
        ExercisePlan,
        LegPain,
        Origin,
        PlanItem,
        PlanVersion,
    )
    from sciaticare.exercises.services.library import ensure_built_in

    library = ensure_built_in()
    exercises = [library[slug] for slug in PROGRAMME]
    start = today - timedelta(days=DAYS - 1)
    plan = ExercisePlan.objects.create(
        patient=patient, origin=Origin.THERAPIST, therapist=therapist.user, clinic=clinic
    )
    masks = (0b1111111, 0b0010101, 0b1111111)  # every day, Mon-Wed-Fri, every day
    for number in range(1, 13):
        version = PlanVersion.objects.create(
            plan=plan,
            number=number,
            start_date=start + timedelta(days=91 * (number - 1)),
            review_date=start + timedelta(days=91 * number),
            appointment=appointment if number == 1 else None,
            written_by=therapist.user,
        )
        PlanItem.objects.bulk_create(
            PlanItem(
                version=version,
                exercise=exercise,
                position=position,
                repetitions=0 if exercise.timed else 8 + number // 3,
                minutes=10 + number if exercise.timed else 0,
                days=mask,
            )
            for position, (exercise, mask) in enumerate(zip(exercises, masks, strict=True))
        )
    logs = []
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        for exercise, mask in zip(exercises, masks, strict=True):
            if not on_days(mask, day) or rng.random() > 0.75:
                continue
            marked = rng.random() < 0.3
            logs.append(
                ExerciseLog(
                    plan=plan,
                    exercise=exercise,
                    date=day,
                    done=True,
                    leg_pain=rng.choice(list(LegPain)) if marked else "",
                )
            )
    ExerciseLog.objects.bulk_create(logs, batch_size=500)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
    django.setup()

    from django.conf import settings
    from django.test.utils import override_settings

    # Static URLs without the collectstatic manifest, as in the tests (a dict look-up either way).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        return measure(args.runs)


def measure(runs: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sciaticare.accounts.models import User

    database = bench_database("patient_dashboard", fresh=True)
    built = build(timezone.now())

    def client_of(user_id: int | None) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        if user_id is not None:
            client.force_login(User.objects.get(pk=user_id))
        return client

    programme_client, plain_client, empty_client = (client_of(pk) for pk in built)
    anonymous = client_of(None)

    def get(client: Client, url: str) -> Any:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def dashboard() -> None:
        get(programme_client, "/dashboard/")

    def before() -> None:
        get(plain_client, "/dashboard/")

    def baseline() -> None:
        get(empty_client, "/dashboard/")

    def home() -> None:
        get(anonymous, "/")

    counts = {}
    for label, client in (
        ("programme", programme_client),
        ("plain", plain_client),
        ("empty", empty_client),
    ):
        with CaptureQueriesContext(connection) as queries:
            body = get(client, "/dashboard/").content
        counts[label] = len(queries.captured_queries)
        if label != "empty" and b"polyline" not in body:
            print("The long history's chart was not drawn.", file=sys.stderr)
            return 1
        if label == "programme" and b"exercise" not in body.lower():
            print("The programme's exercises were not shown.", file=sys.stderr)
            return 1

    for _ in range(20):
        dashboard()
        before()
        baseline()
        home()
    target: list[float] = []
    plain: list[float] = []
    empty: list[float] = []
    floor: list[float] = []
    cpu: list[float] = []
    plain_cpu: list[float] = []
    for _ in range(runs):
        for run, wall, spent in (
            (dashboard, target, cpu),
            (before, plain, plain_cpu),
            (baseline, empty, []),
        ):
            started = time.process_time()
            wall.append(elapsed_ms(run))
            spent.append((time.process_time() - started) * 1000.0)
        floor.append(elapsed_ms(home))

    print(
        f"\nPatient dashboard: {DAYS:,} diary days, {SESSIONS} signed sessions, 72 questionnaires;"
        f" the target also a programme of {len(PROGRAMME)} exercises in 12 versions, 3 years of logs"
    )
    print(f"{database}; {machine()}; {runs} runs each; load average {os.getloadavg()[0]:.2f}")
    print(
        f"SQL statements per dashboard: {counts['programme']} with the programme, "
        f"{counts['plain']} with the long history only, {counts['empty']} with none"
    )
    header = f"{'measured (whole GET through the test client)':<56} {'p50 ms':>8} {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for label, samples in (
        ("dashboard, long history + programme (target)", target),
        ("dashboard, long history, no programme (before)", plain),
        ("dashboard, no history (baseline)", empty),
        ("public home page (floor)", floor),
        ("CPU time of this process: target", cpu),
        ("CPU time of this process: before", plain_cpu),
    ):
        p50, p95 = percentiles(samples)
        print(f"{label:<56} {p50:>8.2f} {p95:>8.2f}")
    p95 = percentiles(target)[1]
    met = p95 <= TARGET_P95_MS and counts["programme"] <= TARGET_QUERIES
    print(
        f"\np95 {p95:.2f} ms (target {TARGET_P95_MS:g} ms), {counts['programme']} SQL statements "
        f"(target ≤ {TARGET_QUERIES}): {'met' if met else 'NOT MET'}"
    )
    if counts["plain"] != counts["empty"]:
        print("The number of SQL statements grows with the history.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
