"""Demo calendars for `seed_demo`: weekly hours for every therapist, four months of past
sessions (completed, cancelled, no-shows) and the coming weeks' bookings. The demo therapist
works every day and has sessions later today whatever the day and hour `seed_demo` runs (it
tops today up on each run), so the demo's "Today" card is never empty.

Rows are written in bulk and laid out so that none overlap, for a therapist or for a patient
(the database would refuse them).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.directory.models import SessionType, TherapistLocation
from sciaticare.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    WorkingHours,
)

PAST_DAYS, FUTURE_DAYS = 120, 21
SHIFTS = [(time(9), time(17)), (time(8), time(14)), (time(12), time(20)), (time(10), time(18))]
DAY_PATTERNS = [(0, 1, 2, 3, 4), (0, 2, 4, 5), (1, 2, 3, 5), (0, 1, 3, 4, 5), (2, 3, 4, 6)]
DEMO_SHIFT, DEMO_DAYS = (time(9), time(21)), (0, 1, 2, 3, 4, 5, 6)
TODAY_SESSIONS = 2


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _clashes(
    taken: dict[int, list[tuple[datetime, datetime]]],
    patient_id: int,
    start: datetime,
    end: datetime,
) -> bool:
    return any(s < end and start < e for s, e in taken.get(patient_id, []))


def seed(accounts: dict[str, User]) -> None:
    if not WorkingHours.objects.exists():
        _seed_calendars(accounts)
    _ensure_sessions_today(accounts["therapist@example.com"])


def _seed_calendars(accounts: dict[str, User]) -> None:
    rng = random.Random(20261125)
    patient = accounts["patient@example.com"]
    demo_therapist = accounts["therapist@example.com"]
    links = list(
        TherapistLocation.objects.select_related("location", "therapist").order_by(
            "therapist_id", "location_id"
        )
    )
    standard = {s.therapist_id: s for s in SessionType.objects.filter(is_standard=True)}
    others = list(
        User.objects.filter(is_patient=True, is_therapist=False).exclude(pk=patient.pk)[:200]
    ) or [patient]

    hours: list[WorkingHours] = []
    first_location: dict[int, TherapistLocation] = {}
    for link in links:
        if link.therapist_id in first_location:
            continue  # one location each keeps the demo simple to read
        first_location[link.therapist_id] = link
        is_demo = link.therapist.user_id == demo_therapist.pk
        shift = DEMO_SHIFT if is_demo else rng.choice(SHIFTS)
        days = DEMO_DAYS if is_demo else rng.choice(DAY_PATTERNS)
        hours += [
            WorkingHours(
                therapist=link.therapist,
                location=link.location,
                weekday=d,
                start=shift[0],
                end=shift[1],
            )
            for d in days
        ]
    WorkingHours.objects.bulk_create(hours)

    today = timezone.localdate()
    now = timezone.now()
    appointments: list[Appointment] = []
    taken: dict[int, list[tuple[datetime, datetime]]] = {}
    by_therapist: dict[int, list[WorkingHours]] = {}
    for row in hours:
        by_therapist.setdefault(row.therapist_id, []).append(row)
    for therapist_id, rows in by_therapist.items():
        session = standard.get(therapist_id)
        if session is None:
            continue
        link = first_location[therapist_id]
        zone = ZoneInfo(link.location.time_zone)
        is_demo = link.therapist.user_id == demo_therapist.pk
        weekdays = {r.weekday: r for r in rows}
        length = timedelta(minutes=session.minutes)
        busy = length + timedelta(minutes=15)
        for offset in range(-PAST_DAYS, FUTURE_DAYS):
            day = today + timedelta(days=offset)
            working = weekdays.get(day.weekday())
            if working is None or (not is_demo and rng.random() < 0.55):
                continue
            # Two sessions a day at fixed, non-overlapping times (one for the demo patient's
            # weekly course with the demo therapist).
            for clock in (time(working.start.hour + 1), time(working.start.hour + 4)):
                start = _local(day, clock, zone)
                if start + length > _local(day, working.end, zone):
                    continue
                weekly_course = (
                    is_demo
                    and clock.hour == working.start.hour + 1
                    and day.weekday() == 1
                    and offset >= -70
                )
                who = patient if weekly_course else rng.choice(others)
                # A patient is never in two sessions at once (the database refuses it too):
                # draw again on a clash, and leave the time free if the draws run out.
                for _ in range(5):
                    if weekly_course or not _clashes(taken, who.pk, start, start + length):
                        break
                    who = rng.choice(others)
                else:
                    continue
                taken.setdefault(who.pk, []).append((start, start + length))
                if start < now:
                    roll = rng.random()
                    status = (
                        AppointmentStatus.COMPLETED
                        if weekly_course or roll < 0.85
                        else AppointmentStatus.NO_SHOW
                        if roll < 0.9
                        else AppointmentStatus.CANCELLED
                    )
                else:
                    status = AppointmentStatus.BOOKED
                appointments.append(
                    Appointment(
                        patient=who,
                        therapist_id=therapist_id,
                        location=link.location,
                        session_type=session,
                        start=start,
                        end=start + length,
                        busy_until=start + busy,
                        status=status,
                        late_cancellation=status == AppointmentStatus.CANCELLED
                        and rng.random() < 0.3,
                        created_at=min(start - timedelta(days=rng.randint(2, 20)), now),
                    )
                )
    created = Appointment.objects.bulk_create(appointments, batch_size=2000)
    AppointmentChange.objects.bulk_create(
        [
            AppointmentChange(appointment=a, kind="booked", by=a.patient, at=a.created_at)
            for a in created
        ],
        batch_size=2000,
    )


def _ensure_sessions_today(demo_therapist: User) -> None:
    """Books the demo therapist's next free quarter hours today until they have
    TODAY_SESSIONS sessions still to come (none when less than a session is left of the day)."""
    link = (
        TherapistLocation.objects.select_related("location", "therapist")
        .filter(therapist__user=demo_therapist)
        .order_by("location_id")
        .first()
    )
    session = SessionType.objects.filter(therapist__user=demo_therapist, is_standard=True).first()
    if link is None or session is None:
        return
    zone = ZoneInfo(link.location.time_zone)
    now = timezone.now()
    local_now = now.astimezone(zone)
    midnight = datetime.combine(local_now.date() + timedelta(days=1), time(0), tzinfo=zone)
    length, busy = timedelta(minutes=session.minutes), timedelta(minutes=session.minutes + 15)
    active = Appointment.objects.filter(status__in=ACTIVE_STATUSES)
    taken = list(
        active.filter(therapist=link.therapist, busy_until__gt=now, start__lt=midnight).values_list(
            "start", "busy_until"
        )
    )
    wanted = TODAY_SESSIONS - sum(1 for start, _ in taken if start >= now)
    # Next quarter hour at least 30 minutes ahead, in the location's own clock.
    start = (local_now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    start += timedelta(minutes=-start.minute % 15)
    # Other people than the demo patient, whose own calendar the demo keeps as it was.
    patients = (
        User.objects.filter(is_patient=True, is_therapist=False)
        .exclude(email="patient@example.com")
        .order_by("pk")
    )
    while wanted > 0 and start + length <= midnight:
        end = start + busy
        therapist_free = all(end <= s or start >= e for s, e in taken)
        patient = (
            patients.exclude(
                pk__in=active.filter(start__lt=end, busy_until__gt=start).values("patient_id")
            ).first()
            if therapist_free
            else None
        )
        if patient is None:
            start += timedelta(minutes=15)
            continue
        appointment = Appointment.objects.create(
            patient=patient,
            therapist=link.therapist,
            location=link.location,
            session_type=session,
            start=start,
            end=start + length,
            busy_until=end,
            status=AppointmentStatus.BOOKED,
            created_at=now,
        )
        AppointmentChange.objects.create(appointment=appointment, kind="booked", by=patient, at=now)
        taken.append((start, end))
        wanted -= 1
        start = end
