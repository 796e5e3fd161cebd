"""Reads of scheduling: therapists' calendars turned into free slots (a fixed number of queries
whatever the number of days or therapists), and people's appointments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from sciaticare.accounts.models import Role, User
from sciaticare.core.errors import NotFound
from sciaticare.core.sql import fetch_rows, table
from sciaticare.core.time import parse_utc
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.scheduling import slots
from sciaticare.scheduling.models import (
    ACTIVE_STATUSES,
    DEFAULT_POLICY,
    LONGEST_BUSY,
    Appointment,
    AppointmentStatus,
    BookingPolicy,
    policy_durations,
)

DEFAULT_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class LocatedSlot:
    """A free slot and where it is."""

    start: datetime
    end: datetime
    location: Location


@dataclass
class TherapistCalendar:
    """Everything slots.py needs for one therapist, loaded in bulk."""

    therapist_id: int
    # location id -> (location, weekly ranges by weekday, exceptions)
    places: dict[int, tuple[Location, dict[int, list[tuple]], list[slots.DateException]]] = field(
        default_factory=dict
    )
    time_off: list[slots.Interval] = field(default_factory=list)
    busy: list[slots.Interval] = field(default_factory=list)

    def availability(self, location_id: int) -> slots.Availability:
        location, weekly, exceptions = self.places[location_id]
        return slots.Availability(
            tz=ZoneInfo(location.time_zone),
            hours=slots.WorkingHours(weekly),
            exceptions=exceptions,
            time_off=self.time_off,
        )


def local(moment: datetime, location: Location) -> datetime:
    """A UTC instant in the location's time zone, for display and the API."""
    return moment.astimezone(ZoneInfo(location.time_zone))


def policy_of(location: Location) -> BookingPolicy:
    """The clinic's booking rules, or the defaults (docs/architecture.md)."""
    try:
        return location.clinic.booking_policy
    except BookingPolicy.DoesNotExist:
        return DEFAULT_POLICY


# One statement reads every calendar row of a set of therapists, so a search page or a slots
# request costs one round trip for all of them. Values come back as text (one column type
# for four tables on both databases) and are parsed here: cheaper than Django's per-value
# converters. The appointments part repeats the partial index's condition word for word, so
# SQLite can read that index alone (sched_appt_active_busy, migration 0003).
_HOURS, _EXCEPTION, _TIME_OFF, _BUSY = 0, 1, 2, 3
_ACTIVE_SQL = "(" + ", ".join(f"'{status}'" for status in ACTIVE_STATUSES) + ")"
_CALENDAR_SQL = f"""
SELECT {_HOURS}, therapist_id, location_id, weekday,
       CAST(start AS TEXT), CAST("end" AS TEXT), NULL
  FROM scheduling_workinghours WHERE therapist_id IN ({{ids}})
UNION ALL
SELECT {_EXCEPTION}, therapist_id, location_id, CASE WHEN replaces THEN 1 ELSE 0 END,
       CAST(start AS TEXT), CAST("end" AS TEXT), CAST(day AS TEXT)
  FROM scheduling_dateexception WHERE therapist_id IN ({{ids}}) AND day >= %s AND day <= %s
UNION ALL
SELECT {_TIME_OFF}, therapist_id, NULL, NULL, CAST(start AS TEXT), CAST("end" AS TEXT), NULL
  FROM scheduling_timeoff WHERE therapist_id IN ({{ids}}) AND start < %s AND "end" > %s
UNION ALL
SELECT {_BUSY}, therapist_id, NULL, NULL, CAST(start AS TEXT), CAST(busy_until AS TEXT), NULL
  FROM scheduling_appointment
 WHERE therapist_id IN ({{ids}}) AND status IN {_ACTIVE_SQL}
   AND start < %s AND start > %s AND busy_until > %s{{excluding}}
"""  # noqa: S608 - constants only; values go as parameters


@lru_cache(maxsize=1 << 14)
def _busy(start: str, until: str) -> slots.Interval:
    """One appointment's busy span (start to busy_until); cached like `parse_utc`, and shared
    safely because an Interval is immutable."""
    return slots.Interval.from_utc(parse_utc(start), parse_utc(until))


def _optional_time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def load_calendars(
    therapist_ids: Sequence[int],
    *,
    start: datetime,
    end: datetime,
    exclude_appointment: int | None = None,
) -> dict[int, TherapistCalendar]:
    """Calendars of several therapists for [start, end): two queries whatever their number
    or the number of days (the calendar rows, then the locations with their clinic's rules)."""
    calendars = {tid: TherapistCalendar(tid) for tid in therapist_ids}
    if not calendars:
        return calendars
    ops = connection.ops
    ids = list(calendars)
    marks = ", ".join(["%s"] * len(ids))
    sql = _CALENDAR_SQL.format(
        ids=marks, excluding="" if exclude_appointment is None else " AND id <> %s"
    )
    before = start - timedelta(days=1)
    # The lower bound on an appointment's start lets the index read only the window, not a
    # therapist's whole history; the database caps start..busy_until at LONGEST_BUSY.
    params: list[Any] = [
        *ids,
        *ids,
        ops.adapt_datefield_value(before.date()),
        ops.adapt_datefield_value((end + timedelta(days=1)).date()),
        *ids,
        ops.adapt_datetimefield_value(end),
        ops.adapt_datetimefield_value(start),
        *ids,
        ops.adapt_datetimefield_value(end + timedelta(days=1)),
        ops.adapt_datetimefield_value(before - LONGEST_BUSY),
        ops.adapt_datetimefield_value(before),
    ]
    if exclude_appointment is not None:
        params.append(exclude_appointment)
    rows = fetch_rows(sql, params)

    weekly: list[tuple[int, int, int, time, time]] = []
    exceptions: list[tuple[int, int, slots.DateException]] = []
    busy = {tid: calendar.busy for tid, calendar in calendars.items()}
    for kind, therapist_id, location_id, number, a, b, day in rows:
        if kind == _BUSY:  # nearly every row: kept short
            busy[therapist_id].append(_busy(a, b))
        elif kind == _HOURS:
            weekly.append(
                (therapist_id, location_id, number, time.fromisoformat(a), time.fromisoformat(b))
            )
        elif kind == _EXCEPTION:
            e_start, e_end = _optional_time(a), _optional_time(b)
            ranges = [(e_start, e_end)] if e_start is not None and e_end is not None else []
            exceptions.append(
                (
                    therapist_id,
                    location_id,
                    slots.DateException(date.fromisoformat(day), ranges, bool(number)),
                )
            )
        else:
            calendars[therapist_id].time_off.append(
                slots.Interval.from_utc(parse_utc(a), parse_utc(b))
            )

    location_ids = {row[1] for row in weekly} | {row[1] for row in exceptions}
    locations = (
        {
            location.pk: location
            for location in Location.objects.filter(pk__in=location_ids)
            .select_related("clinic__booking_policy")
            .order_by()
        }
        if location_ids
        else {}
    )

    def place(
        therapist_id: int, location_id: int
    ) -> tuple[Location, dict[int, list[tuple]], list[slots.DateException]]:
        return calendars[therapist_id].places.setdefault(
            location_id, (locations[location_id], defaultdict(list), [])
        )

    for therapist_id, location_id, weekday, h_start, h_end in weekly:
        place(therapist_id, location_id)[1][weekday].append((h_start, h_end))
    for therapist_id, location_id, exception in exceptions:
        place(therapist_id, location_id)[2].append(exception)
    return calendars


def _service(minutes: int, policy: BookingPolicy) -> slots.Service:
    return slots.Service(
        length=timedelta(minutes=minutes), buffer_after=policy_durations(policy)["buffer"]
    )


def _policy(policy: BookingPolicy, now: datetime) -> slots.Policy:
    d = policy_durations(policy)
    return slots.Policy(now=now, min_notice=d["min_notice"], horizon=d["horizon"], step=d["step"])


def free_slots(
    calendar: TherapistCalendar,
    session_type: SessionType,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[LocatedSlot]:
    """Free slots at every location the therapist works at, sorted by start."""
    found: dict[datetime, LocatedSlot] = {}
    for location_id, (location, _, _) in calendar.places.items():
        policy = policy_of(location)
        for slot in slots.free_slots(
            calendar.availability(location_id),
            calendar.busy,
            _service(session_type.minutes, policy),
            _policy(policy, now),
            start,
            end,
        ):
            found.setdefault(slot.start, LocatedSlot(slot.start, slot.end, location))
    return [found[key] for key in sorted(found)]


def earliest_slot(
    calendar: TherapistCalendar,
    session_type: SessionType,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> LocatedSlot | None:
    return _earliest(calendar, session_type.minutes, start=start, end=end, now=now)


def _earliest(
    calendar: TherapistCalendar, minutes: int, *, start: datetime, end: datetime, now: datetime
) -> LocatedSlot | None:
    best: LocatedSlot | None = None
    for location_id, (location, _, _) in calendar.places.items():
        policy = policy_of(location)
        slot = slots.earliest_slot(
            calendar.availability(location_id),
            calendar.busy,
            _service(minutes, policy),
            _policy(policy, now),
            start,
            best.start if best else end,
        )
        if slot is not None and (best is None or slot.start < best.start):
            best = LocatedSlot(slot.start, slot.end, location)
    return best


def check_start(
    calendar: TherapistCalendar, session_type: SessionType, *, start: datetime, now: datetime
) -> tuple[Location | None, slots.Refusal | None]:
    """Where a requested start is bookable, or the most telling refusal (the server never
    trusts a client's slot list)."""
    refusals: list[slots.Refusal] = []
    for location_id, (location, _, _) in calendar.places.items():
        policy = policy_of(location)
        refusal = slots.check_start(
            start,
            calendar.availability(location_id),
            calendar.busy,
            _service(session_type.minutes, policy),
            _policy(policy, now),
        )
        if refusal is None:
            return location, None
        refusals.append(refusal)
    if not refusals:
        return None, slots.Refusal.OUTSIDE_HOURS
    # A slot taken by someone else says more than "outside hours" at another location.
    order = [
        slots.Refusal.OVERLAP,
        slots.Refusal.IN_BUFFER,
        slots.Refusal.TIME_OFF,
        slots.Refusal.PAST,
        slots.Refusal.BEFORE_MIN_NOTICE,
        slots.Refusal.BEYOND_HORIZON,
        slots.Refusal.NOT_ON_GRID,
        slots.Refusal.OUTSIDE_HOURS,
    ]
    return None, min(refusals, key=order.index)


def standard_sessions(therapist_ids: Iterable[int]) -> dict[int, SessionType]:
    return {
        s.therapist_id: s
        for s in SessionType.objects.filter(therapist_id__in=list(therapist_ids), is_standard=True)
    }


def _standard_minutes(therapist_ids: Sequence[int]) -> dict[int, int]:
    """Each therapist's standard session length: one bare statement, as only the minutes
    matter to `earliest_slots` (the ORM's query building cost more than the read)."""
    if not therapist_ids:
        return {}
    marks = ", ".join(["%s"] * len(therapist_ids))
    return dict(
        fetch_rows(
            f"SELECT therapist_id, minutes FROM {table(SessionType)}"  # noqa: S608
            f" WHERE is_standard AND therapist_id IN ({marks})",
            list(therapist_ids),
        )
    )


def session_type_of(*, therapist: TherapistProfile, session_type_id: int | None) -> SessionType:
    """The therapist's session type with this id, or their standard session."""
    qs = SessionType.objects.filter(therapist=therapist)
    found = (
        qs.filter(pk=session_type_id).first()
        if session_type_id is not None
        else qs.filter(is_standard=True).first()
    )
    if found is None:
        raise NotFound("session type")
    return found


def earliest_slots(
    therapist_ids: Sequence[int], *, within: timedelta = DEFAULT_WINDOW, now: datetime | None = None
) -> dict[int, LocatedSlot | None]:
    """The first free standard session of each therapist within `within`: three queries in all
    (load_calendars' two and the standard sessions' lengths)."""
    now = now or timezone.now()
    end = now + within
    calendars = load_calendars(therapist_ids, start=now, end=end)
    minutes = _standard_minutes(therapist_ids)
    return {
        tid: _earliest(calendars[tid], minutes[tid], start=now, end=end, now=now)
        if tid in minutes
        else None
        for tid in therapist_ids
    }


def next_available(
    therapist_ids: Sequence[int], *, within: timedelta = DEFAULT_WINDOW, now: datetime | None = None
) -> dict[int, datetime | None]:
    """When each therapist's first free standard session starts (None: nothing within `within`)."""
    return {
        tid: slot.start if slot else None
        for tid, slot in earliest_slots(therapist_ids, within=within, now=now).items()
    }


def patient_overlaps(
    *, patient: User, start: datetime, end: datetime, exclude_appointment: int | None = None
) -> bool:
    """Whether the patient has an active session overlapping [start, end), with anyone."""
    overlapping = Appointment.objects.filter(
        patient=patient,
        status__in=ACTIVE_STATUSES,
        start__gt=start - LONGEST_BUSY,
        start__lt=end,
        end__gt=start,
    )
    if exclude_appointment is not None:
        overlapping = overlapping.exclude(pk=exclude_appointment)
    return overlapping.exists()


def appointments_of(*, user: User) -> QuerySet[Appointment]:
    """The caller's own appointments, as patient or as therapist."""
    from django.db.models import Q

    return (
        Appointment.objects.filter(Q(patient=user) | Q(therapist__user=user))
        .exclude(status__in=["held", "expired"])
        .select_related("therapist__user", "location__clinic", "session_type", "patient")
    )


def appointment_for(*, user: User, appointment_id: int) -> Appointment:
    """An appointment the caller is party to (patient or therapist); 404 alike otherwise."""
    found = appointments_of(user=user).filter(pk=appointment_id).first()
    if found is None:
        raise NotFound("appointment")
    return found


# --- Who treats whom -------------------------------------------------------------------------
# The one rule of "treating therapist" (docs/architecture.md, "Who treats whom"): an
# appointment that was booked, attended or missed. A cancelled or moved booking, a waitlist
# hold and an expired offer make no care relationship, and neither does an intake share (that
# consent opens the intake and the brief only: intake.selectors.may_read_intake).
CARE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)


def care_appointments(*, patient: User) -> QuerySet[Appointment]:
    """The patient's appointments that make a care relationship (any therapist, any clinic)."""
    return Appointment.objects.filter(patient=patient, status__in=CARE_STATUSES)


def sessions_of(*, therapist_user: User) -> QuerySet[Appointment]:
    """The therapist's own appointments that are sessions: every status but a waitlist hold
    and a lapsed offer (HELD, EXPIRED), which nobody attended or missed. What their session
    notes and session lists start from."""
    return Appointment.objects.filter(therapist__user=therapist_user).exclude(
        status__in=(AppointmentStatus.HELD, AppointmentStatus.EXPIRED)
    )


def treats(*, therapist: User, patient: User) -> bool:
    """True when this therapist has a booked, attended or missed appointment with the patient."""
    if not therapist.has_role(Role.THERAPIST) or therapist.pk == patient.pk:
        return False
    return care_appointments(patient=patient).filter(therapist__user=therapist).exists()


def therapists_treating(*, patient: User | AnonymousUser) -> set[int]:
    """Ids of the therapist profiles that treat this patient (the rule of :func:`treats`)."""
    if not patient.is_authenticated:
        return set()
    return set(care_appointments(patient=patient).values_list("therapist_id", flat=True))


class Listing(Protocol):
    """A therapist as a page lists them: a profile, or the directory's search row."""

    @property
    def pk(self) -> int: ...

    @property
    def accepting_new_patients(self) -> bool: ...


def closed_to(*, patient: User | AnonymousUser, therapists: Iterable[Listing]) -> set[int]:
    """Ids of those therapists who would refuse this patient as new: a therapist "not taking
    new patients" still takes the patients they treat, and nobody else (anonymous visitors
    included, who would be new to everyone)."""
    not_taking = {t.pk for t in therapists if not t.accepting_new_patients}
    if not not_taking:
        return set()
    return not_taking - therapists_treating(patient=patient)


def patients_treated_by(therapist: User) -> QuerySet[User]:
    """The patients this therapist treats, by the same rule as :func:`treats`, each with the
    first and last of their sessions with this therapist (``first_session``,
    ``last_session``): two clients of the same name are told apart by when they come."""
    if not therapist.has_role(Role.THERAPIST):
        return User.objects.none()
    theirs = Q(appointments__therapist__user=therapist, appointments__status__in=CARE_STATUSES)
    return (
        User.objects.filter(
            pk__in=Appointment.objects.filter(
                therapist__user=therapist, status__in=CARE_STATUSES
            ).values("patient_id")
        )
        .exclude(pk=therapist.pk)
        .annotate(
            first_session=Min("appointments__start", filter=theirs),
            last_session=Max("appointments__start", filter=theirs),
        )
    )


def patient_clinic_id(*, patient: User, now: datetime | None = None) -> int | None:
    """The clinic a patient belongs to for content a clinic owns (its licensed questionnaire
    text): the clinic of their next booked appointment, else of their most recent one that
    was not cancelled; None with neither (docs/architecture.md, "Licensed questionnaires")."""
    now = now or timezone.now()
    clinics = Appointment.objects.filter(patient=patient).values_list(
        "location__clinic_id", flat=True
    )
    upcoming = (
        clinics.filter(status=AppointmentStatus.BOOKED, start__gte=now).order_by("start").first()
    )
    if upcoming is not None:
        return upcoming
    return (
        clinics.filter(
            start__lt=now,
            status__in=CARE_STATUSES,
        )
        .order_by("-start")
        .first()
    )
