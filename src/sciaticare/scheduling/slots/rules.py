"""What "bookable" means (pure, no Django): a `Service` to fit, the clinic's booking `Policy`,
the `Refusal` codes, and `check_start`, the one test of a single start.

Candidate starts are ``range_start + k * step`` in elapsed (UTC) time, and a slot is
``[start, start + length)`` in elapsed time: a 60-minute session is 60 real minutes.
Every such instant exists, so no slot starts or ends inside a DST gap. Wall-clock labels
after a transition inside a range keep real spacing (Lord Howe's 30-minute shift turns an
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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sciaticare.scheduling.slots.hours import Availability
from sciaticare.scheduling.slots.spans import Interval, checked_utc, shifted
from sciaticare.scheduling.slots.wall_clock import ONE_DAY, day_start, local_ranges_utc

_ZERO = timedelta(0)


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
        object.__setattr__(self, "now", checked_utc(self.now, "now"))
        if self.min_notice < _ZERO:
            raise ValueError("min_notice must not be negative")
        if self.horizon < _ZERO:
            raise ValueError("horizon must not be negative")
        if self.step <= _ZERO:
            raise ValueError("step must be positive")

    @property
    def earliest(self) -> datetime:
        return shifted(self.now, self.min_notice)

    @property
    def latest(self) -> datetime:
        return shifted(self.now, self.horizon)


def _overlaps(start: datetime, end: datetime, spans: Iterable[Interval]) -> bool:
    return any(span.start < end and start < span.end for span in spans)


def _range_start(availability: Availability, s: datetime, e: datetime) -> datetime | None:
    """The start of the working range that holds ``[s, e)`` on the local date that owns ``s``
    (``day_start(day) <= s < day_start(day + 1)``), or None."""
    # Usually the date on the wall clock; differs only where a fall-back crosses midnight.
    tz = availability.tz
    day = s.astimezone(tz).date()
    while s >= day_start(day + ONE_DAY, tz):
        day += ONE_DAY
    while s < day_start(day, tz):
        day -= ONE_DAY
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
    s = checked_utc(start, "start")
    if s < policy.now:
        return Refusal.PAST
    if s < policy.earliest:
        return Refusal.BEFORE_MIN_NOTICE
    if s > policy.latest:
        return Refusal.BEYOND_HORIZON
    e = shifted(s, service.length)
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
    if service.buffer_after > _ZERO and _overlaps(e, shifted(e, service.buffer_after), busy):
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
