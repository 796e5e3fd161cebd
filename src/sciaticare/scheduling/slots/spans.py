"""Spans of UTC time: `Interval` (busy time, time off), `Slot` (a bookable session), and the
arithmetic the slot engine does on instants (pure, no Django)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

type Span = tuple[datetime, datetime]

_MAX_UTC = datetime.max.replace(tzinfo=UTC)
_MIN_UTC = datetime.min.replace(tzinfo=UTC)


def checked_utc(value: datetime, name: str) -> datetime:
    """An aware datetime in UTC; a naive one (or anything else) is refused."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {value!r}")
    return value.astimezone(UTC)


def shifted(value: datetime, delta: timedelta) -> datetime:
    """``value + delta``, stopping at the ends of time instead of overflowing."""
    try:
        return value + delta
    except OverflowError:
        return _MAX_UTC if delta > timedelta(0) else _MIN_UTC


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort and merge overlapping or touching half-open spans."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open ``[start, end)`` span of time; both bounds aware, stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = checked_utc(self.start, "start")
        end = checked_utc(self.end, "end")
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
