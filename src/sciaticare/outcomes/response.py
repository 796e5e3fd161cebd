"""Whether massage is helping: immediate relief, lasting relief and responder status.

Figures behind the "See relief" journey (docs/architecture.md, "Outcomes"). The thresholds are those of
docs/clinical.md: the honest wording and when to suggest a clinician review (ACP 2017, NICE
NG59, Cochrane 2015), and each instrument's minimal clinically important difference (MCID,
Ostelo et al., Spine 2008).

Pain is on the 0-10 numeric rating scale unless said otherwise; relief is a *drop* in pain, so
positive numbers are good news throughout this module.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sciaticare.core.translation import gettext_noop

#: Diary entries in this many days before the first session make the baseline.
BASELINE_DAYS = 7
#: A course of massage: after this many sessions, or this many weeks, with no meaningful
#: improvement, the product suggests a clinician review (docs/clinical.md).
COURSE_SESSIONS = 6
COURSE_WEEKS = 6.0

#: Shown when a course brings no meaningful improvement. Wording drawn from ACP 2017 (Qaseem et
#: al.), NICE NG59 1.2.7 and Cochrane (Furlan et al. 2015); see docs/clinical.md. Never "cure".
#: Marked only: the page or the PDF translates it when it shows it (docs/i18n.md).
HONEST_PROMPT = gettext_noop(
    "Your pain has not improved by a meaningful amount over this course of massage. "
    "Massage may give short-term relief, and it works best alongside exercise. "
    "It does not treat the cause of sciatica, such as pressure on a nerve root, "
    "and it never replaces a medical assessment. "
    "We suggest you ask a doctor or physiotherapist to review your sciatica."
)

#: Shown instead of lasting-relief figures when there is no baseline to compare against.
NO_BASELINE_NOTE = gettext_noop(
    "No lasting-relief figures yet: there are no diary entries in the 7 days before your "
    "first session, so there is nothing to compare later weeks against."
)

# Relative tolerance for "at least the MCID", so that 30 % computed as 29.999999999999996
# still counts as 30 %.
_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class WeeklyRelief:
    """One week of the pain diary after the first session.

    ``change_from_baseline`` is ``baseline - median``: positive means less pain than before the
    course began (the same sign as :func:`immediate_relief`).
    """

    week_start: date
    median: float
    change_from_baseline: float


@dataclass(frozen=True, slots=True)
class Responder:
    """How much a score improved from baseline, and whether that reaches the MCID.

    Improvements are positive when things got better, whichever direction the instrument runs.
    ``improvement_percent`` is None when the baseline is 0 (a percentage of nothing).
    """

    improvement_points: float
    improvement_percent: float | None
    is_responder: bool


def immediate_relief(before: int | None, after: int | None) -> int | None:
    """Pain just before a session minus pain just after it; None unless both were recorded."""
    if before is None or after is None:
        return None
    for name, value in (("before", before), ("after", after)):
        if not 0 <= value <= 10:
            raise ValueError(f"pain {name} must be 0-10, got {value}")
    return before - after


def baseline_median(entries: Sequence[tuple[date, float]], first_session: date) -> float | None:
    """Median pain over the 7 days before the first session (its own day excluded), or None.

    The session day is left out because a date-only diary entry cannot say whether it was
    written before or after the session.
    """
    start = first_session - timedelta(days=BASELINE_DAYS)
    values = [pain for day, pain in entries if start <= day < first_session]
    return statistics.median(values) if values else None


def lasting_relief(
    entries: Sequence[tuple[date, float]], first_session: date
) -> list[WeeklyRelief]:
    """Weekly median pain after the first session, and its drop from the baseline.

    Weeks start on the first session's day and run seven days each; weeks with no diary entry
    are left out (a chart shows the gap). Entries before the first session only count towards
    the baseline. With no baseline (no entries in the 7 days before the first session) there
    are no lasting-relief figures: the result is empty, and the page shows
    :data:`NO_BASELINE_NOTE`.
    """
    baseline = baseline_median(entries, first_session)
    if baseline is None:
        return []
    weeks: dict[int, list[float]] = {}
    first = first_session.toordinal()  # day numbers: cheaper than date arithmetic per entry
    for day, pain in entries:
        if day >= first_session:
            weeks.setdefault((day.toordinal() - first) // 7, []).append(pain)
    result = []
    for index in sorted(weeks):
        median = statistics.median(weeks[index])
        result.append(
            WeeklyRelief(
                week_start=first_session + timedelta(weeks=index),
                median=median,
                change_from_baseline=baseline - median,
            )
        )
    return result


def recent_relief(
    entries: Sequence[tuple[date, float]], first_session: date, weeks: int = 2
) -> list[WeeklyRelief]:
    """``lasting_relief(entries, first_session)[-weeks:]`` for date-sorted entries, reading only
    the baseline week and the last ``weeks`` weeks with an entry.

    The dashboard's review prompt needs only those (issue 7: three years of daily entries).
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    days = [day for day, _ in entries]
    start = bisect.bisect_left(days, first_session - timedelta(days=BASELINE_DAYS))
    after = bisect.bisect_left(days, first_session)
    tail = len(days)
    for _ in range(weeks):
        if tail <= after:
            break
        week = (days[tail - 1] - first_session).days // 7
        tail = bisect.bisect_left(days, first_session + timedelta(weeks=week), after, tail)
    return lasting_relief([*entries[start:after], *entries[tail:]], first_session)[-weeks:]


def _at_least(value: float, threshold: float) -> bool:
    return value >= threshold or math.isclose(value, threshold, rel_tol=_TOLERANCE)


def responder(
    baseline: float,
    latest: float,
    *,
    mcid_points: float | None,
    mcid_percent: float | None,
    lower_is_better: bool = True,
) -> Responder:
    """Whether the change from ``baseline`` to ``latest`` is clinically meaningful.

    Meaningful when the improvement reaches ``mcid_points`` *or* ``mcid_percent`` percent of
    the baseline (docs/clinical.md, e.g. NRS: at least 2 points or at least 30 %); that is,
    when the latest score reaches :func:`meaningful_threshold`'s line. Either
    threshold may be None when the instrument has none (PEG: percent only), not both. Exactly
    at a threshold counts as meaningful.
    """
    if mcid_points is None and mcid_percent is None:
        raise ValueError("give at least one of mcid_points and mcid_percent")
    points = baseline - latest if lower_is_better else latest - baseline
    percent = points / abs(baseline) * 100.0 if baseline != 0 else None
    by_points = mcid_points is not None and points > 0 and _at_least(points, mcid_points)
    by_percent = (
        mcid_percent is not None
        and percent is not None
        and percent > 0
        and _at_least(percent, mcid_percent)
    )
    return Responder(
        improvement_points=points,
        improvement_percent=percent,
        is_responder=by_points or by_percent,
    )


@dataclass(frozen=True, slots=True)
class MeaningfulThreshold:
    """Where a meaningful change begins for one baseline: the same rule as :func:`responder`.

    ``change`` is the improvement needed, ``min(points, percent x baseline)``; ``score`` is the
    score that reaches it (``baseline - change`` when lower is better), where charts draw the
    line. ``by`` says which threshold gives it: "points" or "percent".
    """

    score: float
    change: float
    by: str


def meaningful_threshold(
    baseline: float,
    *,
    mcid_points: float | None,
    mcid_percent: float | None,
    lower_is_better: bool = True,
) -> MeaningfulThreshold | None:
    """The line every picture of meaningful change draws (chart, table, PDF), or None.

    The verdict is meaningful when the improvement reaches the points threshold *or* the
    percent threshold of the baseline, so the line sits at the nearer of the two:
    ``baseline - min(points, percent x baseline)``. The percent threshold does not apply to a
    baseline of 0 (as in :func:`responder`); None when no threshold applies at all.
    """
    candidates: list[tuple[float, str]] = []
    if mcid_points is not None and mcid_points > 0:
        candidates.append((mcid_points, "points"))
    if mcid_percent is not None and mcid_percent > 0 and baseline != 0:
        candidates.append((abs(baseline) * mcid_percent / 100.0, "percent"))
    if not candidates:
        return None
    change, by = min(candidates, key=lambda c: c[0])
    score = baseline - change if lower_is_better else baseline + change
    return MeaningfulThreshold(score=score, change=change, by=by)


def needs_clinician_review(
    sessions: int, weeks_since_first: float, improved_meaningfully: bool
) -> bool:
    """True when a course is complete (≥ 6 sessions or ≥ 6 weeks) with no meaningful improvement.

    Then the product shows :data:`HONEST_PROMPT` (docs/clinical.md).
    """
    course_done = sessions >= COURSE_SESSIONS or weeks_since_first >= COURSE_WEEKS
    return course_done and not improved_meaningfully
