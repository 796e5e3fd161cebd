"""Therapists' and clinics' outcomes (``practice.py``) as one SQL statement.

Why SQL: a clinic's figures read every signed session of its patients and their diary around
each course; over a million diary rows a Python loop takes seconds, the database a fraction
(docs/benchmarks.md, "Clinic outcome report"). ``tests/outcomes/test_practice.py`` checks that
the statement gives what ``practice.outcomes_from_records`` gives, on SQLite and PostgreSQL.

The statement, step by step (CTEs):

1. **sess** — signed session notes with clinic, therapist, start and immediate relief (worse
   site); read once.
2. **course** — one row per group and patient (first session, mean relief), one ``UNION ALL``
   branch per requested :class:`Scope`, so one statement serves a clinic's total and its
   therapists.
3. **starts** — the distinct (patient, first session): a patient whose course at the clinic
   and with their therapist start together has their diary read once, not once per scope.
4. **diary** → **diary_median** → **windows** → **responders** — the worst daily pain in the
   baseline and follow-up windows (one index range scan per start), their medians side by
   side, the MCID test per course.
5. **answers** → **pairs** → **changes** — the latest main-instrument response before and
   after the first session, within their windows.
6. medians across patients and the counts, per group.

Pairs (baseline, follow-up) are put side by side by conditional aggregation, never by joining
a CTE to itself with filters on both sides: PostgreSQL cannot estimate a CTE's rows, and with
such a self-join it chose a nested loop that compared every course with every other (minutes
on the benchmark's data).

Medians: PostgreSQL's ``percentile_cont(0.5)`` ordered-set aggregate; SQLite has none, so the
middle one or two rows by ``ROW_NUMBER()`` over the group, averaged (the same value).
Groups are keyed by two integers, ``(clinic, therapist)``, 0 where a scope does not split.

Only table names, fixed fragments and the constants of ``practice.py`` are interpolated into
the text (hence the file's ``noqa: S608``); every value from a caller is a parameter.
"""

# ruff: noqa: S608 -- only table names, fixed fragments and constants are interpolated.
from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from sciaticare.directory.models import Location
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.outcomes import practice
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment

type Key = tuple[int, int]


class Scope(enum.Enum):
    """How sessions are grouped: key (clinic id or 0, therapist profile id or 0)."""

    THERAPIST = ("0", "therapist_id")
    CLINIC = ("clinic_id", "0")
    CLINIC_THERAPIST = ("clinic_id", "therapist_id")


def _worse(before_back: str, before_leg: str, back_ok: str, leg_ok: str) -> str:
    return (
        f"CASE WHEN {back_ok} AND {leg_ok} THEN "
        f"(CASE WHEN {before_back} >= {before_leg} THEN {before_back} ELSE {before_leg} END) "
        f"WHEN {back_ok} THEN {before_back} WHEN {leg_ok} THEN {before_leg} END"
    )


_BACK_OK = "(n.back_pain_before IS NOT NULL AND n.back_pain_after IS NOT NULL)"
_LEG_OK = "(n.leg_pain_before IS NOT NULL AND n.leg_pain_after IS NOT NULL)"
_RELIEF = (
    f"CAST(({_worse('n.back_pain_before', 'n.leg_pain_before', _BACK_OK, _LEG_OK)}) - "
    f"({_worse('n.back_pain_after', 'n.leg_pain_after', _BACK_OK, _LEG_OK)}) "
    "AS DOUBLE PRECISION)"
)
_WORST_OF_DAY = "CASE WHEN p.back_pain >= p.leg_pain THEN p.back_pain ELSE p.leg_pain END"


class _Dialect:
    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def day_of(self, timestamp: str) -> str:
        """The UTC date of a stored timestamp (SQLite keeps UTC text)."""
        if self.postgres:
            return f"CAST({timestamp} AT TIME ZONE 'UTC' AS DATE)"
        return f"date({timestamp})"

    def add_days(self, day: str, days: int) -> str:
        if self.postgres:
            return f"({day} + {days:d})"
        return f"date({day}, '{days:+d} days')"

    def add_days_to_timestamp(self, timestamp: str, days: int) -> str:
        if self.postgres:
            return f"({timestamp} + INTERVAL '{days:d} days')"
        return f"datetime({timestamp}, '{days:+d} days')"

    def median(self, name: str, source: str, keys: str, value: str) -> str:
        """A CTE ``name`` with ``keys``, ``median`` of ``value`` and ``n`` rows per group."""
        if self.postgres:
            return (
                f"{name} AS (SELECT {keys}, percentile_cont(0.5) WITHIN GROUP (ORDER BY {value})"
                f" AS median, COUNT(*) AS n FROM {source} GROUP BY {keys})"
            )
        return (
            f"{name} AS (SELECT {keys}, AVG({value}) AS median, MAX(n) AS n FROM ("
            f"SELECT {keys}, {value}, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY {value})"
            f" AS rn, COUNT(*) OVER (PARTITION BY {keys}) AS n FROM {source}"
            f") AS ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY {keys})"
        )


def outcomes_sql(
    vendor: str,
    scopes: Sequence[Scope],
    *,
    clinic_id: int | None = None,
    therapist_ids: Sequence[int] | None = None,
) -> tuple[str, list[Any]]:
    """The statement and its parameters. Rows: clinic key, therapist key, patients, relief
    median and count, responders and evaluable count, questionnaire change median and count."""
    if not scopes:
        raise ValueError("give at least one scope")
    d = _Dialect(vendor)
    notes, appointments = SessionNote._meta.db_table, Appointment._meta.db_table
    locations, diary = Location._meta.db_table, PainEntry._meta.db_table
    answers = QuestionnaireResponse._meta.db_table

    where = ["n.signed_at IS NOT NULL"]
    filter_params: list[Any] = []
    if clinic_id is not None:
        where.append("l.clinic_id = %s")
        filter_params.append(clinic_id)
    if therapist_ids is not None:
        ids = list(therapist_ids) or [0]  # no therapist: an IN list that matches nothing
        where.append(f"n.therapist_id IN ({', '.join(['%s'] * len(ids))})")
        filter_params.extend(ids)
    courses = []
    for scope in scopes:
        clinic_key, therapist_key = scope.value
        # A bare 0 in GROUP BY would be a column position: group by the real columns only.
        group = [key for key in (clinic_key, therapist_key) if key != "0"]
        courses.append(
            f"SELECT {clinic_key} AS k1, {therapist_key} AS k2, patient_id, "
            f"MIN(start) AS first_start, {d.day_of('MIN(start)')} AS first_day, "
            f"AVG(relief) AS relief FROM sess GROUP BY {', '.join(group)}, patient_id"
        )
    (b_start, b_end), (f_start, f_end) = practice.BASELINE_WINDOW, practice.FOLLOW_UP_WINDOW
    # One index range scan per start, from the baseline's first day to the follow-up's last.
    in_windows = (
        f"SELECT s.patient_id, s.first_day, "
        f"CASE WHEN p.day < {d.add_days('s.first_day', b_end)} THEN 0 ELSE 1 END AS w, "
        f"{_WORST_OF_DAY} AS pain "
        f"FROM starts s JOIN {diary} p ON p.patient_id = s.patient_id "
        f"AND p.day >= {d.add_days('s.first_day', b_start)} "
        f"AND p.day < {d.add_days('s.first_day', f_end)} "
        f"AND (p.day < {d.add_days('s.first_day', b_end)} "
        f"OR p.day >= {d.add_days('s.first_day', f_start)})"
    )
    drop = "(w.b - w.f)"
    keys = "k1, k2"
    sql = f"""
WITH sess AS (
  SELECT l.clinic_id, n.therapist_id, n.patient_id, a.start, {_RELIEF} AS relief
  FROM {notes} n JOIN {appointments} a ON a.id = n.appointment_id
  JOIN {locations} l ON l.id = a.location_id WHERE {" AND ".join(where)}
),
course AS ({" UNION ALL ".join(courses)}),
course_relief AS (SELECT k1, k2, relief FROM course WHERE relief IS NOT NULL),
starts AS (SELECT DISTINCT patient_id, first_start, first_day FROM course),
diary AS ({in_windows}),
{d.median("diary_median", "diary", "patient_id, first_day, w", "pain")},
windows AS (
  SELECT patient_id, first_day, MAX(CASE WHEN w = 0 THEN median END) AS b,
         MAX(CASE WHEN w = 1 THEN median END) AS f
  FROM diary_median GROUP BY patient_id, first_day
),
responders AS (
  SELECT c.k1, c.k2,
         CASE WHEN {drop} >= {practice.MCID_POINTS!r}
                OR ({drop} > 0 AND {drop} * 100 >= {practice.MCID_PERCENT!r} * w.b)
              THEN 1 ELSE 0 END AS responder
  FROM course c JOIN windows w ON w.patient_id = c.patient_id AND w.first_day = c.first_day
  WHERE w.b IS NOT NULL AND w.f IS NOT NULL
),
answers AS (
  SELECT s.patient_id, s.first_start, r.score,
         CASE WHEN r.completed_at <= s.first_start THEN 0 ELSE 1 END AS w,
         ROW_NUMBER() OVER (
           PARTITION BY s.patient_id, s.first_start,
                        CASE WHEN r.completed_at <= s.first_start THEN 0 ELSE 1 END
           ORDER BY r.completed_at DESC, r.id DESC) AS rn
  FROM starts s JOIN {answers} r ON r.patient_id = s.patient_id AND r.instrument = %s
   AND r.completed_at > {d.add_days_to_timestamp("s.first_start", -practice.QUESTIONNAIRE_BASELINE_DAYS)}
   AND r.completed_at <= {d.add_days_to_timestamp("s.first_start", practice.QUESTIONNAIRE_FOLLOW_UP_DAYS)}
),
pairs AS (
  SELECT patient_id, first_start,
         CAST(MAX(CASE WHEN w = 0 THEN score END) - MAX(CASE WHEN w = 1 THEN score END)
              AS DOUBLE PRECISION) AS change
  FROM answers WHERE rn = 1 GROUP BY patient_id, first_start
),
changes AS (
  SELECT c.k1, c.k2, p.change FROM course c
  JOIN pairs p ON p.patient_id = c.patient_id AND p.first_start = c.first_start
  WHERE p.change IS NOT NULL
),
{d.median("relief_median", "course_relief", keys, "relief")},
{d.median("change_median", "changes", keys, "change")},
totals AS (SELECT k1, k2, COUNT(*) AS patients FROM course GROUP BY k1, k2),
responder_totals AS (
  SELECT k1, k2, COUNT(*) AS n, SUM(responder) AS yes FROM responders GROUP BY k1, k2
)
SELECT t.k1, t.k2, t.patients, rm.median, COALESCE(rm.n, 0), rt.yes, COALESCE(rt.n, 0),
       cm.median, COALESCE(cm.n, 0)
FROM totals t
LEFT JOIN relief_median rm ON rm.k1 = t.k1 AND rm.k2 = t.k2
LEFT JOIN responder_totals rt ON rt.k1 = t.k1 AND rt.k2 = t.k2
LEFT JOIN change_median cm ON cm.k1 = t.k1 AND cm.k2 = t.k2
ORDER BY t.k1, t.k2
"""
    params = filter_params
    params.append(practice.MAIN_INSTRUMENT)
    return sql, params


def outcomes_from_rows(rows: Sequence[Sequence[Any]]) -> dict[Key, practice.Outcomes]:
    """The statement's rows as figures by (clinic key, therapist key), threshold applied."""
    found = {}
    for k1, k2, patients, relief, relief_n, yes, evaluable, change, change_n in rows:
        found[(int(k1), int(k2))] = practice.Outcomes(
            patients=int(patients),
            relief=practice.Figure.of(None if relief is None else float(relief), int(relief_n)),
            responders=practice.Figure.of(
                100.0 * int(yes) / int(evaluable) if evaluable else None, int(evaluable)
            ),
            questionnaire_change=practice.Figure.of(
                None if change is None else float(change), int(change_n)
            ),
        )
    return found
