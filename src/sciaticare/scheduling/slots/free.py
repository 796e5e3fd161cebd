"""Every free slot in a window, by one sweep (pure, no Django): `free_slots`, `earliest_slot`
and the lazy `iter_free_slots` they share. A slot is bookable by rules.py's definition.

`free_slots` returns slots whose start lies in ``[window_start, window_end)``; ``Slot.end``
is ``start + length`` (the buffer is not part of the slot). It sorts the busy intervals once
and sweeps days, ranges, time off and busy intervals together: O(n log n) in the busy count
plus the number of days and slots, never candidate x appointment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from sciaticare.scheduling.slots.hours import Availability
from sciaticare.scheduling.slots.rules import Policy, Service
from sciaticare.scheduling.slots.spans import Interval, Slot, Span, checked_utc, merge, shifted
from sciaticare.scheduling.slots.wall_clock import ONE_DAY, local_ranges_utc

_EPSILON = timedelta(microseconds=1)


def _slot(start: datetime, end: datetime) -> Slot:
    """A Slot from bounds already known to be UTC (skips re-validation in the hot loop)."""
    slot = object.__new__(Slot)
    object.__setattr__(slot, "start", start)
    object.__setattr__(slot, "end", end)
    return slot


def _grid(anchor: datetime, step: timedelta, lo: datetime, hi: datetime) -> Iterator[datetime]:
    """Instants ``anchor + k * step`` (k >= 0) within the closed span ``[lo, hi]``."""
    k = -((anchor - lo) // step)  # ceil((lo - anchor) / step)
    k_last = (hi - anchor) // step
    for i in range(max(k, 0), k_last + 1):
        yield anchor + i * step


def _free_segments(r0: datetime, r1: datetime, off: list[Span], first: int) -> list[Span]:
    """The free segments of ``[r0, r1)`` once time off is removed; ``off`` is merged and
    sorted, and ``off[first]`` is the first span that ends after ``r0``."""
    segments: list[Span] = []
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
    lo = max(checked_utc(window_start, "window_start"), policy.earliest)
    hi = min(shifted(checked_utc(window_end, "window_end"), -_EPSILON), policy.latest)
    if lo > hi:
        return

    off = merge((t.start, t.end) for t in availability.time_off if t.end > lo)
    # A start s is forbidden by busy [b0, b1) when s is in the OPEN interval (b0 - total, b1).
    forbidden = [
        (shifted(b0, -total), b1) for b0, b1 in merge((b.start, b.end) for b in busy if b.end > lo)
    ]
    i_off = 0
    i_busy = 0
    n_off = len(off)
    n_busy = len(forbidden)

    day = lo.astimezone(tz).date() - ONE_DAY
    last_day = hi.astimezone(tz).date() + ONE_DAY
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
        day += ONE_DAY


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
