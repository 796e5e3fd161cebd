"""How a person's leg pain went on days they did an exercise against planned days they did
not, and when an exercise is flagged for the therapist. Pure: plain values in and out.

Nothing here is a cause: the comparison is of the person's own diary on the two kinds of day,
with the number of days on each side, and it is shown only when both sides have
``MIN_DAYS`` days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import median

#: Days needed on each side before a comparison is shown (fewer says too little).
MIN_DAYS = 5
#: "Worse" marks in a row that flag an exercise.
WORSE_RUN = 3
#: How far back a mark can flag (days, today included): a flag asks for a look before the next
#: session; a mark older than this that nobody has looked at is history, which the comparison
#: of days done and not done still shows. It also bounds the marks read for a dashboard.
FLAG_WINDOW_DAYS = 42


@dataclass(frozen=True)
class Comparison:
    days_done: int
    days_not_done: int
    median_done: float | None
    median_not_done: float | None

    @property
    def enough(self) -> bool:
        return self.days_done >= MIN_DAYS and self.days_not_done >= MIN_DAYS

    @property
    def difference(self) -> float | None:
        """Median pain on days done minus on days not done (negative: lower when done); None
        until both sides have enough days."""
        if not self.enough or self.median_done is None or self.median_not_done is None:
            return None
        return self.median_done - self.median_not_done


def pain_on_days(
    *, planned: Iterable[date], done: Iterable[date], pain: Mapping[date, int]
) -> Comparison:
    """Leg pain (0–10, the diary's) on days the exercise was done, against planned days it was
    not done. Days without a diary entry count on neither side."""
    done_days = set(done)
    done_pain = [pain[d] for d in done_days if d in pain]
    not_done_pain = [pain[d] for d in set(planned) - done_days if d in pain]
    return Comparison(
        days_done=len(done_pain),
        days_not_done=len(not_done_pain),
        median_done=float(median(done_pain)) if done_pain else None,
        median_not_done=float(median(not_done_pain)) if not_done_pain else None,
    )


class Flag(StrEnum):
    SPREAD = "spread"
    WORSE = "worse"


@dataclass(frozen=True)
class Mark:
    """What the person said after doing an exercise on a day."""

    day: date
    leg_pain: str  # "better", "same", "worse" or "" (not said)
    spread_down_leg: bool


def flags(marks: Sequence[Mark]) -> list[Flag]:
    """Why an exercise should be paused and looked at, most serious first: leg pain spreading
    down the leg once, or ``WORSE_RUN`` "worse" marks in a row (days without a mark neither
    break nor extend a run). The caller passes the marks since the therapist last looked (the
    current version's start or the last session), at most ``FLAG_WINDOW_DAYS`` old."""
    found: list[Flag] = []
    if any(m.spread_down_leg for m in marks):
        found.append(Flag.SPREAD)
    run = 0
    for mark in sorted(marks, key=lambda m: m.day):
        if not mark.leg_pain:
            continue
        run = run + 1 if mark.leg_pain == "worse" else 0
        if run >= WORSE_RUN:
            found.append(Flag.WORSE)
            break
    return found
