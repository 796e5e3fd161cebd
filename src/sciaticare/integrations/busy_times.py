"""Which times of a therapist's own calendar are busy: its events' spans on the window, repeats
expanded here one occurrence at a time under a cap (a calendar must not decide how much work a
read does), merged, with free, cancelled and our own events left out. Pure: icalendar and
dateutil values in, UTC spans out (caldav_client.py fetches the events)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrule, rruleset, rrulestr

from sciaticare.core.translation import gettext_noop


class CalendarError(Exception):
    """A call to the calendar server failed; `str()` says why in plain words."""


UNREADABLE = gettext_noop("The server's answer could not be read as a calendar.")

#: The UID of every event we write starts so: a read skips them (our own appointments already
#: block their time), and nobody else's event is ever touched.
OWN_UID_PREFIX = "sciaticare-appointment-"

type Span = tuple[datetime, datetime]

MAX_OCCURRENCES = 20_000
MAX_BUSY_TIMES = 5_000

TOO_MANY_REPEATS = gettext_noop(
    "Your calendar has more repeating events than we can read; the times after the last one "
    "read are treated as busy."
)


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An event bound as a UTC instant: a date (all day) is midnight on the therapist's
    clock, a floating time is read on that clock too."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def busy_spans(
    components: list[Any], *, start: datetime, end: datetime, zone: ZoneInfo, own_host: str = ""
) -> list[Span]:
    """The busy spans of expanded VEVENTs within [start, end), in UTC: free (TRANSP:TRANSPARENT)
    and cancelled events, and our own (this site's appointments, which block their time
    already), left out. Pure: the tests feed it components."""
    spans: list[Span] = []
    for component in components:
        if component.name != "VEVENT":
            continue
        uid = str(component.get("uid", ""))
        if uid.startswith(OWN_UID_PREFIX) and uid.endswith(f"@{own_host}"):
            continue
        if str(component.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(component.get("status", "")).upper() == "CANCELLED":
            continue
        begins = component.get("dtstart")
        if begins is None:
            continue
        first = _instant(begins.dt, zone)
        ends = component.get("dtend")
        if ends is not None:
            last = _instant(ends.dt, zone)
        elif component.get("duration") is not None:
            last = first + component.get("duration").dt
        elif not isinstance(begins.dt, datetime):
            last = _instant(begins.dt + timedelta(days=1), zone)  # an all-day event's day
        else:
            continue  # an instant takes no time (RFC 5545 3.6.1)
        first, last = max(first, start), min(last, end)
        if first < last:
            spans.append((first, last))
    return sorted(spans)


@dataclass(frozen=True)
class BusyRead:
    """What one read found: the busy spans, merged and sorted (UTC), and where it stopped when
    the calendar held more than we read (the rest of the window is then among the spans)."""

    spans: list[Span]
    capped_at: datetime | None = None


class _Capped(Exception):
    """MAX_OCCURRENCES were computed."""


def _skipped(component: Any, own_host: str) -> bool:
    """Free, cancelled and our own events block nothing (ours block their time already)."""
    uid = str(component.get("uid", ""))
    if uid.startswith(OWN_UID_PREFIX) and uid.endswith(f"@{own_host}"):
        return True
    if str(component.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
        return True
    return str(component.get("status", "")).upper() == "CANCELLED"


def _like(value: date | datetime, first: datetime, zone: ZoneInfo) -> datetime:
    """`value` as the same kind of datetime as the series' first start (naive on the therapist's
    clock, or aware), so that the two compare."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if first.tzinfo is None:
        if value.tzinfo is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=first.tzinfo)
    return value


def _dates(component: Any, name: str) -> list[Any]:
    """The values of a date-list property (EXDATE, RDATE), however many lines it has; a PERIOD
    counts from its start."""
    found = component.get(name)
    if found is None:
        return []
    values = []
    for line in found if isinstance(found, list) else [found]:
        for value in getattr(line, "dts", []):
            moment = value.dt
            values.append(moment[0] if isinstance(moment, tuple) else moment)
    return values


def _length(component: Any, begins: date | datetime) -> timedelta | None:
    """How long each occurrence lasts (on its own clock); None for an instant, which takes no
    time (RFC 5545 3.6.1)."""
    ends = component.get("dtend")
    if ends is not None:
        if isinstance(ends.dt, datetime) != isinstance(begins, datetime):
            return None
        return ends.dt - begins
    if component.get("duration") is not None:
        return component.get("duration").dt
    if not isinstance(begins, datetime):
        return timedelta(days=1)  # an all-day event's day
    return None


#: Rules whose occurrences repeat at a fixed step on the clock: a series that began long ago is
#: walked from just before the window, not from its first day.
_STEPS = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}


def _nearer(made: rrule, rule: Any, first: datetime, length: timedelta, since: datetime) -> rrule:
    """The rule started a whole number of its steps later, as near before `since` as still
    covers an occurrence running into it. Only without COUNT (which counts from the first)."""
    step = _STEPS.get(str((rule.get("FREQ") or [""])[0]).upper())
    if step is None or rule.get("COUNT"):
        return made
    step *= int((rule.get("INTERVAL") or [1])[0] or 1)
    if first.tzinfo is not None:
        since = since.astimezone(first.tzinfo)
    skip = (since.replace(tzinfo=None) - first.replace(tzinfo=None)) // step - length // step - 2
    if skip <= 0:
        return made
    # Wall-clock arithmetic (aware + timedelta keeps the time of day across DST).
    return made.replace(dtstart=first + skip * step)


def _starts(
    component: Any, first: datetime, zone: ZoneInfo, *, length: timedelta, since: datetime
) -> Iterator[datetime]:
    """The series' starts in order, lazily: RRULEs (UNTIL applied here, so that a floating or
    all-day start and a UTC UNTIL compare), RDATEs, less EXDATEs. A rule we cannot read makes
    the read fail rather than drop the series."""
    rules = component.get("rrule")
    extra = _dates(component, "rdate")
    if rules is None and not extra:
        yield first
        return
    series = rruleset()
    series.rdate(first)  # DTSTART is always the first occurrence
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        parts = {k: v for k, v in rule.items() if k.upper() != "UNTIL"}
        until = rule.get("UNTIL")
        try:
            text = icalendar.vRecur(parts).to_ical().decode()
            made = rrulestr(text, dtstart=first)
            if until:
                last = until[0]
                if not isinstance(last, datetime):
                    last = datetime.combine(last, time.max)
                made = made.replace(until=_like(last, first, zone))
        except (ValueError, TypeError, KeyError) as exc:
            raise CalendarError(UNREADABLE) from exc
        if not isinstance(made, rrule):
            raise CalendarError(UNREADABLE)
        series.rrule(_nearer(made, rule, first, length, _like(since, first, zone)))
    for moment in extra:
        series.rdate(_like(moment, first, zone))
    for moment in _dates(component, "exdate"):
        series.exdate(_like(moment, first, zone))
    yield from series


def _occurrences(
    master: Any,
    moved: set[datetime],
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    budget: list[int],
) -> Iterator[Span]:
    """The busy spans of one series within [start, end), in order of start; the occurrences
    replaced by an override (RECURRENCE-ID) left out. Every occurrence computed, in the window
    or before it, spends the budget: the event does not decide how much work we do."""
    begins = master.get("dtstart")
    if begins is None:
        return
    length = _length(master, begins.dt)
    if length is None or length <= timedelta(0):
        return
    first = begins.dt if isinstance(begins.dt, datetime) else datetime.combine(begins.dt, time(0))
    all_day = not isinstance(begins.dt, datetime)
    for occurs in _starts(master, first, zone, length=length, since=start):
        budget[0] -= 1
        if budget[0] < 0:
            raise _Capped
        if _instant(occurs, zone) >= end:
            return
        if occurs in moved:
            continue
        ends = occurs + length
        if all_day:  # the day on the therapist's clock, whatever the offsets that day
            ends = datetime.combine((occurs + length).date(), time(0))
        a, b = max(_instant(occurs, zone), start), min(_instant(ends, zone), end)
        if a < b:
            yield (a, b)


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[list[datetime]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _series(
    calendars: list[Any],
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    own_host: str,
    budget: list[int],
) -> list[Iterator[Span]]:
    """One lazy source of busy spans per series (a master less its moved occurrences) and per
    override (RECURRENCE-ID: one occurrence of its own, with its own times)."""
    sources: list[Iterator[Span]] = []
    for calendar in calendars:
        events = list(calendar.walk("VEVENT"))
        moved: dict[str, set[datetime]] = {}
        for event in events:
            if event.get("recurrence-id") is not None:
                moved.setdefault(str(event.get("uid", "")), set()).add(event["recurrence-id"].dt)
        for event in events:
            overrides = moved.get(str(event.get("uid", "")), set())
            if event.get("recurrence-id") is None and overrides:
                begins = event.get("dtstart")
                if begins is not None:
                    first = begins.dt
                    if not isinstance(first, datetime):
                        first = datetime.combine(first, time(0))
                    overrides = {_like(moment, first, zone) for moment in overrides}
            if _skipped(event, own_host):
                continue
            if event.get("recurrence-id") is not None:
                # An override is one occurrence of its own, with its own times.
                single = icalendar.Event()
                for name in ("dtstart", "dtend", "duration"):
                    if event.get(name) is not None:
                        single[name] = event[name]
                sources.append(
                    _occurrences(single, set(), start=start, end=end, zone=zone, budget=budget)
                )
            else:
                sources.append(
                    _occurrences(event, overrides, start=start, end=end, zone=zone, budget=budget)
                )
    return sources


def expanded_busy(
    calendars: list[Any],
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    own_host: str = "",
    max_occurrences: int = MAX_OCCURRENCES,
    max_busy_times: int = MAX_BUSY_TIMES,
) -> BusyRead:
    """The busy spans of the events in `calendars` (parsed iCalendar objects, one a resource)
    within [start, end): repeating events expanded lazily, all series walked together in order
    of start and merged as they come, so the work is bounded whatever the events say. When
    `max_occurrences` are computed or `max_busy_times` kept, everything from the last start
    reached to the window's end counts as busy: no slot is offered on a time we did not read.
    Pure: the tests feed it calendars."""
    budget = [max_occurrences]
    sources = _series(calendars, start=start, end=end, zone=zone, own_host=own_host, budget=budget)
    merged: list[list[datetime]] = []
    reached, capped = start, None
    try:
        for a, b in heapq.merge(*sources):
            reached = a
            if merged and a <= merged[-1][1]:
                merged[-1][0] = min(merged[-1][0], a)
                merged[-1][1] = max(merged[-1][1], b)
                continue
            if len(merged) >= max_busy_times:
                capped = a
                break
            merged.append([a, b])
    except _Capped:
        capped = reached
    spans = [(a, b) for a, b in merged]
    if capped is not None:
        spans.append((max(capped, start), end))
    return BusyRead(_merged(spans), capped)
