"""What helps this person: their home programme's adherence beside the pain diary, and for each
exercise their leg pain on days they did it against planned days they did not (issue 17,
point 4). Shown beside the pain chart, on the therapist's brief and in the doctor's report.

The exercises app reads the programmes (``exercises.selectors.progress``, which checks who
may read and audits); the diary is outcomes', so the comparison is put together here. No
sentence claims a cause: each comparison says that it does not show one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.exercises import adherence, response
from sciaticare.exercises.selectors.library import StopRuleWords, stop_rule
from sciaticare.exercises.selectors.progress import (
    ExerciseProgress,
    ItemDose,
    PlanHistory,
    Progress,
    progress_for,
)
from sciaticare.outcomes.charts import number
from sciaticare.outcomes.models import PainEntry

#: How many weeks of adherence each place shows (the comparisons use the whole programme).
PAGE_WEEKS = 12
BRIEF_WEEKS = 4
REPORT_WEEKS = 12

#: Who a sentence speaks to: the patient ("you"), or about them: "client" on the therapist's
#: pages (the brief), "patient" in the doctor's report.
type Voice = Literal["you", "client", "patient"]


@dataclass(frozen=True)
class WeekRow:
    start: date
    planned: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.planned)


@dataclass(frozen=True)
class ExerciseRow:
    exercise: ExerciseProgress
    comparison: response.Comparison
    words: str  # the comparison in the reader's language

    @property
    def compared(self) -> bool:
        """Enough days each way and the medians differ: only then is "this does not show
        that the exercise caused it" said (when the pain was the same, there is no "it")."""
        return self.comparison.enough and bool(self.comparison.difference)


@dataclass(frozen=True)
class ProgrammeEntry:
    name: str
    dose: ItemDose | None  # as the version in force has it (None: an earlier version's only)
    row: ExerciseRow | None  # its comparison, under the newest programme that has it


@dataclass(frozen=True)
class ProgrammeRows:
    """One programme as the diary and the report list it: who gave it, whether it ended, each
    exercise of its version in force with its dose, then the earlier versions' exercises."""

    history: PlanHistory
    given_by: str  # "From Sam Lee, Lakeside Clinic" / "Entered by the patient: Dr Shah"
    entries: list[ProgrammeEntry]


@dataclass(frozen=True)
class ExerciseInsight:
    progress: Progress
    weeks: list[WeekRow]  # the weeks shown, oldest first
    overall: int | None  # done ÷ planned over those weeks, in per cent
    rows: list[ExerciseRow]  # flagged first, then the current programme, then the rest
    not_cause: str  # said under every comparison
    weeks_shown: int | None  # how many weeks back ``weeks`` reaches (None: the whole programme)
    stop_rule: StopRuleWords  # the library's, beside a flag for the patient
    programmes: list[ProgrammeRows] = field(default_factory=list)  # ongoing first, then newest
    min_days: int = response.MIN_DAYS

    @property
    def review_overdue(self) -> date | None:
        """The passed review day of the newest ongoing programme from a therapist, if any."""
        ongoing = [h for h in self.progress.plans if h.active and h.origin == "therapist"]
        newest = max(ongoing, key=lambda h: h.plan_id, default=None)
        review = newest.review_date if newest is not None else None
        return review if review is not None and review < self.progress.today else None

    @property
    def flagged(self) -> list[ExerciseRow]:
        return [r for r in self.rows if r.exercise.flags]

    @property
    def current(self) -> list[ExerciseRow]:
        return [r for r in self.rows if r.exercise.current]


def comparison_words(comparison: response.Comparison, voice: Voice = "you") -> str:
    """The comparison as a sentence, with both medians and both numbers of days; "not enough
    days yet" until each side has ``response.MIN_DAYS``."""
    difference = comparison.difference
    if difference is None or comparison.median_done is None or comparison.median_not_done is None:
        return gettext("Not enough days yet to compare (needs %(days)s days each way).") % {
            "days": response.MIN_DAYS
        }
    size = abs(difference)
    values = {
        "points": number(size),
        "done": number(comparison.median_done),
        "not_done": number(comparison.median_not_done),
        "days_done": _days(comparison.days_done),
        "days_not_done": _days(comparison.days_not_done),
    }
    # ngettext needs a whole number: "1 point", "0.5 points", "2 points".
    count = 1 if size == 1 else 2
    if voice == "you":
        if difference < 0:
            words = ngettext(
                "On days you did it, your leg pain was %(points)s point lower "
                "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
                "On days you did it, your leg pain was %(points)s points lower "
                "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
                count,
            )
        elif difference > 0:
            words = ngettext(
                "On days you did it, your leg pain was %(points)s point higher "
                "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
                "On days you did it, your leg pain was %(points)s points higher "
                "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
                count,
            )
        else:
            words = gettext(
                "Your leg pain was about the same on days you did it and days you did not "
                "(%(days_done)s vs %(days_not_done)s)."
            )
    elif voice == "client":
        words = _client_words(difference, count)
    elif difference < 0:
        words = ngettext(
            "On days the patient did it, their leg pain was %(points)s point lower "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            "On days the patient did it, their leg pain was %(points)s points lower "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            count,
        )
    elif difference > 0:
        words = ngettext(
            "On days the patient did it, their leg pain was %(points)s point higher "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            "On days the patient did it, their leg pain was %(points)s points higher "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            count,
        )
    else:
        words = gettext(
            "The patient's leg pain was about the same on days they did it and days they did "
            "not (median %(done)s both ways; %(days_done)s vs %(days_not_done)s)."
        )
    return words % values


def _client_words(difference: float, count: int) -> str:
    """The comparison on the therapist's pages, which speak of clients."""
    if difference < 0:
        return ngettext(
            "On days the client did it, their leg pain was %(points)s point lower "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            "On days the client did it, their leg pain was %(points)s points lower "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            count,
        )
    if difference > 0:
        return ngettext(
            "On days the client did it, their leg pain was %(points)s point higher "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            "On days the client did it, their leg pain was %(points)s points higher "
            "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s).",
            count,
        )
    return gettext(
        "On days the client did it, their leg pain was the same as on days they did not "
        "(median %(done)s vs %(not_done)s; %(days_done)s vs %(days_not_done)s)."
    )


def given_by(history: PlanHistory, voice: Voice = "you") -> str:
    """Who gave a programme: its therapist and their clinic, or the prescriber the patient
    named when they entered it."""
    if history.origin != "therapist":
        if voice == "you":
            return gettext("Entered by you: %(prescriber)s") % {"prescriber": history.prescriber}
        return gettext("Entered by the patient: %(prescriber)s") % {
            "prescriber": history.prescriber
        }
    who = ", ".join(part for part in (history.therapist, history.clinic) if part)
    return gettext("From %(who)s") % {"who": who} if who else gettext("From a therapist")


def _programmes(progress: Progress, rows: list[ExerciseRow], voice: Voice) -> list[ProgrammeRows]:
    ordered = sorted(progress.plans, key=lambda h: (not h.active, -h.plan_id))
    found = []
    for history in ordered:
        mine = {r.exercise.exercise_id: r for r in rows if r.exercise.plan_id == history.plan_id}
        entries = [
            ProgrammeEntry(item.name, item, mine.pop(item.exercise_id, None))
            for item in history.current
        ]
        entries += [ProgrammeEntry(r.exercise.name, None, r) for r in mine.values()]
        found.append(ProgrammeRows(history, given_by(history, voice), entries))
    return found


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def leg_pain_by_day(*, patient: User) -> dict[date, int]:
    """The diary's leg pain (0–10) by day: one query, two columns."""
    return dict(PainEntry.objects.filter(patient=patient).values_list("day", "leg_pain"))


def exercise_insight_for(
    *,
    viewer: User,
    patient: User,
    weeks: int | None = None,
    voice: Voice = "you",
    now: datetime | None = None,
    leg_by_day: Mapping[date, int] | None = None,
) -> ExerciseInsight | None:
    """The patient's adherence (the last ``weeks`` weeks, or all) and each exercise's
    comparison over the whole programme; None when they have no programme. NotFound unless
    the viewer is the patient or treats them (``progress_for`` checks and audits). Six or
    seven queries whatever the length of the history (one without a programme), the diary's
    included unless the caller has read it (``leg_by_day``: ``Relief.leg_by_day``)."""
    progress = progress_for(viewer=viewer, patient=patient, now=now)
    if not progress.plans:
        return None
    shown = progress.weeks if weeks is None else progress.recent_weeks(weeks)
    share = adherence.overall(shown)
    pain: Mapping[date, int] = {}
    if progress.exercises:
        pain = leg_pain_by_day(patient=patient) if leg_by_day is None else leg_by_day
    rows = []
    for exercise in progress.exercises:
        comparison = response.pain_on_days(planned=exercise.planned, done=exercise.done, pain=pain)
        rows.append(ExerciseRow(exercise, comparison, comparison_words(comparison, voice)))
    return ExerciseInsight(
        progress=progress,
        weeks=[WeekRow(w.start, w.planned, w.done) for w in shown],
        overall=None if share is None else round(100 * share),
        rows=rows,
        not_cause=gettext("This does not show that the exercise caused it."),
        weeks_shown=weeks,
        stop_rule=stop_rule(),
        programmes=_programmes(progress, rows, voice),
    )


def brief_section(viewer: User, patient: User) -> SafeString:
    """The therapist's brief's "Home exercises" (installed into intake's seam,
    ``intake/brief_sections.py``): flags first, then the current programme's exercises with
    the last ``BRIEF_WEEKS`` weeks' adherence. Nothing for a reader who may open the brief but
    does not treat the patient (an intake share)."""
    try:
        insight = exercise_insight_for(
            viewer=viewer, patient=patient, weeks=BRIEF_WEEKS, voice="client"
        )
    except NotFound:
        return SafeString("")
    return render_to_string("outcomes/_brief_exercises.html", {"insight": insight})
