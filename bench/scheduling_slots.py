"""Free slots of one therapist over 28 days with 200 appointments in the window.

Run:  DJANGO_SETTINGS_MODULE=sciaticare.settings SECRET_KEY=bench .venv/bin/python -m bench.scheduling_slots
      (add DATABASE_URL=postgres://… to measure PostgreSQL; --runs N)

It never touches the development database: the data goes to a database of its own, made the
way Django makes test databases — ``var/bench/scheduling_slots.sqlite3`` for SQLite,
``sciaticare_bench_slots`` on the PostgreSQL server of DATABASE_URL — and is written afresh on
every run (it is small).

The data: a therapist at one clinic location (Europe/London) working Monday to Saturday
07:30–13:00 and 13:30–20:30 and Sunday 10:00–16:00 (long days: 200 sessions in 28 days is a
full book), with a bank holiday off, one extra evening,
and an afternoon of leave; sessions of 30, 45, 60 (standard) and 90 minutes with the clinic's
15-minute buffer on a 15-minute grid. Exactly 200 active appointments start in the 28 days
measured, laid out at random so that none overlap; around them 20 cancelled ones in the
window, a year of history (1,500 past sessions) and 60 bookings after the window, which the
queries must step over.

Measured, interleaved, over ``--runs`` runs after a warm-up:
* ``load_calendars`` + ``free_slots`` for [now, now + 28 days): the server work of
  ``GET /api/v1/therapists/{id}/slots`` (the target);
* the same SQL statements alone, replayed with their parameters (the floor);
* the whole endpoint through Django's test client (routing, look-ups, JSON), for reference.
Then the number of SQL statements for 7 and for 28 days, which must be equal.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import django

TARGET_P95_MS = 10.0
DAYS = 28
APPOINTMENTS = 200
SEED = 20261125
ZONE = "Europe/London"
LENGTHS = (30, 45, 60, 60, 60, 90)  # minutes; the standard 60-minute session is the most booked

type Sql = list[tuple[str, Any]]


# --- Shared by the scheduling benchmarks ----------------------------------------------------


def bench_database(name: str, *, fresh: bool = False) -> str:
    """Point Django at a benchmark database of its own (built like a test database, kept
    between runs unless ``fresh``) and describe it. Call after django.setup()."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(settings.VAR_DIR) / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        db["TEST"]["NAME"] = str(path)
    else:
        db["TEST"]["NAME"] = f"sciaticare_bench_{name}"
    connection.close()  # a database about to be dropped must have no session open on it
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=not fresh, serialize=False
    )
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of samples in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def elapsed_ms(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000.0


@contextmanager
def captured_sql() -> Iterator[Sql]:
    """The statements (with their parameters) that Django sends while the block runs."""
    from django.db import connection

    statements: Sql = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        yield statements


def replay(statements: Sql) -> None:
    """Run the statements again and fetch every row: the database's share of the work."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def machine() -> str:
    return (
        f"{platform.python_implementation()} {platform.python_version()}; {os.cpu_count()} cores; "
        f"{datetime.now(UTC).date().isoformat()}"
    )


# --- This benchmark -------------------------------------------------------------------------


def _grid_day(
    rng: random.Random, day: date, ranges: list[tuple[clock, clock]], zone: ZoneInfo
) -> list[tuple[datetime, int]]:
    """Non-overlapping sessions (start, minutes) packed into a day's ranges with random gaps
    on the 15-minute grid, each followed by the 15-minute buffer."""
    found = []
    for wall_start, wall_end in ranges:
        at = datetime.combine(day, wall_start, tzinfo=zone)
        closes = datetime.combine(day, wall_end, tzinfo=zone)
        while True:
            at += timedelta(minutes=rng.choice((0, 0, 0, 0, 15)))
            minutes = rng.choice(LENGTHS)
            if at + timedelta(minutes=minutes) > closes:
                break
            found.append((at, minutes))
            at += timedelta(minutes=minutes + 15)
    return found


def build(now: datetime) -> tuple[int, int]:
    """Write the therapist, their calendar and appointments; return (therapist id, standard
    session id). Whatever an earlier run left is removed first."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # nobody signs in as these
    from django.db import transaction

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import (
        Clinic,
        Location,
        SessionType,
        TherapistLocation,
        TherapistProfile,
    )
    from sciaticare.scheduling.models import (
        Appointment,
        AppointmentStatus,
        BookingPolicy,
        DateException,
        TimeOff,
        WorkingHours,
    )

    rng = random.Random(SEED)
    zone = ZoneInfo(ZONE)
    with transaction.atomic():
        Appointment.objects.all().delete()
        TherapistProfile.objects.all().delete()
        Clinic.objects.all().delete()
        User.objects.filter(email__endswith="@bench.invalid").delete()

        clinic = Clinic.objects.create(name="Bench clinic")
        BookingPolicy.objects.create(
            clinic=clinic, horizon_days=90, buffer_minutes=15, step_minutes=15
        )
        location = Location.objects.create(
            clinic=clinic,
            name="Centre",
            address="1 Main Street",
            latitude=53.48,
            longitude=-2.24,
            time_zone=ZONE,
        )
        user = User.objects.create(
            email="therapist@bench.invalid",
            password=UNUSABLE_PASSWORD_PREFIX,
            is_patient=False,
            is_therapist=True,
        )
        therapist = TherapistProfile.objects.create(
            user=user, years_experience=10, years_sciatica=5
        )
        TherapistLocation.objects.create(therapist=therapist, location=location)
        sessions = {
            minutes: SessionType.objects.create(
                therapist=therapist,
                name=f"{minutes}-minute massage",
                minutes=minutes,
                price=Decimal(minutes),
                is_standard=minutes == 60,
            )
            for minutes in sorted(set(LENGTHS))
        }
        weekly = {d: [(clock(7, 30), clock(13)), (clock(13, 30), clock(20, 30))] for d in range(6)}
        weekly[6] = [(clock(10), clock(16))]
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, location=location, weekday=d, start=a, end=b)
            for d, ranges in weekly.items()
            for a, b in ranges
        )
        today = now.astimezone(zone).date()
        holiday, extra = today + timedelta(days=11), today + timedelta(days=17)
        DateException.objects.create(
            therapist=therapist, location=location, day=holiday, note="Bank holiday"
        )
        DateException.objects.create(
            therapist=therapist,
            location=location,
            day=extra,
            start=clock(20),
            end=clock(22),
            replaces=False,
        )
        leave = datetime.combine(today + timedelta(days=5), clock(13, 30), tzinfo=zone)
        TimeOff.objects.create(
            therapist=therapist, start=leave, end=leave + timedelta(hours=7), reason="Course"
        )

        patients = User.objects.bulk_create(
            User(
                email=f"patient{i}@bench.invalid",
                password=UNUSABLE_PASSWORD_PREFIX,
                is_patient=True,
            )
            for i in range(50)
        )

        def hours_of(day: date) -> list[tuple[clock, clock]]:
            if day == holiday:
                return []
            return weekly[day.weekday()] + ([(clock(20), clock(22))] if day == extra else [])

        window_end = now + timedelta(days=DAYS)
        past, inside, after = [], [], []
        for offset in range(-365, DAYS + 14):
            for start, minutes in _grid_day(
                rng, today + timedelta(days=offset), hours_of(today + timedelta(days=offset)), zone
            ):
                if start < now:
                    past.append((start, minutes))
                elif start < window_end:
                    inside.append((start, minutes))
                else:
                    after.append((start, minutes))
        if len(inside) < APPOINTMENTS + 20:
            raise RuntimeError(
                f"Only {len(inside)} places for {APPOINTMENTS} appointments: widen the hours."
            )
        chosen = rng.sample(inside, APPOINTMENTS + 20)
        rows = [(s, m, AppointmentStatus.BOOKED) for s, m in chosen[:APPOINTMENTS]]
        rows += [(s, m, AppointmentStatus.CANCELLED) for s, m in chosen[APPOINTMENTS:]]
        rows += [
            (s, m, AppointmentStatus.COMPLETED) for s, m in rng.sample(past, min(1500, len(past)))
        ]
        rows += [
            (s, m, AppointmentStatus.BOOKED) for s, m in rng.sample(after, min(60, len(after)))
        ]
        Appointment.objects.bulk_create(
            (
                Appointment(
                    patient=rng.choice(patients),
                    therapist=therapist,
                    location=location,
                    session_type=sessions[minutes],
                    start=start,
                    end=start + timedelta(minutes=minutes),
                    busy_until=start + timedelta(minutes=minutes + 15),
                    status=status,
                )
                for start, minutes, status in rows
            ),
            batch_size=500,
        )
    return therapist.pk, sessions[60].pk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
    os.environ.setdefault("RATE_LIMITS_ENABLED", "0")  # the bench measures slots, not the limit
    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sciaticare.directory.models import SessionType
    from sciaticare.scheduling.models import ACTIVE_STATUSES, Appointment
    from sciaticare.scheduling.selectors import bookable, calendars

    database = bench_database("scheduling_slots")
    now = timezone.now()
    therapist_id, session_id = build(now)
    session = SessionType.objects.get(pk=session_id)
    end = now + timedelta(days=DAYS)
    active = Appointment.objects.filter(
        status__in=ACTIVE_STATUSES, start__gte=now, start__lt=end
    ).count()

    def slots(days: int = DAYS) -> list[bookable.LocatedSlot]:
        until = now + timedelta(days=days)
        calendar = calendars.load_calendars([therapist_id], start=now, end=until)[therapist_id]
        return bookable.free_slots(calendar, session, start=now, end=until, now=now)

    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/api/v1/therapists/{therapist_id}/slots"
    query = {"start": now.isoformat(), "end": end.isoformat()}

    def endpoint() -> None:
        response = client.get(url, query, secure=True)
        assert response.status_code == 200, response.content

    counts = {}
    for days in (7, DAYS):
        with CaptureQueriesContext(connection) as queries:
            slots(days)
        counts[days] = len(queries.captured_queries)
    with captured_sql() as statements:
        offered = slots()

    for _ in range(30):
        slots()
        replay(statements)
        endpoint()
    whole, floor, http = [], [], []
    for _ in range(args.runs):
        whole.append(elapsed_ms(slots))
        floor.append(elapsed_ms(lambda: replay(statements)))
        http.append(elapsed_ms(endpoint))

    print(f"\nFree slots of one therapist, {DAYS} days, {active} active appointments in the window")
    print(f"{database}; {machine()}; {args.runs} runs each; load average {os.getloadavg()[0]:.2f}")
    print(
        f"{len(offered)} free 60-minute slots offered; SQL statements: {counts[7]} for 7 days, {counts[DAYS]} for {DAYS} days"
    )
    header = f"{'measured':<44} {'p50 ms':>8} {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for label, samples in (
        ("load_calendars + free_slots (target)", whole),
        ("the same SQL alone (floor)", floor),
        ("whole endpoint via the test client", http),
    ):
        p50, p95 = percentiles(samples)
        print(f"{label:<44} {p50:>8.2f} {p95:>8.2f}")
    p95 = percentiles(whole)[1]
    print(
        f"\np95 {p95:.2f} ms (target {TARGET_P95_MS:g} ms): {'met' if p95 <= TARGET_P95_MS else 'NOT MET'}"
    )
    if active != APPOINTMENTS:
        print(
            f"Expected {APPOINTMENTS} active appointments in the window, found {active}.",
            file=sys.stderr,
        )
        return 1
    if counts[7] != counts[DAYS]:
        print("The number of SQL statements grows with the number of days.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
