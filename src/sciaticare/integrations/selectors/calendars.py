"""Reads of therapists' own calendars: the busy times scheduling asks for (external_busy.py),
and what the therapist's calendar page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min

from sciaticare.accounts.selectors import zone_name
from sciaticare.core.sql import Dialect, fetch_rows, table
from sciaticare.core.time import as_utc
from sciaticare.directory.models import TherapistLocation, TherapistProfile
from sciaticare.integrations.models import BusyInterval, CalendarConnection, CalendarEvent
from sciaticare.scheduling.external_busy import ExternalBusy
from sciaticare.scheduling.models import (
    DEFAULT_POLICY,
    MAX_HORIZON_DAYS,
    Appointment,
    BookingPolicy,
)

#: Beyond the furthest booking horizon: a session starting on its last day, and its buffer.
READ_MARGIN = timedelta(days=2)


def sync_interval() -> timedelta:
    return timedelta(seconds=settings.CALENDAR_SYNC_SECONDS)


def known(read_at: datetime | None, now: datetime) -> bool:
    """Whether busy times read at `read_at` may still be trusted: read within the sync
    interval (docs/integrations.md, "Your own calendar")."""
    return read_at is not None and now - read_at <= sync_interval()


def unknown_since(read_at: datetime | None, connected_at: datetime) -> datetime:
    """Since when busy times are unknown: the last good read's expiry, or the connection's
    creation when no read ever worked."""
    return read_at + sync_interval() if read_at else connected_at


_HAS_CALENDAR_SQL = f"""
SELECT 1 FROM {table(CalendarConnection)} c
  JOIN {table(Appointment)} a ON a.therapist_id = c.therapist_id
 WHERE a.id = %s
"""  # noqa: S608 - table names from the models; the value goes as a parameter


def writes_to_a_calendar(appointment_id: int) -> bool:
    """Whether the appointment's therapist has their own calendar connected, which its event
    is written to (a booking asks, after it commits; plain SQL, as below)."""
    return bool(fetch_rows(_HAS_CALENDAR_SQL, [appointment_id]))


# Plain SQL, not the ORM: every search page asks this of its 20 therapists, most of whom have
# no calendar connected, and compiling the ORM's query (a FilteredRelation) cost 1.5 ms of
# the search's 6 ms of Python, where the database answers in a tenth of that
# (docs/benchmarks.md, "National directory").
_EXTERNAL_BUSY_SQL = f"""
SELECT c.therapist_id, c.read_at, c.read_attempted_at, c.created_at, c.read_error,
       b.start, b."end"
  FROM {table(CalendarConnection)} c
  LEFT JOIN {table(BusyInterval)} b
    ON b.connection_id = c.id AND b.start < %s AND b."end" > %s
 WHERE c.therapist_id {{one_of_ids}}
"""  # noqa: S608 - table names from the models; values go as parameters


def external_busy(
    therapist_ids: Sequence[int], *, start: datetime, end: datetime, now: datetime
) -> dict[int, ExternalBusy]:
    """Busy times of those therapists who have a calendar connected, within [start, end): one
    query (each connection joined to its busy times in the window)."""
    if not therapist_ids:
        return {}
    test, among = Dialect.current().one_of(therapist_ids)
    ops = connection.ops
    rows = fetch_rows(
        _EXTERNAL_BUSY_SQL.format(one_of_ids=test),
        [ops.adapt_datetimefield_value(end), ops.adapt_datetimefield_value(start), *among],
    )
    found: dict[int, ExternalBusy] = {}
    for therapist_id, read_at, tried_at, created_at, problem, busy_start, busy_end in rows:
        busy = found.get(therapist_id)
        if busy is None:
            read_at, tried_at = as_utc(read_at), as_utc(tried_at)
            trusted = known(read_at, now)
            busy = found[therapist_id] = ExternalBusy(
                intervals=[],
                read_at=read_at,
                known=trusted,
                unknown_since=None if trusted else unknown_since(read_at, as_utc(created_at)),
                problem=problem,
                tried_at=tried_at,
            )
        if busy_start is not None:
            busy.intervals.append((as_utc(busy_start), as_utc(busy_end)))
    return found


def connection_of(therapist: TherapistProfile) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(therapist=therapist).first()


def therapist_zone(therapist_id: int) -> ZoneInfo:
    """The clock the therapist's all-day and floating events are read on: their first
    location's, or the site's."""
    zone = (
        TherapistLocation.objects.filter(therapist_id=therapist_id)
        .order_by("pk")
        .values_list("location__time_zone", flat=True)
        .first()
    )
    return ZoneInfo(zone or settings.TIME_ZONE)


def read_ahead(therapist_id: int) -> timedelta:
    """How far ahead the therapist's calendar is read: as far as any of their clinics takes
    bookings (at most MAX_HORIZON_DAYS, a CHECK on the policy), and a margin."""
    clinics = TherapistLocation.objects.filter(therapist_id=therapist_id).values(
        "location__clinic_id"
    )
    furthest = BookingPolicy.objects.filter(clinic_id__in=clinics).aggregate(
        furthest=Max("horizon_days")
    )["furthest"]
    days = min(max(furthest or 0, DEFAULT_POLICY.horizon_days), MAX_HORIZON_DAYS)
    return timedelta(days=days) + READ_MARGIN


@dataclass(frozen=True)
class CalendarStatus:
    """What the therapist's pages say about their own calendar."""

    connection: CalendarConnection
    #: Busy times trusted now (read within the sync interval).
    known: bool
    #: Appointments whose event could not be written or removed: their start (the therapist's
    #: clock) and why.
    write_errors: list[tuple[datetime, str]]
    zone: ZoneInfo
    #: How many busy times the stored read holds, and the span they cover (start of the first,
    #: end of the last; None when there are none): times only, never titles.
    busy_count: int = 0
    busy_from: datetime | None = None
    busy_until: datetime | None = None

    @property
    def read_at_local(self) -> datetime | None:
        read_at = self.connection.read_at
        return read_at.astimezone(self.zone) if read_at else None

    @property
    def unknown_since_local(self) -> datetime:
        """Since when the busy times are unknown: the last good read's expiry, or the
        connection's creation when none ever worked."""
        since = unknown_since(self.connection.read_at, self.connection.created_at)
        return since.astimezone(self.zone)


def calendar_status(*, therapist: TherapistProfile, now: datetime) -> CalendarStatus | None:
    """The therapist's own calendar connection and how its reads and writes went; None when
    none is connected."""
    connection = connection_of(therapist)
    if connection is None:
        return None
    zone = ZoneInfo(zone_name(therapist.user))  # "local time": the person's own clock
    errors = [
        (start.astimezone(zone), error)
        for start, error in CalendarEvent.objects.filter(connection=connection)
        .exclude(error="")
        .order_by("-updated_at")
        .values_list("appointment__start", "error")[:5]
    ]
    stored = BusyInterval.objects.filter(connection=connection).aggregate(
        count=Count("pk"), first=Min("start"), last=Max("end")
    )
    return CalendarStatus(
        connection=connection,
        known=known(connection.read_at, now),
        write_errors=errors,
        zone=zone,
        busy_count=stored["count"],
        busy_from=stored["first"].astimezone(zone) if stored["first"] else None,
        busy_until=stored["last"].astimezone(zone) if stored["last"] else None,
    )
