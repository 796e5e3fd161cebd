"""A location's local dates as UTC working ranges (pure, no Django).

Hours are built one LOCAL date at a time (`local_ranges_utc`):

* the date's ranges, exceptions applied (hours.py), each bound converted to UTC (rules
  below), then merged when they overlap or touch. Ranges of *different* dates are never
  merged, so a session never spans local midnight and every range has a well-defined start
  for the grid;
* a date's ranges are clipped to [first instant of that date, first instant of the next
  date), so the dates never overlap in UTC. This only matters where a repeated hour
  touches midnight (Havana's 01:00 -> 00:00) or the wall-clock date runs backwards
  (Goose_Bay 2009: 00:01 -> 23:01 the day before): every instant after the first midnight
  of a date belongs to that date, whatever the wall clock shows again.

DST rules (bound = a range start or end, converted with zoneinfo)
----------------------------------------------------------------
* Skipped local time (spring forward gap, e.g. 02:30 in New York on 2026-03-08): the bound
  moves to the first instant after the gap, i.e. the transition itself (03:00 EDT). Both
  starts and ends do this, so 00:00-02:30 on that day ends at 03:00 EDT (2 real hours).
* Repeated local time (fall back): a range START takes the first occurrence (fold=0), a
  range END the last occurrence (fold=1), unless the clock falls back exactly at the end
  (the repeated stretch then lies after the end, outside the range). A range therefore runs from the first moment the
  clock shows its start to the last moment the clock shows its end: 00:00-05:00 in New York
  on 2026-11-01 is 6 real hours and the repeated 01:00-02:00 hour is bookable twice (the
  two slots have different UTC instants; show them with their UTC offset).
* Time is elapsed time from there on: a slot's grid and length are counted in UTC
  (rules.py), so no slot starts or ends inside a gap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sciaticare.scheduling.slots.hours import MIDNIGHT, Availability
from sciaticare.scheduling.slots.spans import Span, merge

ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


def _gap_end(local: datetime, tz: ZoneInfo) -> datetime:
    """The transition instant that skips over the non-existent wall time ``local``."""
    # In a gap, fold=1 uses the offset after the transition (an instant before it) and
    # fold=0 the offset before (an instant after it). Bisect on whole seconds: tzdata
    # transitions fall on whole seconds.
    lo = local.replace(fold=1).astimezone(UTC)
    hi = local.replace(fold=0).astimezone(UTC)
    after = hi.astimezone(tz).utcoffset()
    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == after:
            hi_s = mid
        else:
            lo_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


@lru_cache(maxsize=16384)
def _to_utc(day: date, wall: time, tz: ZoneInfo, fold: int) -> datetime:
    """Local wall clock -> UTC: fold picks the occurrence of a repeated time, a skipped time
    moves to the end of the gap. Pure, so cached (the same days recur across calls)."""
    local = datetime.combine(day, wall, tzinfo=tz).replace(fold=fold)
    utc = local.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0):
        return utc
    return _gap_end(local, tz)


@lru_cache(maxsize=16384)
def _end_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """A range END: the last occurrence of a repeated wall time, except where the clock falls
    back exactly at ``wall`` (Lord Howe's 02:00 -> 01:30 for an end of 01:30). There the clock
    shows ``wall`` first as the range ends; the repeated stretch after it lies outside."""
    end = _to_utc(day, wall, tz, fold=1)
    just_before = (end - _ONE_SECOND).astimezone(tz).replace(tzinfo=None)
    if just_before >= datetime.combine(day, wall):
        return _to_utc(day, wall, tz, fold=0)
    return end


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a local date, in UTC."""
    return _to_utc(day, MIDNIGHT, tz, fold=0)


def local_ranges_utc(availability: Availability, day: date) -> list[Span]:
    """The merged working ranges of one local date as UTC ``(start, end)`` pairs.

    Exceptions applied, DST rules of the module docstring applied, clipped to the date.
    Time off is NOT removed. Useful for showing hours and for tests."""
    tz = availability.tz
    first = day_start(day, tz)
    next_day = day + ONE_DAY
    last = day_start(next_day, tz)
    spans: list[Span] = []
    for wall_start, wall_end in availability.local_ranges(day):
        start = max(_to_utc(day, wall_start, tz, fold=0), first)
        if wall_end == MIDNIGHT:
            end = _end_to_utc(next_day, MIDNIGHT, tz)
        else:
            end = _end_to_utc(day, wall_end, tz)
        end = min(end, last)
        if start < end:
            spans.append((start, end))
    return merge(spans)
