"""A therapist's hours at one location as local wall-clock rules (pure, no Django): the weekly
`WorkingHours`, a date's `DateException`, and the `Availability` that joins them with the
location's time zone and the therapist's time off.

Wall-clock ranges ``(start, end)`` are given per weekday (0 = Monday) in the location's IANA
zone. ``end`` must be after ``start``; ``end == time(0)`` means midnight at the *end* of
the day (24:00), so ``(time(0), time(0))`` is the whole day. Ranges never cross midnight:
split a night shift into two days. A `DateException` with ``replaces=True`` throws that
date's weekly ranges away (with no ranges it is a day off); with ``replaces=False`` its ranges
are added to the weekly ones. Several exceptions for one date combine (replace if any
replaces; all ranges are added). How a date's ranges become UTC is wall_clock.py's part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sciaticare.scheduling.slots.spans import Interval

type LocalRange = tuple[time, time]

MIDNIGHT = time(0)


def _check_range(rng: LocalRange) -> LocalRange:
    start, end = rng
    for bound in (start, end):
        if not isinstance(bound, time):
            raise TypeError(f"working range bounds must be datetime.time, got {bound!r}")
        if bound.tzinfo is not None:
            raise ValueError(f"working range bounds are local wall-clock times: {bound!r}")
    start, end = start.replace(fold=0), end.replace(fold=0)
    if end != MIDNIGHT and end <= start:
        raise ValueError(f"working range must end after it starts (or at 00:00): {rng!r}")
    return (start, end)


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
