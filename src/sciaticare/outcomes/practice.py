"""A therapist's or a clinic's outcomes across their patients: the definitions.

Issue 7, point 4. Each figure is computed per *patient* first (one patient, one vote: a client
seen twenty times does not outweigh twenty clients seen once), then across patients. The
database computes the same figures in SQL (``outcomes/practice_query.py``); this module is
the definition the SQL is tested against, and the rule for what may be shown.

A patient *of* a therapist (or clinic) is one with at least one **signed** session note of an
**attended** (completed) session by that therapist (at that clinic's locations): drafts, and
notes of cancelled or missed sessions, do not count. Their *course* starts at their
first signed session there.

- **Immediate relief** of a session: pain just before minus pain just after, on the 0–10
  scale, of the *worse* of back and leg pain (sciatica is mostly leg pain, but a patient whose
  back hurts more is helped by easing the back: the worse site is what the person feels). Only
  sites with both numbers recorded count; a session with neither pair has no relief figure. A
  patient's immediate relief is the mean over their sessions with a figure; the figure shown is
  the **median across patients**.
- **Responder at 6 weeks**: the worst daily pain (the greater of back and leg, as in
  ``selectors.relief_for``) from the pain diary; baseline = median over the 7 days before the
  first session (its own day excluded, like ``response.baseline_median``), follow-up = median
  over days 35–48 after it (the two weeks around week 6). A responder improves by at least the
  NRS MCID: 2 points or 30 % of the baseline (docs/clinical.md, Ostelo 2008). Patients without a
  diary entry in both windows are not evaluable and are left out of the percentage (the
  evaluable count is shown with it).
- **Questionnaire change**: the main instrument is the Roland-Morris Disability Questionnaire
  (``rmdq``, 0–24, lower is better): it ships with the product for every clinic (ODI's text is
  licensed, so not every clinic has it) and measures disability rather than repeating the pain
  scale. Baseline = the latest response in the 28 days up to the first session; follow-up =
  the latest response in the 12 weeks after it. Change = baseline − follow-up (positive is
  better); the figure is the median across patients with both.

**Shown only from 10 patients** (privacy: a figure over a handful of people says something
about each of them; fairness: a handful says little about the therapist). The rule applies to
each figure's own count — a percentage of 3 evaluable patients is not shown even when 40 were
treated. Counts are always shown; values below the threshold are never stored or shown.

Day arithmetic uses the UTC date of the session's start, as ``selectors.relief_for`` does.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sciaticare.core.translation import ngettext
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.outcomes import response

#: A figure is shown only when at least this many patients contribute to it.
MIN_PATIENTS = 10


def threshold_note() -> str:
    """What a page says in place of a figure below the threshold, in the page's language."""
    return ngettext(
        "Shown once at least %(count)s patient has data",
        "Shown once at least %(count)s patients have data",
        MIN_PATIENTS,
    ) % {"count": MIN_PATIENTS}


#: Diary windows around the first session, in days from its date: [start, end).
BASELINE_WINDOW = (-response.BASELINE_DAYS, 0)
FOLLOW_UP_WINDOW = (35, 49)

#: The main questionnaire, and how far from the first session its responses count.
MAIN_INSTRUMENT = "rmdq"
QUESTIONNAIRE_BASELINE_DAYS = 28
QUESTIONNAIRE_FOLLOW_UP_DAYS = 84

_NRS = INSTRUMENTS["nrs-leg"]
#: The pain scale's MCID (docs/clinical.md): at least 2 points or at least 30 %.
MCID_POINTS: float = _NRS.mcid_points or 2.0
MCID_PERCENT: float = _NRS.mcid_percent or 30.0


def shown(patients: int) -> bool:
    """Whether a figure over this many patients may be shown."""
    return patients >= MIN_PATIENTS


def worse_pain(
    back_before: int | None,
    back_after: int | None,
    leg_before: int | None,
    leg_after: int | None,
) -> tuple[int, int] | None:
    """(before, after) of the worse site among those with both numbers, or None."""
    pairs = [
        (before, after)
        for before, after in ((back_before, back_after), (leg_before, leg_after))
        if before is not None and after is not None
    ]
    if not pairs:
        return None
    return max(before for before, _ in pairs), max(after for _, after in pairs)


def session_relief(
    back_before: int | None,
    back_after: int | None,
    leg_before: int | None,
    leg_after: int | None,
) -> int | None:
    """A session's immediate relief: the worse pain before minus the worse pain after."""
    pain = worse_pain(back_before, back_after, leg_before, leg_after)
    return None if pain is None else response.immediate_relief(*pain)


def responds_at_six_weeks(baseline: float, follow_up: float) -> bool:
    """Whether the drop from the baseline median to the follow-up median reaches the MCID."""
    return response.responder(
        baseline, follow_up, mcid_points=MCID_POINTS, mcid_percent=MCID_PERCENT
    ).is_responder


def diary_windows(first_session: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The baseline and follow-up diary windows, each [first day, day after the last)."""
    return (
        (
            first_session + timedelta(days=BASELINE_WINDOW[0]),
            first_session + timedelta(days=BASELINE_WINDOW[1]),
        ),
        (
            first_session + timedelta(days=FOLLOW_UP_WINDOW[0]),
            first_session + timedelta(days=FOLLOW_UP_WINDOW[1]),
        ),
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure over ``patients`` patients; ``value`` is None when it may not be shown."""

    value: float | None
    patients: int

    @classmethod
    def of(cls, value: float | None, patients: int) -> Figure:
        return cls(value if shown(patients) and value is not None else None, patients)

    @property
    def is_shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class Outcomes:
    """A therapist's or clinic's figures: patients treated, and three figures with counts.

    ``responders`` is a percentage (0–100) of the evaluable patients.
    """

    patients: int
    relief: Figure
    responders: Figure
    questionnaire_change: Figure

    @property
    def any_shown(self) -> bool:
        return (
            self.relief.is_shown or self.responders.is_shown or self.questionnaire_change.is_shown
        )


def outcomes_of(
    *,
    patients: int,
    reliefs: Sequence[float],
    responder_flags: Sequence[bool],
    questionnaire_changes: Sequence[float],
) -> Outcomes:
    """The figures from per-patient values (each sequence has one value per patient that has
    one), with the threshold applied."""
    return Outcomes(
        patients=patients,
        relief=Figure.of(statistics.median(reliefs) if reliefs else None, len(reliefs)),
        responders=Figure.of(
            100.0 * sum(responder_flags) / len(responder_flags) if responder_flags else None,
            len(responder_flags),
        ),
        questionnaire_change=Figure.of(
            statistics.median(questionnaire_changes) if questionnaire_changes else None,
            len(questionnaire_changes),
        ),
    )


# --- Exercise and relief (issue 17, point 6) ----------------------------------------------

#: The days of a course over which a patient's home exercise adherence is judged, from the
#: first session: [start, end), the same weeks the responder rule looks at (up to the end of
#: the follow-up window).
ADHERENCE_WINDOW = (0, FOLLOW_UP_WINDOW[1])


@dataclass(frozen=True, slots=True)
class ExerciseRelief:
    """Responders at 6 weeks (a percentage) among the patients who kept up their home
    exercises over the course's first weeks (``exercises.adherence.adherent``) and among those
    who did not. Patients with nothing planned, or no responder verdict, are in neither."""

    adherent: Figure
    other: Figure


def exercise_relief(patients: Iterable[tuple[bool, bool]]) -> ExerciseRelief:
    """From (adherent, responder) per patient: each group's share of responders, shown only
    from ``MIN_PATIENTS`` patients in that group."""
    groups: dict[bool, list[bool]] = {True: [], False: []}
    for adherent, responder in patients:
        groups[adherent].append(responder)

    def share(flags: list[bool]) -> Figure:
        return Figure.of(100.0 * sum(flags) / len(flags) if flags else None, len(flags))

    return ExerciseRelief(adherent=share(groups[True]), other=share(groups[False]))


# --- The whole definition over plain rows, for tests to hold the SQL against ---------------


@dataclass(frozen=True, slots=True)
class Session:
    """A signed session of one patient: when it started, and pain before/after."""

    patient: int
    start: datetime
    back_before: int | None = None
    back_after: int | None = None
    leg_before: int | None = None
    leg_after: int | None = None


def outcomes_from_records(
    sessions: Iterable[Session],
    diary: Iterable[tuple[int, date, int, int]],
    questionnaires: Iterable[tuple[int, datetime, float]],
) -> Outcomes:
    """The figures of one therapist or clinic from its signed sessions, its patients' diary
    entries (patient, day, back, leg) and main-instrument scores (patient, completed, score)."""
    by_patient: dict[int, list[Session]] = {}
    for s in sessions:
        by_patient.setdefault(s.patient, []).append(s)
    days: dict[int, list[tuple[date, int]]] = {}
    for patient, day, back, leg in diary:
        days.setdefault(patient, []).append((day, max(back, leg)))
    scores: dict[int, list[tuple[datetime, float]]] = {}
    for patient, completed, score in questionnaires:
        scores.setdefault(patient, []).append((completed, score))

    reliefs, flags, changes = [], [], []
    for patient, course in by_patient.items():
        first = min(s.start for s in course)
        per_session = [
            r
            for s in course
            if (r := session_relief(s.back_before, s.back_after, s.leg_before, s.leg_after))
            is not None
        ]
        if per_session:
            reliefs.append(statistics.fmean(per_session))
        (b_from, b_to), (f_from, f_to) = diary_windows(first.date())
        entries = days.get(patient, [])
        before = [pain for day, pain in entries if b_from <= day < b_to]
        after = [pain for day, pain in entries if f_from <= day < f_to]
        if before and after:
            flags.append(responds_at_six_weeks(statistics.median(before), statistics.median(after)))
        answered = sorted(scores.get(patient, []))
        earliest = first - timedelta(days=QUESTIONNAIRE_BASELINE_DAYS)
        latest = first + timedelta(days=QUESTIONNAIRE_FOLLOW_UP_DAYS)
        baseline = [score for at, score in answered if earliest < at <= first]
        follow_up = [score for at, score in answered if first < at <= latest]
        if baseline and follow_up:
            changes.append(baseline[-1] - follow_up[-1])
    return outcomes_of(
        patients=len(by_patient),
        reliefs=reliefs,
        responder_flags=flags,
        questionnaire_changes=changes,
    )
