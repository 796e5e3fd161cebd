"""Reads of scheduling: therapists' calendars turned into free slots (a fixed number of queries
whatever the number of days or therapists), and people's appointments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.errors import NotFound
from sciaticare.scheduling import slots
from sciaticare.scheduling.models import (
    ACTIVE_STATUSES,
    DEFAULT_POLICY,
    Appointment,
    BookingPolicy,
    DateException,
    TimeOff,
    WorkingHours,
    policy_durations,
)

DEFAULT_WINDOW = timedelta(days=14)
# No appointment keeps a therapist busy longer than this (sessions last at most 240 minutes,
# plus the clinic's buffer of minutes).
LONGEST_BUSY = timedelta(days=1)


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


def load_calendars(
    therapist_ids: Sequence[int],
    *,
    start: datetime,
    end: datetime,
    exclude_appointment: int | None = None,
) -> dict[int, TherapistCalendar]:
    """Calendars of several therapists for [start, end): five queries whatever their number.

    Rows are read as plain values, not model instances: building thousands of instances was
    most of the time of a search page's next-free-session lookups.
    """
    calendars = {tid: TherapistCalendar(tid) for tid in therapist_ids}
    first_day = (start - timedelta(days=1)).date()
    last_day = (end + timedelta(days=1)).date()
    hours = list(
        WorkingHours.objects.filter(therapist_id__in=therapist_ids).values_list(
            "therapist_id", "location_id", "weekday", "start", "end"
        )
    )
    exceptions = list(
        DateException.objects.filter(
            therapist_id__in=therapist_ids, day__gte=first_day, day__lte=last_day
        ).values_list("therapist_id", "location_id", "day", "start", "end", "replaces")
    )
    location_ids = {row[1] for row in hours} | {row[1] for row in exceptions}
    locations = {
        location.pk: location
        for location in Location.objects.filter(pk__in=location_ids).select_related(
            "clinic__booking_policy"
        )
    }

    def place(
        therapist_id: int, location_id: int
    ) -> tuple[Location, dict[int, list[tuple]], list[slots.DateException]]:
        return calendars[therapist_id].places.setdefault(
            location_id, (locations[location_id], defaultdict(list), [])
        )

    for therapist_id, location_id, weekday, h_start, h_end in hours:
        place(therapist_id, location_id)[1][weekday].append((h_start, h_end))
    for therapist_id, location_id, day, e_start, e_end, replaces in exceptions:
        ranges = [(e_start, e_end)] if e_start is not None and e_end is not None else []
        place(therapist_id, location_id)[2].append(slots.DateException(day, ranges, replaces))
    for off in TimeOff.objects.filter(therapist_id__in=therapist_ids, start__lt=end, end__gt=start):
        calendars[off.therapist_id].time_off.append(slots.Interval(off.start, off.end))
    # The lower bound on start lets the (therapist, start) index read only the window, not a
    # therapist's whole history (bench/scheduling_earliest.py: 4x faster with 2M rows); slots.py
    # sorts the busy intervals itself, so no ORDER BY.
    appointments = (
        Appointment.objects.filter(
            therapist_id__in=therapist_ids,
            status__in=ACTIVE_STATUSES,
            start__lt=end + timedelta(days=1),
            start__gt=start - timedelta(days=1) - LONGEST_BUSY,
            busy_until__gt=start - timedelta(days=1),
        )
        .order_by()
        .values_list("id", "therapist_id", "start", "busy_until")
    )
    for appointment_id, therapist_id, a_start, a_busy in appointments:
        if appointment_id != exclude_appointment:
            calendars[therapist_id].busy.append(slots.Interval(a_start, a_busy))
    return calendars


def _service(session_type: SessionType, policy: BookingPolicy) -> slots.Service:
    return slots.Service(
        length=timedelta(minutes=session_type.minutes),
        buffer_after=policy_durations(policy)["buffer"],
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
            _service(session_type, policy),
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
    best: LocatedSlot | None = None
    for location_id, (location, _, _) in calendar.places.items():
        policy = policy_of(location)
        slot = slots.earliest_slot(
            calendar.availability(location_id),
            calendar.busy,
            _service(session_type, policy),
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
            _service(session_type, policy),
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
    """The first free standard session of each therapist within `within`: five queries in all."""
    now = now or timezone.now()
    end = now + within
    calendars = load_calendars(therapist_ids, start=now, end=end)
    sessions = standard_sessions(therapist_ids)
    return {
        tid: earliest_slot(calendars[tid], sessions[tid], start=now, end=end, now=now)
        if tid in sessions
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
