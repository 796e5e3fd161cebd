"""What can be booked with therapists: free slots, the earliest one, whether a requested start
is bookable, and which session type is booked. Computed by the slot engine (slots/) from the
calendars of calendars.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from sciaticare.core import kept_answers
from sciaticare.core.sql import Dialect, fetch_rows, table
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.scheduling.models import (
    Appointment,
    BookingPolicy,
    DateException,
    TimeOff,
    WorkingHours,
    policy_durations,
)
from sciaticare.scheduling.selectors.calendars import (
    TherapistCalendar,
    load_calendars,
    local,
    policy_of,
)
from sciaticare.scheduling.slots import free, rules

DEFAULT_WINDOW = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class LocatedSlot:
    """A free slot and where it is."""

    start: datetime
    end: datetime
    location: Location


def _service(minutes: int, policy: BookingPolicy) -> rules.Service:
    return rules.Service(
        length=timedelta(minutes=minutes), buffer_after=policy_durations(policy)["buffer"]
    )


def _policy(policy: BookingPolicy, now: datetime) -> rules.Policy:
    d = policy_durations(policy)
    return rules.Policy(now=now, min_notice=d["min_notice"], horizon=d["horizon"], step=d["step"])


def free_slots(
    calendar: TherapistCalendar,
    session_type: SessionType,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[LocatedSlot]:
    """Free slots at every location the therapist works at, sorted by start (none while the
    busy times of the therapist's own calendar are unknown)."""
    if calendar.busy_unknown:
        return []
    at_each = [
        (
            location,
            free.iter_free_slots(
                calendar.availability(location_id),
                calendar.busy,
                _service(session_type.minutes, policy_of(location)),
                _policy(policy_of(location), now),
                start,
                end,
            ),
        )
        for location_id, (location, _, _) in calendar.places.items()
    ]
    if len(at_each) == 1:  # nearly always: one location's slots, already in order
        ((location, slots),) = at_each
        return [LocatedSlot(slot.start, slot.end, location) for slot in slots]
    found: dict[datetime, LocatedSlot] = {}
    for location, slots in at_each:
        for slot in slots:
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
    if calendar.busy_unknown:
        return None
    for location_id, (location, _, _) in calendar.places.items():
        policy = policy_of(location)
        slot = free.earliest_slot(
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
) -> tuple[Location | None, rules.Refusal | None]:
    """Where a requested start is bookable, or the most telling refusal (the server never
    trusts a client's slot list)."""
    refusals: list[rules.Refusal] = []
    for location_id, (location, _, _) in calendar.places.items():
        policy = policy_of(location)
        refusal = rules.check_start(
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
        return None, rules.Refusal.OUTSIDE_HOURS
    # A slot taken by someone else says more than "outside hours" at another location.
    order = [
        rules.Refusal.OVERLAP,
        rules.Refusal.IN_BUFFER,
        rules.Refusal.TIME_OFF,
        rules.Refusal.PAST,
        rules.Refusal.BEFORE_MIN_NOTICE,
        rules.Refusal.BEYOND_HORIZON,
        rules.Refusal.NOT_ON_GRID,
        rules.Refusal.OUTSIDE_HOURS,
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
    test, params = Dialect.current().one_of(therapist_ids)
    return dict(
        fetch_rows(
            f"SELECT therapist_id, minutes FROM {table(SessionType)}"  # noqa: S608
            f" WHERE is_standard AND therapist_id {test}",
            params,
        )
    )


def earliest_slots(
    therapist_ids: Sequence[int], *, within: timedelta = DEFAULT_WINDOW, now: datetime | None = None
) -> dict[int, LocatedSlot | None]:
    """The first free standard session of each therapist within `within`: four queries in all
    (load_calendars' three and the standard sessions' lengths)."""
    now = now or timezone.now()
    end = now + within
    calendars = load_calendars(therapist_ids, start=now, end=end, now=now)
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
    """When each therapist's first free standard session starts (None: nothing within `within`).

    Search pages ask this of twenty therapists at a time, the same therapists many times a
    second: the answers of the default window are kept for `NEXT_FREE_SECONDS` (`recent`),
    so what a search shows may be that many seconds old. Slot lists and booking never read
    them; they compute from the calendar each time."""
    if now is not None or within != DEFAULT_WINDOW or settings.NEXT_FREE_SECONDS <= 0:
        return _computed(therapist_ids, within=within, now=now)
    found, missing = recent.known(therapist_ids, seconds=settings.NEXT_FREE_SECONDS)
    if missing:
        computed = _computed(missing, within=within, now=now)
        recent.keep(computed)
        found.update(computed)
    return {tid: found[tid] for tid in therapist_ids}


def _computed(
    therapist_ids: Sequence[int], *, within: timedelta, now: datetime | None
) -> dict[int, datetime | None]:
    return {
        tid: slot.start if slot else None
        for tid, slot in earliest_slots(therapist_ids, within=within, now=now).items()
    }


class RecentNextFree:
    """This process's answers of `next_available` of the last few seconds, by therapist.

    An appointment saved or deleted in this process forgets its therapist at once (apps.py);
    one changed by another process, or hours and time off changed, shows within the seconds
    the answers are kept (docs/scale.md, "What a search may show late")."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[float, datetime | None]] = {}
        self._lock = threading.Lock()

    def known(
        self, therapist_ids: Sequence[int], *, seconds: float
    ) -> tuple[dict[int, datetime | None], list[int]]:
        """The kept answers younger than `seconds`, and the therapists without one."""
        oldest = time.monotonic() - seconds
        found: dict[int, datetime | None] = {}
        missing: list[int] = []
        with self._lock:
            for tid in therapist_ids:
                kept = self._kept.get(tid)
                if kept is not None and kept[0] >= oldest:
                    found[tid] = kept[1]
                else:
                    missing.append(tid)
        return found, missing

    def keep(self, answers: dict[int, datetime | None]) -> None:
        at = time.monotonic()
        with self._lock:
            if len(self._kept) > MOST_KEPT:
                self._kept.clear()
            self._kept.update((tid, (at, start)) for tid, start in answers.items())

    def forget(self, therapist_id: int) -> None:
        with self._lock:
            self._kept.pop(therapist_id, None)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


#: Therapists whose answers a process keeps at most (a bound on memory, whatever the directory).
MOST_KEPT = 50_000
#: The one store of this process.
recent = RecentNextFree()


def forget_appointment(sender: type, instance: Appointment, **kwargs: object) -> None:
    """A saved or deleted appointment: its therapist's next free session and kept slot lists
    are read afresh (connected to Appointment's post_save and post_delete in
    scheduling/apps.py)."""
    recent.forget(instance.therapist_id)
    kept_answers.forget(instance.therapist_id)


def forget_calendar(
    sender: type, instance: WorkingHours | DateException | TimeOff, **kwargs: object
) -> None:
    """Working hours, a changed day or time off changed: the therapist's kept slot lists are
    dropped."""
    kept_answers.forget(instance.therapist_id)


def free_times(
    *, therapist: TherapistProfile, session_type: SessionType, exclude: int | None = None
) -> dict[str, Any]:
    """What the booking page shows: the therapist's free times of `session_type` over the next
    `DEFAULT_WINDOW`, by day at each location's own clock (`exclude`: the appointment being
    moved, whose time counts as free). The therapist's own calendar is read again first if the
    last read is not fresh (bounded)."""
    now = timezone.now()
    end = now + DEFAULT_WINDOW
    calendar = load_calendars(
        [therapist.pk],
        start=now,
        end=end,
        exclude_appointment=exclude,
        now=now,
        refresh_external=True,
    )[therapist.pk]
    days: dict[date, list[dict[str, Any]]] = {}
    for slot in free_slots(calendar, session_type, start=now, end=end, now=now):
        days.setdefault(local(slot.start, slot.location).date(), []).append(
            {"start": slot.start, "location": slot.location}
        )
    return {
        "therapist": therapist,
        "session_type": session_type,
        "session_types": SessionType.objects.filter(therapist=therapist),
        "days": days,
        "busy_unknown": calendar.busy_unknown,
    }
