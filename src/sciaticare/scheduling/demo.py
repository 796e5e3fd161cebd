"""Demo calendars for `seed_demo`: weekly hours for every therapist, four months of past
sessions (completed, cancelled, no-shows) and the coming weeks' bookings. The demo therapist
works every day and has sessions later today whatever the day and hour `seed_demo` runs (it
tops today up on each run), so the demo's "Today" card is never empty.

Rows are written in bulk and laid out so that none overlap, for a therapist or for a patient
(the database would refuse them).

The demo patient's calendar also holds what her money history (billing/demo.py) is about:
three extra Thursday sessions with the demo therapist (one cancelled in time, one cancelled
late, one missed) and two sessions on a work trip to Boston (the demo's US clinic).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
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
#: The demo patient's weekly course with the demo therapist began this many weeks ago.
COURSE_WEEKS = 14
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
    _seed_story(accounts["patient@example.com"], accounts["therapist@example.com"])


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
                    and offset >= -7 * COURSE_WEEKS
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


#: The demo patient's Thursday sessions with the demo therapist at 16:00 (his other sessions are
#: at 10:00 and 13:00): (weeks ago, days booked before, what happened, hours before it a
#: cancellation came).
STORY = [
    (9, 12, AppointmentStatus.CANCELLED, 72),
    (6, 8, AppointmentStatus.CANCELLED, 5),
    (3, 10, AppointmentStatus.NO_SHOW, 0),
]
#: The Boston sessions: days ago (a Wednesday and the Friday after, ~5 weeks back), at 10:00.
TRIP_WEEKS_AGO = 5
BOSTON_THERAPIST = "therapist.boston@demo.sciaticare.example"


def _thursday(weeks_ago: int, today: date) -> date:
    return today - timedelta(days=(today.weekday() - 3) % 7 + 7 * weeks_ago)


def _story_row(
    *, patient: User, link: TherapistLocation, session: SessionType, start: datetime
) -> Appointment:
    end = start + timedelta(minutes=session.minutes)
    return Appointment(
        patient=patient,
        therapist=link.therapist,
        location=link.location,
        session_type=session,
        start=start,
        end=end,
        busy_until=end + timedelta(minutes=15),
        status=AppointmentStatus.BOOKED,
    )


def _seed_story(patient: User, demo_therapist: User) -> None:
    """The demo patient's sessions that the money history needs; once (the ones missing)."""
    today = timezone.localdate()
    for email, trip in ((demo_therapist.email, False), (BOSTON_THERAPIST, True)):
        link = (
            TherapistLocation.objects.select_related("location", "therapist")
            .filter(therapist__user__email=email)
            .order_by("location_id")
            .first()
        )
        session = SessionType.objects.filter(therapist__user__email=email, is_standard=True).first()
        if link is None or session is None:
            continue
        mine = Appointment.objects.filter(patient=patient, therapist=link.therapist)
        # Seeded already: the Boston sessions, or the missed Thursday (the weekly course has
        # none missed).
        if mine.filter(status=AppointmentStatus.NO_SHOW).exists() if not trip else mine.exists():
            continue
        zone = ZoneInfo(link.location.time_zone)
        if trip:
            _boston_trip(patient, link, session, zone, today)
        else:
            _thursdays(patient, demo_therapist, link, session, zone, today)


def _thursdays(
    patient: User,
    therapist: User,
    link: TherapistLocation,
    session: SessionType,
    zone: ZoneInfo,
    today: date,
) -> None:
    for weeks_ago, booked_before, status, cancelled_before in STORY:
        start = _local(_thursday(weeks_ago, today), time(16), zone)
        row = _story_row(patient=patient, link=link, session=session, start=start)
        row.created_at = start - timedelta(days=booked_before)
        row.status = status
        row.late_cancellation = status == AppointmentStatus.CANCELLED and cancelled_before < 24
        row.save()
        AppointmentChange.objects.create(
            appointment=row, kind="booked", by=patient, at=row.created_at
        )
        if status == AppointmentStatus.CANCELLED:
            kind = "late_cancelled" if row.late_cancellation else "cancelled"
            at = start - timedelta(hours=cancelled_before)
            AppointmentChange.objects.create(appointment=row, kind=kind, by=patient, at=at)
        else:
            at = start + timedelta(minutes=15)
            AppointmentChange.objects.create(appointment=row, kind="no_show", by=therapist, at=at)


def _free_start(
    patient: User, link: TherapistLocation, session: SessionType, starts: list[datetime]
) -> datetime:
    """The first of `starts` at which neither the therapist nor the patient is booked (the
    calendars seeded around it depend on the day the demo is made)."""
    for start in starts:
        end = start + timedelta(minutes=session.minutes + 15)
        busy = Appointment.objects.filter(start__lt=end, busy_until__gt=start).filter(
            Q(therapist=link.therapist) | Q(patient=patient)
        )
        if not busy.exists():
            return start
    return starts[-1]


def _boston_trip(
    patient: User, link: TherapistLocation, session: SessionType, zone: ZoneInfo, today: date
) -> None:
    wednesday = today - timedelta(days=(today.weekday() - 2) % 7 + 7 * TRIP_WEEKS_AGO)
    hours = [
        WorkingHours(
            therapist=link.therapist, location=link.location, weekday=d, start=time(9), end=time(17)
        )
        for d in range(5)
    ]
    WorkingHours.objects.bulk_create(hours)
    for day in (wednesday, wednesday + timedelta(days=2)):
        start = _free_start(
            patient, link, session, [_local(day, time(h), zone) for h in range(10, 17)]
        )
        row = _story_row(patient=patient, link=link, session=session, start=start)
        row.created_at = start - timedelta(days=14)
        row.status = AppointmentStatus.COMPLETED
        row.save()
        AppointmentChange.objects.create(
            appointment=row, kind="booked", by=patient, at=row.created_at
        )
        AppointmentChange.objects.create(
            appointment=row, kind="completed", by=link.therapist.user, at=row.end
        )
