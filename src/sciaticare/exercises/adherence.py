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


def version_spans(
    versions: Sequence[tuple[date, Mapping[Hashable, int]]], *, start: date, end: date
) -> list[Span]:
    """The days each version of a programme was in force, within ``start``..``end``.

    ``versions`` are (start day, masks by exercise), in version order. On a day the version in
    force is the newest one that has started, so a version holds from its start to the day
    before any newer one starts; a version replaced before it started holds no day."""
    spans: list[Span] = []
    later_start: date | None = None
    for version_start, days in reversed(versions):
        first = max(version_start, start)
        last = end if later_start is None else min(end, later_start - timedelta(days=1))
        if first <= last:
            spans.append(Span(first, last, days))
        later_start = version_start if later_start is None else min(later_start, version_start)
    return spans[::-1]


def without_paused(spans: Iterable[Span], paused: Mapping[Hashable, date]) -> list[Span]:
    """The spans with each paused exercise taken out from the day it was paused on (a span that
    holds that day is cut in two there); a span left with no exercise is dropped."""
    cut: list[Span] = []
    for span in spans:
        cuts = sorted(
            {d for k, d in paused.items() if k in span.days and span.start < d <= span.end}
        )
        for first, after in zip(
            [span.start, *cuts], [*cuts, span.end + timedelta(days=1)], strict=True
        ):
            days = {k: m for k, m in span.days.items() if not (k in paused and paused[k] <= first)}
            if days:
                cut.append(Span(first, after - timedelta(days=1), days))
    return cut


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
