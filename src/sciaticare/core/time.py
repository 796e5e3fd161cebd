"""Time helpers shared by the apps. Pure: no Django import."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import overload


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
