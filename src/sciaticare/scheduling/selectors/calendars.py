"""Therapists' calendars read in bulk (a fixed number of queries whatever the number of days or
therapists), and a location's clock and booking rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from sciaticare.core.sql import Dialect, columns, fetch_rows, instances, table
from sciaticare.core.time import parse_utc
from sciaticare.directory.models import Clinic, Location
from sciaticare.scheduling import external_busy
from sciaticare.scheduling.models import (
    ACTIVE_STATUSES,
    DEFAULT_POLICY,
    LONGEST_BUSY,
    BookingPolicy,
)
from sciaticare.scheduling.slots.hours import Availability, DateException, WorkingHours
from sciaticare.scheduling.slots.spans import Interval


@dataclass
class TherapistCalendar:
    """Everything the slot engine (slots/) needs for one therapist, loaded in bulk."""

    therapist_id: int
    # location id -> (location, weekly ranges by weekday, exceptions)
    places: dict[int, tuple[Location, dict[int, list[tuple]], list[DateException]]] = field(
        default_factory=dict
    )
    time_off: list[Interval] = field(default_factory=list)
    busy: list[Interval] = field(default_factory=list)
    #: The therapist has their own calendar connected (external_busy.py) and its busy times
    #: are not known (no successful read within the sync interval): nothing is bookable.
    busy_unknown: bool = False
    #: While they are unknown: since when (the API says so beside an empty slot list).
    busy_unknown_since: datetime | None = None

    def availability(self, location_id: int) -> Availability:
        location, weekly, exceptions = self.places[location_id]
        return Availability(
            tz=ZoneInfo(location.time_zone),
            hours=WorkingHours(weekly),
            exceptions=exceptions,
            time_off=self.time_off,
        )


def local(moment: datetime, location: Location) -> datetime:
    """A UTC instant in the location's time zone, for display and the API."""
    return moment.astimezone(ZoneInfo(location.time_zone))


@lru_cache(maxsize=1 << 14)
def local_text(moment: datetime, time_zone: str) -> str:
    """`local`'s ISO 8601 text (with its offset), kept: every therapist's slots fall on the
    same few thousand times of the clinics' grids, and converting and writing each one again
    was a sixth of a slot list's time (docs/benchmarks.md)."""
    return moment.astimezone(ZoneInfo(time_zone)).isoformat()


def booking_rules(clinic: Clinic) -> BookingPolicy:
    """The clinic's booking rules, or the defaults (docs/architecture.md)."""
    try:
        return clinic.booking_policy
    except BookingPolicy.DoesNotExist:
        return DEFAULT_POLICY


def policy_of(location: Location) -> BookingPolicy:
    """The booking rules of the location's clinic."""
    return booking_rules(location.clinic)


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
  FROM scheduling_workinghours WHERE therapist_id {{one_of_ids}}
UNION ALL
SELECT {_EXCEPTION}, therapist_id, location_id, CASE WHEN replaces THEN 1 ELSE 0 END,
       CAST(start AS TEXT), CAST("end" AS TEXT), CAST(day AS TEXT)
  FROM scheduling_dateexception WHERE therapist_id {{one_of_ids}} AND day >= %s AND day <= %s
UNION ALL
SELECT {_TIME_OFF}, therapist_id, NULL, NULL, CAST(start AS TEXT), CAST("end" AS TEXT), NULL
  FROM scheduling_timeoff WHERE therapist_id {{one_of_ids}} AND start < %s AND "end" > %s
UNION ALL
SELECT {_BUSY}, therapist_id, NULL, NULL, CAST(start AS TEXT), CAST(busy_until AS TEXT), NULL
  FROM scheduling_appointment
 WHERE therapist_id {{one_of_ids}} AND status IN {_ACTIVE_SQL}
   AND start < %s AND start > %s AND busy_until > %s{{excluding}}
"""  # noqa: S608 - constants only; values go as parameters


@lru_cache(maxsize=1 << 14)
def _busy(start: str, until: str) -> Interval:
    """One appointment's busy span (start to busy_until); cached like `parse_utc`, and shared
    safely because an Interval is immutable."""
    return Interval.from_utc(parse_utc(start), parse_utc(until))


def _add_external_busy(
    calendars: dict[int, TherapistCalendar],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    refresh: bool,
) -> None:
    """The one place busy times from therapists' own calendars block slots: as appointments
    do (a clash is a taken slot), or all of them while they are unknown."""
    # From a day before, as appointments are read: a long event that began earlier still blocks.
    found = external_busy.source().busy(
        list(calendars),
        start=start - timedelta(days=1),
        end=end + timedelta(days=1),
        now=now,
        refresh=refresh,
    )
    for therapist_id, busy in found.items():
        calendar = calendars[therapist_id]
        calendar.busy_unknown = not busy.known
        calendar.busy_unknown_since = busy.unknown_since if not busy.known else None
        calendar.busy.extend(Interval.from_utc(a, b) for a, b in busy.intervals)


# The locations with their clinic and its rules, as the ORM's select_related would give them,
# written out: compiling that query took longer than the database took to answer it.
_LOCATIONS_SQL = f"""
SELECT {columns(Location, "l")}, {columns(Clinic, "c")}, {columns(BookingPolicy, "p")}
  FROM {table(Location)} l
  JOIN {table(Clinic)} c ON c.id = l.clinic_id
  LEFT JOIN {table(BookingPolicy)} p ON p.clinic_id = c.id
 WHERE l.id {{one_of_ids}}
"""  # noqa: S608 - table and column names from the models; values go as parameters


def _locations(location_ids: set[int]) -> dict[int, Location]:
    ids = sorted(location_ids)
    found = {}
    test, params = Dialect.current().one_of(ids)
    for row in instances(
        _LOCATIONS_SQL.format(one_of_ids=test), params, (Location, Clinic, BookingPolicy)
    ):
        location, clinic, policy = cast(tuple[Location, Clinic, BookingPolicy | None], row)
        Location.clinic.field.set_cached_value(location, clinic)
        # A clinic with no rules of its own reads as one (booking_rules: the defaults).
        Clinic.booking_policy.related.set_cached_value(clinic, policy)
        if policy is not None:
            BookingPolicy.clinic.field.set_cached_value(policy, clinic)
        found[location.pk] = location
    return found


def _optional_time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def load_calendars(
    therapist_ids: Sequence[int],
    *,
    start: datetime,
    end: datetime,
    exclude_appointment: int | None = None,
    now: datetime | None = None,
    refresh_external: bool = False,
) -> dict[int, TherapistCalendar]:
    """Calendars of several therapists for [start, end): three queries whatever their number
    or the number of days (the calendar rows, then the locations with their clinic's rules,
    then the busy times from their own calendars, external_busy.py). `refresh_external` reads
    stale external calendars again first (a slot list; never inside a booking's lock)."""
    calendars = {tid: TherapistCalendar(tid) for tid in therapist_ids}
    if not calendars:
        return calendars
    _add_external_busy(
        calendars, start=start, end=end, now=now or timezone.now(), refresh=refresh_external
    )
    ops = connection.ops
    ids = list(calendars)
    test, among = Dialect.current().one_of(ids)
    sql = _CALENDAR_SQL.format(
        one_of_ids=test, excluding="" if exclude_appointment is None else " AND id <> %s"
    )
    before = start - timedelta(days=1)
    # The lower bound on an appointment's start lets the index read only the window, not a
    # therapist's whole history; the database caps start..busy_until at LONGEST_BUSY.
    params: list[Any] = [
        *among,
        *among,
        ops.adapt_datefield_value(before.date()),
        ops.adapt_datefield_value((end + timedelta(days=1)).date()),
        *among,
        ops.adapt_datetimefield_value(end),
        ops.adapt_datetimefield_value(start),
        *among,
        ops.adapt_datetimefield_value(end + timedelta(days=1)),
        ops.adapt_datetimefield_value(before - LONGEST_BUSY),
        ops.adapt_datetimefield_value(before),
    ]
    if exclude_appointment is not None:
        params.append(exclude_appointment)
    rows = fetch_rows(sql, params)

    weekly: list[tuple[int, int, int, time, time]] = []
    exceptions: list[tuple[int, int, DateException]] = []
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
                    DateException(date.fromisoformat(day), ranges, bool(number)),
                )
            )
        else:
            calendars[therapist_id].time_off.append(Interval.from_utc(parse_utc(a), parse_utc(b)))

    location_ids = {row[1] for row in weekly} | {row[1] for row in exceptions}
    locations = _locations(location_ids) if location_ids else {}

    def place(
        therapist_id: int, location_id: int
    ) -> tuple[Location, dict[int, list[tuple]], list[DateException]]:
        return calendars[therapist_id].places.setdefault(
            location_id, (locations[location_id], defaultdict(list), [])
        )

    for therapist_id, location_id, weekday, h_start, h_end in weekly:
        place(therapist_id, location_id)[1][weekday].append((h_start, h_end))
    for therapist_id, location_id, exception in exceptions:
        place(therapist_id, location_id)[2].append(exception)
    return calendars
