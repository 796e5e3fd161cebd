"""What changed from one version of a home programme to the next: exercises added or taken
out, a dose or the days changed, the review date or the note changed. Pure: plain values in,
plain values out; the page says them in words.

The start date is not a change: every version starts on its own day, and the history shows it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class ItemValues:
    """One exercise of a version: its key (the exercise's id) and what was asked of it."""

    exercise: Hashable
    repetitions: int = 0
    sets: int = 1
    minutes: int = 0
    times_per_day: int = 1
    days: int = 0b1111111
    instructions: str = ""

    @property
    def dose(self) -> tuple[int, int, int, int]:
        return (self.repetitions, self.sets, self.minutes, self.times_per_day)


@dataclass(frozen=True)
class VersionValues:
    review_date: date | None
    note: str
    items: Sequence[ItemValues]


class Kind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    DOSE = "dose"
    DAYS = "days"
    INSTRUCTIONS = "instructions"
    REVIEW = "review"
    NOTE = "note"


@dataclass(frozen=True)
class Change:
    """One difference. For an exercise: its key, and its values before (None when added) and
    after (None when taken out). For the review date: the dates; for the note: its texts."""

    kind: Kind
    exercise: Hashable | None = None
    before: ItemValues | date | str | None = None
    after: ItemValues | date | str | None = None


def changes(before: VersionValues | None, after: VersionValues) -> list[Change]:
    """The differences from ``before`` to ``after``: the exercises taken out (in the old order),
    then each exercise added or changed (in the new order), then the review date and the note.
    A first version (``before`` None) has none: everything in it is new, and the page lists
    it."""
    if before is None:
        return []
    old = {item.exercise: item for item in before.items}
    new = {item.exercise: item for item in after.items}
    found = [Change(Kind.REMOVED, key, old[key], None) for key in old if key not in new]
    for key, item in new.items():
        was = old.get(key)
        if was is None:
            found.append(Change(Kind.ADDED, key, None, item))
            continue
        if was.dose != item.dose:
            found.append(Change(Kind.DOSE, key, was, item))
        if was.days != item.days:
            found.append(Change(Kind.DAYS, key, was, item))
        if was.instructions.strip() != item.instructions.strip():
            found.append(Change(Kind.INSTRUCTIONS, key, was, item))
    if before.review_date != after.review_date:
        found.append(Change(Kind.REVIEW, None, before.review_date, after.review_date))
    if before.note.strip() != after.note.strip():
        found.append(Change(Kind.NOTE, None, before.note, after.note))
    return found
