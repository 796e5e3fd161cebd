"""Free bookable slots from a therapist's availability at one location (pure, no Django).

Inputs are plain frozen dataclasses: `Availability` (time zone, weekly `WorkingHours`,
`DateException`s, time off), the busy `Interval`s of existing appointments, a `Service`
and a booking `Policy`. Three entry points share one definition of "bookable":

* `free_slots(...)`: every bookable slot in a window, sorted by start, no duplicates;
* `earliest_slot(...)`: the first of those, found lazily (stops at the first hit);
* `check_start(start, ...)`: ``None`` when ``start`` is bookable, else a `Refusal` code
  (`is_bookable` is the boolean form). ``check_start(s) is None`` exactly when ``s`` is the
  start of a slot that `free_slots` returns for a window containing ``s``.

All instants are UTC-aware datetimes (any aware datetime is accepted and normalised to UTC;
naive datetimes raise ``ValueError``). Slots come back with ``tzinfo=UTC``.

Working hours
-------------
Wall-clock ranges ``(start, end)`` are given per weekday (0 = Monday) in the location's IANA
zone. ``end`` must be after ``start``; ``end == time(0)`` means midnight at the *end* of
the day (24:00), so ``(time(0), time(0))`` is the whole day. Ranges never cross midnight:
split a night shift into two days. Hours are built one LOCAL date at a time:

* a `DateException` with ``replaces=True`` throws that date's weekly ranges away (with no
  ranges it is a day off); with ``replaces=False`` its ranges are added to the weekly ones.
  Several exceptions for one date combine (replace if any replaces; all ranges are added);
* each bound is converted to UTC (rules below), then the date's ranges are merged when they
  overlap or touch. Ranges of *different* dates are never merged, so a session never spans
  local midnight and every range has a well-defined start for the grid;
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
* Candidate starts are ``range_start + k * step`` in elapsed (UTC) time, and a slot is
  ``[start, start + length)`` in elapsed time: a 60-minute session is 60 real minutes.
  Every such instant exists, so no slot starts or ends inside a gap. Wall-clock labels after
  a transition inside a range keep real spacing (Lord Howe's 30-minute shift turns an
  hourly 00:00, 01:00, 02:00 grid into ..., 01:00, 02:30, 03:30).

Bookable start ``s`` for a service of ``length`` and ``buffer_after``
--------------------------------------------------------------------
1. ``s >= now`` (else PAST) and ``s >= now + min_notice`` (BEFORE_MIN_NOTICE);
2. ``s <= now + horizon`` (else BEYOND_HORIZON; starting exactly at the horizon is allowed);
3. ``[s, s + length)`` lies inside one merged working range (else OUTSIDE_HOURS);
4. ``s`` is on that range's grid, ``(s - range_start) % step == 0`` (else NOT_ON_GRID);
5. ``[s, s + length)`` does not overlap time off (else TIME_OFF);
6. ``[s, s + length)`` does not overlap a busy interval (else OVERLAP);
7. ``[s + length, s + length + buffer_after)`` does not overlap a busy interval (else
   IN_BUFFER: the session fits but its buffer would run into the next appointment).

Buffer rule: the buffer after a new session must not run into another appointment, but it
MAY run past the end of working hours or into time off (a 09:00-12:00 day with 60-minute
sessions and a 15-minute buffer offers 11:00). Busy intervals are passed by the caller with
their own buffer already included (``end + buffer``). `check_start` reports the first
failing rule in the order above. All intervals are half-open ``[start, end)``.

`free_slots` returns slots whose start lies in ``[window_start, window_end)``; ``Slot.end``
is ``start + length`` (the buffer is not part of the slot). It sorts the busy intervals once
and sweeps days, ranges, time off and busy intervals together: O(n log n) in the busy count
plus the number of days and slots, never candidate x appointment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "Availability",
    "DateException",
    "Interval",
    "Policy",
    "Refusal",
    "Service",
    "Slot",
    "WorkingHours",
    "check_start",
    "earliest_slot",
    "free_slots",
    "is_bookable",
    "iter_free_slots",
    "local_ranges_utc",
]

type LocalRange = tuple[time, time]
type _Span = tuple[datetime, datetime]

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_EPSILON = timedelta(microseconds=1)
_MIDNIGHT = time(0)
_MAX_UTC = datetime.max.replace(tzinfo=UTC)
_MIN_UTC = datetime.min.replace(tzinfo=UTC)


class Refusal(StrEnum):
    """Why a requested start is not bookable. Values are stable API codes."""

    PAST = "past"
    BEFORE_MIN_NOTICE = "before_min_notice"
    BEYOND_HORIZON = "beyond_horizon"
    OUTSIDE_HOURS = "outside_hours"
    NOT_ON_GRID = "not_on_grid"
    TIME_OFF = "time_off"
    OVERLAP = "overlap"
    IN_BUFFER = "in_buffer"


def _as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {value!r}")
    return value.astimezone(UTC)


def _check_range(rng: LocalRange) -> LocalRange:
    start, end = rng
    for bound in (start, end):
        if not isinstance(bound, time):
            raise TypeError(f"working range bounds must be datetime.time, got {bound!r}")
        if bound.tzinfo is not None:
            raise ValueError(f"working range bounds are local wall-clock times: {bound!r}")
    start, end = start.replace(fold=0), end.replace(fold=0)
    if end != _MIDNIGHT and end <= start:
        raise ValueError(f"working range must end after it starts (or at 00:00): {rng!r}")
    return (start, end)


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open ``[start, end)`` span of time; both bounds aware, stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = _as_utc(self.start, "start")
        end = _as_utc(self.end, "end")
        if end <= start:
            raise ValueError(f"interval must end after it starts: {start} .. {end}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def from_utc(cls, start: datetime, end: datetime) -> Interval:
        """An Interval without re-validation: the caller guarantees both bounds carry
        ``tzinfo=UTC`` and ``start < end`` (rows the database already checked)."""
        interval = object.__new__(cls)
        object.__setattr__(interval, "start", start)
        object.__setattr__(interval, "end", end)
        return interval


@dataclass(frozen=True, slots=True)
class Slot(Interval):
    """A bookable session ``[start, start + length)`` (UTC, buffer not included)."""


def _slot(start: datetime, end: datetime) -> Slot:
    """A Slot from bounds already known to be UTC (skips re-validation in the hot loop)."""
    slot = object.__new__(Slot)
    object.__setattr__(slot, "start", start)
    object.__setattr__(slot, "end", end)
    return slot


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Weekly local wall-clock ranges: weekday (0 = Monday) -> ranges."""

    weekly: Mapping[int, Sequence[LocalRange]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalised: dict[int, tuple[LocalRange, ...]] = {}
        for weekday, ranges in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday): {weekday!r}")
            normalised[weekday] = tuple(_check_range(r) for r in ranges)
        object.__setattr__(self, "weekly", normalised)

    def ranges_for(self, weekday: int) -> tuple[LocalRange, ...]:
        return tuple(self.weekly.get(weekday, ()))


@dataclass(frozen=True, slots=True)
class DateException:
    """Hours for one local date: ``replaces=True`` swaps the weekly hours for ``ranges``
    (no ranges = day off); ``replaces=False`` adds ``ranges`` to the weekly hours."""

    day: date
    ranges: Sequence[LocalRange] = ()
    replaces: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.day, date) or isinstance(self.day, datetime):
            raise TypeError(f"day must be a date: {self.day!r}")
        object.__setattr__(self, "ranges", tuple(_check_range(r) for r in self.ranges))


@dataclass(frozen=True, slots=True)
class Availability:
    """A therapist's hours at one location: zone, weekly hours, date exceptions, time off."""

    tz: ZoneInfo
    hours: WorkingHours
    exceptions: Sequence[DateException] = ()
    time_off: Sequence[Interval] = ()
    _by_day: Mapping[date, tuple[bool, tuple[LocalRange, ...]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise TypeError(f"tz must be a zoneinfo.ZoneInfo: {self.tz!r}")
        by_day: dict[date, tuple[bool, tuple[LocalRange, ...]]] = {}
        for exc in self.exceptions:
            replaces, ranges = by_day.get(exc.day, (False, ()))
            by_day[exc.day] = (replaces or exc.replaces, ranges + tuple(exc.ranges))
        object.__setattr__(self, "exceptions", tuple(self.exceptions))
        object.__setattr__(self, "time_off", tuple(self.time_off))
        object.__setattr__(self, "_by_day", by_day)

    def local_ranges(self, day: date) -> tuple[LocalRange, ...]:
        """The wall-clock ranges for one local date, exceptions applied (not merged)."""
        replaces, extra = self._by_day.get(day, (False, ()))
        weekly = () if replaces else self.hours.ranges_for(day.weekday())
        return weekly + extra


@dataclass(frozen=True, slots=True)
class Service:
    """A bookable service: session ``length`` plus ``buffer_after`` that must stay free."""

    length: timedelta
    buffer_after: timedelta = _ZERO

    def __post_init__(self) -> None:
        if self.length <= _ZERO:
            raise ValueError("service length must be positive")
        if self.buffer_after < _ZERO:
            raise ValueError("buffer_after must not be negative")


@dataclass(frozen=True, slots=True)
class Policy:
    """Booking rules: no start before ``now + min_notice`` or after ``now + horizon``;
    starts on a ``step`` grid aligned to the start of each merged working range."""

    now: datetime
    min_notice: timedelta = _ZERO
    horizon: timedelta = timedelta(days=90)
    step: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", _as_utc(self.now, "now"))
        if self.min_notice < _ZERO:
            raise ValueError("min_notice must not be negative")
        if self.horizon < _ZERO:
            raise ValueError("horizon must not be negative")
        if self.step <= _ZERO:
            raise ValueError("step must be positive")

    @property
    def earliest(self) -> datetime:
        return _add(self.now, self.min_notice)

    @property
    def latest(self) -> datetime:
        return _add(self.now, self.horizon)


def _add(value: datetime, delta: timedelta) -> datetime:
    try:
        return value + delta
    except OverflowError:
        return _MAX_UTC if delta > _ZERO else _MIN_UTC


# --- local wall clock -> UTC ---------------------------------------------------------------


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


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return _to_utc(day, _MIDNIGHT, tz, fold=0)


def _merge(spans: Iterable[_Span]) -> list[_Span]:
    """Sort and merge overlapping or touching half-open spans."""
    merged: list[_Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def local_ranges_utc(availability: Availability, day: date) -> list[_Span]:
    """The merged working ranges of one local date as UTC ``(start, end)`` pairs.

    Exceptions applied, DST rules of the module docstring applied, clipped to the date.
    Time off is NOT removed. Useful for showing hours and for tests."""
    tz = availability.tz
    first = _day_start(day, tz)
    next_day = day + _ONE_DAY
    last = _day_start(next_day, tz)
    spans: list[_Span] = []
    for wall_start, wall_end in availability.local_ranges(day):
        start = max(_to_utc(day, wall_start, tz, fold=0), first)
        if wall_end == _MIDNIGHT:
            end = _end_to_utc(next_day, _MIDNIGHT, tz)
        else:
            end = _end_to_utc(day, wall_end, tz)
        end = min(end, last)
        if start < end:
            spans.append((start, end))
    return _merge(spans)


# --- the sweep -----------------------------------------------------------------------------


def _grid(anchor: datetime, step: timedelta, lo: datetime, hi: datetime) -> Iterator[datetime]:
    """Instants ``anchor + k * step`` (k >= 0) within the closed span ``[lo, hi]``."""
    k = -((anchor - lo) // step)  # ceil((lo - anchor) / step)
    k_last = (hi - anchor) // step
    for i in range(max(k, 0), k_last + 1):
        yield anchor + i * step


def _free_segments(r0: datetime, r1: datetime, off: list[_Span], first: int) -> list[_Span]:
    """The free segments of ``[r0, r1)`` once time off is removed; ``off`` is merged and
    sorted, and ``off[first]`` is the first span that ends after ``r0``."""
    segments: list[_Span] = []
    cursor = r0
    j = first
    while j < len(off) and off[j][0] < r1:
        if off[j][0] > cursor:
            segments.append((cursor, off[j][0]))
        cursor = max(cursor, off[j][1])
        j += 1
    if cursor < r1:
        segments.append((cursor, r1))
    return segments


def iter_free_slots(  # noqa: C901 (one sweep whose cursors carry across days; benchmarked)
    availability: Availability,
    busy: Iterable[Interval],
    service: Service,
    policy: Policy,
    window_start: datetime,
    window_end: datetime,
) -> Iterator[Slot]:
    """Lazily yield the bookable slots whose start lies in ``[window_start, window_end)``,
    in increasing order of start. Busy intervals are sorted once up front."""
    tz = availability.tz
    length = service.length
    total = length + service.buffer_after
    step = policy.step
    # Closed bounds on a start: lo <= s <= hi.
    lo = max(_as_utc(window_start, "window_start"), policy.earliest)
    hi = min(_add(_as_utc(window_end, "window_end"), -_EPSILON), policy.latest)
    if lo > hi:
        return

    off = _merge((t.start, t.end) for t in availability.time_off if t.end > lo)
    # A start s is forbidden by busy [b0, b1) when s is in the OPEN interval (b0 - total, b1).
    forbidden = [
        (_add(b0, -total), b1) for b0, b1 in _merge((b.start, b.end) for b in busy if b.end > lo)
    ]
    i_off = 0
    i_busy = 0
    n_off = len(off)
    n_busy = len(forbidden)

    day = lo.astimezone(tz).date() - _ONE_DAY
    last_day = hi.astimezone(tz).date() + _ONE_DAY
    while day <= last_day:
        for r0, r1 in local_ranges_utc(availability, day):
            if r0 > hi:
                return
            if r1 - r0 < length or r1 - length < lo:
                continue
            while i_off < n_off and off[i_off][1] <= r0:
                i_off += 1
            for f0, f1 in _free_segments(r0, r1, off, i_off):
                # Starts in the closed span [x, y] keep the session inside the segment and
                # the policy; remove the open forbidden intervals. x only grows over the
                # whole sweep, so i_busy advances monotonically.
                x = max(f0, lo)
                y = min(f1 - length, hi)
                while x <= y:
                    while i_busy < n_busy and forbidden[i_busy][1] <= x:
                        i_busy += 1
                    if i_busy == n_busy or forbidden[i_busy][0] >= y:
                        for s in _grid(r0, step, x, y):
                            yield _slot(s, s + length)
                        break
                    p, q = forbidden[i_busy]
                    if p >= x:
                        for s in _grid(r0, step, x, p):
                            yield _slot(s, s + length)
                    x = q
        day += _ONE_DAY


def free_slots(
    availability: Availability,
    busy: Iterable[Interval],
    service: Service,
    policy: Policy,
    window_start: datetime,
    window_end: datetime,
) -> list[Slot]:
    """All bookable slots starting in ``[window_start, window_end)``, sorted by start."""
    return list(iter_free_slots(availability, busy, service, policy, window_start, window_end))


def earliest_slot(
    availability: Availability,
    busy: Iterable[Interval],
    service: Service,
    policy: Policy,
    window_start: datetime,
    window_end: datetime,
) -> Slot | None:
    """The first bookable slot starting in ``[window_start, window_end)``, or ``None``.

    Stops at the first hit (only the busy intervals are sorted up front)."""
    return next(
        iter(iter_free_slots(availability, busy, service, policy, window_start, window_end)),
        None,
    )


def _overlaps(start: datetime, end: datetime, spans: Iterable[Interval]) -> bool:
    return any(span.start < end and start < span.end for span in spans)


def _range_start(availability: Availability, s: datetime, e: datetime) -> datetime | None:
    """The start of the working range that holds ``[s, e)`` on the local date that owns ``s``
    (``day_start(day) <= s < day_start(day + 1)``), or None."""
    # Usually the date on the wall clock; differs only where a fall-back crosses midnight.
    tz = availability.tz
    day = s.astimezone(tz).date()
    while s >= _day_start(day + _ONE_DAY, tz):
        day += _ONE_DAY
    while s < _day_start(day, tz):
        day -= _ONE_DAY
    for r0, r1 in local_ranges_utc(availability, day):
        if r0 <= s and e <= r1:
            return r0
    return None


def check_start(
    start: datetime,
    availability: Availability,
    busy: Iterable[Interval],
    service: Service,
    policy: Policy,
) -> Refusal | None:
    """``None`` if a session of ``service`` may start at ``start``, else the first failing
    rule (see the module docstring for the order). O(n) in busy intervals, no sorting."""
    s = _as_utc(start, "start")
    if s < policy.now:
        return Refusal.PAST
    if s < policy.earliest:
        return Refusal.BEFORE_MIN_NOTICE
    if s > policy.latest:
        return Refusal.BEYOND_HORIZON
    e = _add(s, service.length)
    anchor = _range_start(availability, s, e)
    if anchor is None:
        return Refusal.OUTSIDE_HOURS
    if (s - anchor) % policy.step != _ZERO:
        return Refusal.NOT_ON_GRID
    if _overlaps(s, e, availability.time_off):
        return Refusal.TIME_OFF
    busy = tuple(busy)
    if _overlaps(s, e, busy):
        return Refusal.OVERLAP
    if service.buffer_after > _ZERO and _overlaps(e, _add(e, service.buffer_after), busy):
        return Refusal.IN_BUFFER
    return None


def is_bookable(
    start: datetime,
    availability: Availability,
    busy: Iterable[Interval],
    service: Service,
    policy: Policy,
) -> bool:
    """``check_start(...) is None``."""
    return check_start(start, availability, busy, service, policy) is None
