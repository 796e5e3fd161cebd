"""Busy times from a therapist's own calendar: what scheduling needs from the integrations app,
behind a small seam.

Integrations sits above scheduling (it writes appointments into the therapist's calendar), so
scheduling may not import it. The calendar read (`selectors.calendars.load_calendars`) asks a
:class:`BusySource` instead, and every slot computed from that read (slot lists, the earliest
slot, search's next free session, the flare-up plan, waitlist offers, the booking's own check)
is blocked by what it answers:

- integrations installs its source (``integrations.selectors.calendars.ConnectedCalendars``)
  from its ``AppConfig.ready()`` through :func:`use_source`;
- until then (scheduling without integrations) :class:`NoExternalCalendars` answers: nobody has
  an external calendar, and slots are what the clinic's calendar alone says.

A therapist whose busy times are not *known* (the last successful read is older than the sync
interval) gets no slots and no bookings until a read succeeds: a stale read never lets through a
booking the external calendar would clash with by more than that interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ExternalBusy:
    """One therapist's busy times from their own calendar within a window (UTC instants)."""

    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    #: When the last successful read finished (None: never).
    read_at: datetime | None = None
    #: Whether that read is recent enough to trust (within the sync interval).
    known: bool = True
    #: While not known: since when (the last good read's expiry, or when it was connected).
    unknown_since: datetime | None = None
    #: What went wrong with the last read, in plain words ("" when it worked).
    problem: str = ""
    #: When a read was last tried, successful or not.
    tried_at: datetime | None = None


class BusySource(Protocol):
    def busy(
        self,
        therapist_ids: Sequence[int],
        *,
        start: datetime,
        end: datetime,
        now: datetime,
        refresh: bool = False,
    ) -> dict[int, ExternalBusy]:
        """External busy times of those of the therapists who have a calendar connected (the
        others are left out) over [start, end): one database read whatever their number. With
        `refresh` (before a slot list is answered, never inside a booking's transaction), a
        calendar last read longer ago than a short freshness is read again first, within a
        bounded time; a failure only leaves the stored times as they were."""
        ...


class NoExternalCalendars:
    """The source before integrations installs its own: nobody has an external calendar."""

    def busy(
        self,
        therapist_ids: Sequence[int],
        *,
        start: datetime,
        end: datetime,
        now: datetime,
        refresh: bool = False,
    ) -> dict[int, ExternalBusy]:
        return {}


_source: BusySource = NoExternalCalendars()


def source() -> BusySource:
    return _source


def use_source(new: BusySource) -> BusySource:
    """Install the source the calendar read consults; returns the previous one."""
    global _source
    previous, _source = _source, new
    return previous
