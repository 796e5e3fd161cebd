"""Quiet hours on a person's own clock, and what each kind of reminder does in them. Pure: no
Django (the kinds and channels are their codes, as `models.Kind` and `models.Channel` store them).

What waits and what goes (docs/architecture.md, "Reminders"):

| kind | in quiet hours |
|---|---|
| appointment, exercise | every channel waits for the end of the quiet hours; dropped if that is after the session has begun (the day's exercises: after 20:00 that day) |
| waitlist offer | email at once (it waits silently in the inbox; the held slot lapses in hours); text and notification wait for the end of the quiet hours if the offer is still open then, else they are dropped |
| diary nudge | dropped: the hourly job tries again within the evening window, and a nudge about today's pain is no use tomorrow morning |
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum


class Step(StrEnum):
    NOW = "now"
    HOLD = "hold"  # until the quiet hours end
    DROP = "drop"


#: The one channel that may go at night, and only for a waitlist offer.
QUIET_CHANNEL = "email"


def is_quiet(local: datetime, start: time, end: time) -> bool:
    """Whether a wall-clock time falls in quiet hours [start, end), which may span midnight
    (22:00–08:00). Equal times mean no quiet hours."""
    if start == end:
        return False
    now = local.time().replace(tzinfo=None)
    if start < end:
        return start <= now < end
    return now >= start or now < end


def quiet_ends(local: datetime, start: time, end: time) -> datetime:
    """The instant (UTC) the quiet hours that hold at `local` (an aware wall-clock time) end:
    `end` today, or tomorrow when they run past midnight and it is still evening. An end in a
    skipped hour (the clocks going forward) falls that much later, as zoneinfo reads it."""
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(UTC)


def quiet_until(local: datetime, start: time, end: time) -> datetime | None:
    """When the person's quiet hours end, if they are in them at `local`; else None."""
    return quiet_ends(local, start, end) if is_quiet(local, start, end) else None


def step(kind: str, channel: str, *, until: datetime | None, expires_at: datetime | None) -> Step:
    """What to do with one channel of a reminder now. `until`: when the person's quiet hours
    end (None when they are not in them); `expires_at`: when the reminder stops being of use
    (the session's start, the offer's end; None: never)."""
    if until is None:
        return Step.NOW
    if kind == "diary_nudge":
        return Step.DROP
    if kind == "waitlist_offer" and channel == QUIET_CHANNEL:
        return Step.NOW
    if expires_at is not None and until >= expires_at:
        return Step.DROP
    return Step.HOLD
