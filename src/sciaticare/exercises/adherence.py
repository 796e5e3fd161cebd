"""Adherence to a home programme: sessions done ÷ sessions planned, per week (weeks start on
Monday). Pure: plain dates and keys in, plain figures out.

A planned session is one exercise on one planned day. A session done on a day that was not
planned counts for its week (the person moved Monday's walk to Tuesday), but never more than
that exercise's planned sessions that week: adherence is at most 100 %.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

EVERY_DAY = 0b1111111


def on_days(mask: int, day: date) -> bool:
    """True when ``day``'s weekday is in the mask (bit 0 Monday … bit 6 Sunday)."""
    return bool(mask >> day.weekday() & 1)


@dataclass(frozen=True)
class Span:
    """One version of a programme over the days it was current (``end`` inclusive): for each
    exercise, its weekday mask."""

    start: date
    end: date
    days: Mapping[Hashable, int]


def planned_sessions(spans: Iterable[Span]) -> set[tuple[Hashable, date]]:
    """Every (exercise, day) the spans plan; an exercise on a day is planned once, whichever
    span plans it."""
    planned: set[tuple[Hashable, date]] = set()
    for span in spans:
        day = span.start
        while day <= span.end:
            planned.update((key, day) for key, mask in span.days.items() if on_days(mask, day))
            day += timedelta(days=1)
    return planned


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    start: date
    planned: int
    done: int

    @property
    def ratio(self) -> float:
        """Done ÷ planned, 0.0–1.0 (a week is listed only when something was planned)."""
        return self.done / self.planned


def weekly(
    *, planned: Iterable[tuple[Hashable, date]], done: Iterable[tuple[Hashable, date]]
) -> list[Week]:
    """Adherence per week, oldest first, for the weeks with a planned session."""
    planned_count: Counter[tuple[date, Hashable]] = Counter()
    for key, day in set(planned):
        planned_count[week_of(day), key] += 1
    done_count: Counter[tuple[date, Hashable]] = Counter()
    for key, day in set(done):
        done_count[week_of(day), key] += 1
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for (start, key), count in planned_count.items():
        weeks[start][0] += count
        weeks[start][1] += min(count, done_count[start, key])
    return [Week(start, p, d) for start, (p, d) in sorted(weeks.items())]


def overall(weeks: Sequence[Week]) -> float | None:
    """Adherence over the weeks together (done ÷ planned), None without a planned session."""
    planned = sum(w.planned for w in weeks)
    return sum(w.done for w in weeks) / planned if planned else None


#: A patient is "adherent" over a course when they did at least this share of the planned
#: sessions (a product rule, documented in docs/clinical.md: the trials' common cut-off).
ADHERENT_FROM = 0.7


def adherent(weeks: Sequence[Week]) -> bool | None:
    """Whether the weeks together reach ``ADHERENT_FROM``; None without a planned session."""
    share = overall(weeks)
    return None if share is None else share >= ADHERENT_FROM
