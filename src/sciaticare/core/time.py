"""Time helpers shared by the apps. Pure: no Django import."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import overload
from zoneinfo import ZoneInfo, available_timezones


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """An instant in UTC, as the ORM gives it. A naive one is taken as UTC: that is how SQLite's
    driver hands stored instants over; an aware one is converted; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


@lru_cache(maxsize=1 << 14)
def parse_utc(text: str) -> datetime:
    """A stored instant read as text, in UTC: SQLite keeps UTC without an offset, PostgreSQL's
    text carries one (UTC in Django's sessions). Cached: appointments sit on a few grids, so
    the same texts come back call after call (a search parses ~1,500 of them)."""
    return as_utc(datetime.fromisoformat(text))


# --- A person's own day ------------------------------------------------------------------------
# Every person has a time zone (accounts: User.time_zone); "today" for them is the date their
# own clock shows. These are the pure rules; accounts.selectors applies them to a person.


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """Every IANA zone name zoneinfo knows (scanning the database takes ~10 ms: cached)."""
    return frozenset(available_timezones())


def is_time_zone(name: object) -> bool:
    """Whether `name` is an IANA zone name ("Europe/London"); a path, "localtime" or anything
    else zoneinfo would open but the database does not list is not."""
    return isinstance(name, str) and name in time_zones()


def local_time(moment: datetime, zone: str) -> datetime:
    """The wall-clock time in `zone` at an instant (naive instants are UTC, as `as_utc`)."""
    return as_utc(moment).astimezone(ZoneInfo(zone))


def local_day(moment: datetime, zone: str) -> date:
    """The date a clock in `zone` shows at an instant: a person's day."""
    return local_time(moment, zone).date()


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The instants (UTC) a local day in `zone` starts and ends, [start, end): 23 or 25 hours
    long on the days the clocks change."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, datetime.min.time(), tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)
