"""RFC 5545 calendars of sessions, for secret feeds and for the `.ics` attached to mail.

Pure: plain event values in, bytes out. Times are written in the location's own zone with a
VTIMEZONE for it (so a calendar app shows 10:00 at the clinic whatever the viewer's zone, and
summer and winter offsets are both right); a UTC time is written as UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from icalendar import STATUS, Calendar, Event

PRODID = "-//Sciaticare//Sessions//EN"

EventStatus = Literal["CONFIRMED", "CANCELLED"]


@dataclass(frozen=True)
class SessionEvent:
    """One session as a calendar event: `start` and `end` are aware, in the location's zone."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    status: EventStatus = "CONFIRMED"
    sequence: int = 0

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Calendar events need time-zone-aware start and end times.")
        if self.end <= self.start:
            raise ValueError("A calendar event must end after it starts.")


def _span(events: list[SessionEvent]) -> tuple[date, date]:
    """The dates the VTIMEZONE must cover: a year either side keeps files small but valid."""
    first = min(event.start for event in events).date() - timedelta(days=366)
    last = max(event.end for event in events).date() + timedelta(days=366)
    return first, last


def build_calendar(
    events: Iterable[SessionEvent],
    *,
    name: str,
    stamp: datetime,
    method: str | None = None,
    refresh: timedelta | None = None,
    uid: str | None = None,
) -> bytes:
    """A VCALENDAR of `events`; `stamp` is the DTSTAMP (when this copy was made).

    `method` is "PUBLISH" for a file attached to mail; feeds leave it out. `refresh` tells
    subscribing apps how often to fetch the feed again. `uid` names the calendar itself
    (RFC 7986 §5.3): a feed passes the same one on every fetch; without it a file gets a new one.
    """
    listed = list(events)
    calendar = Calendar.new(prodid=PRODID, name=name, method=method, uid=uid)
    if refresh is not None:
        # RFC 7986 §5.7 requires the VALUE=DURATION parameter; icalendar leaves it out.
        calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    stamp_utc = stamp.astimezone(UTC)
    for event in listed:
        calendar.add_component(
            Event.new(
                uid=event.uid,
                start=event.start,
                end=event.end,
                summary=event.summary,
                location=event.location or None,
                description=event.description or None,
                status=STATUS(event.status),
                sequence=event.sequence,
                stamp=stamp_utc,
            )
        )
    if listed:
        first, last = _span(listed)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
