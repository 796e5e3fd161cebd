"""Therapists' and clinics' outcomes (``practice.py``) as one SQL statement.

Why SQL: a clinic's figures read every signed session of its patients and their diary around
each course; over a million diary rows a Python loop takes seconds, the database a fraction
(docs/benchmarks.md, "Clinic outcome report"). ``tests/outcomes/test_practice.py`` checks that
the statement gives what ``practice.outcomes_from_records`` gives, on SQLite and PostgreSQL.

The statement, step by step (CTEs):

1. **sess** — signed session notes of attended (completed) sessions with clinic, therapist, start and immediate relief (worse
   site). A clinic's report names its locations' ids in the statement rather than joining on
   ``clinic_id``: PostgreSQL's statistics then know how many sessions they hold (half of all,
   for the benchmark's large clinic), and it reads them with a hash join instead of a nested
   loop planned for the 1/20 it guessed through the join (100,000 index lookups).
2. **base** — one row per clinic, therapist and patient (first session, sum and count of
   relief), aggregated from the sessions once; **scoped** rolls it up per requested
   :class:`Scope` (``UNION ALL``, one branch each), so one statement serves a clinic's total and
   its therapists from ~14,000 rows rather than grouping 100,000 sessions per scope; **course**
   adds the first session's day and the mean relief (sum / count: AVG over the sessions).
3. **day_starts** / **time_starts** — the distinct (patient, first day) and (patient, first
   session): a patient whose course at the clinic and with their therapist start together has
   their diary and questionnaires read once, not once per scope.
4. **windows** — the worst daily pain's median in the baseline and follow-up windows, side by
   side. PostgreSQL: per start, one range scan of the diary index ``(patient, day, back_pain,
   leg_pain)`` — read from the index alone, since a patient's entries are scattered over the
   table, one a day among everyone's — aggregated by ``percentile_cont … FILTER`` in a
   LATERAL subquery (MATERIALIZED: inlined, it ran once per course instead of once per
   start), so the ~190,000 rows in reach are never sorted together. SQLite has no LATERAL:
   the same rows joined, a median per window, then put side by side.
5. **answers** → **pairs** — the latest main-instrument response before and after the first
   session, within their windows.
6. **per_course** — each course with its relief, responder (1/0, NULL if not evaluable) and
   questionnaire change (NULL without both), by two LEFT JOINs; then counts and medians per
   group: on PostgreSQL one ``GROUP BY`` (ordered-set aggregates and ``COUNT(column)`` skip
   NULLs), on SQLite a CTE per median joined to the counts.

Pairs (baseline, follow-up) are put side by side by conditional aggregation, never by joining
a CTE to itself with filters on both sides: PostgreSQL cannot estimate a CTE's rows, and with
such a self-join it chose a nested loop that compared every course with every other (minutes
on the benchmark's data).

Measured and not kept (docs/benchmarks.md): medians of the 0–10 pains from counts instead of
a sort, two diary range scans per start instead of one, the latest questionnaire answers by
``ORDER BY … LIMIT 1`` subqueries, and cheaper parallel plans: none faster on 2 cores.

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

from sciaticare.core.sql import Dialect, table
from sciaticare.directory.models import Location
from sciaticare.exercises.models import ExercisePlan
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.outcomes import practice
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus

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


class _Dialect(Dialect):
    """The statement's vendor-specific parts, on top of the shared spellings."""

    @staticmethod
    def median(name: str, source: str, keys: str, value: str) -> str:
        """SQLite's median (PostgreSQL uses ``percentile_cont`` inline): a CTE ``name`` with
        ``keys``, ``median`` of ``value`` and ``n`` rows per group."""
        return (
            f"{name} AS (SELECT {keys}, AVG({value}) AS median, MAX(n) AS n FROM ("
            f"SELECT {keys}, {value}, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY {value})"
            f" AS rn, COUNT(*) OVER (PARTITION BY {keys}) AS n FROM {source}"
            f") AS ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY {keys})"
        )

    def windows(self, diary: str, baseline: tuple[int, int], follow_up: tuple[int, int]) -> str:
        """CTE(s) ending in ``windows``: per ``day_starts`` row, the median worst daily pain in
        the baseline (``b``) and follow-up (``f``) windows, NULL for a window without entries."""
        (b_start, b_end), (f_start, f_end) = baseline, follow_up
        # One index range scan per start, from the baseline's first day to the follow-up's last.
        in_reach = (
            f"p.patient_id = s.patient_id AND p.day >= {self.add_days('s.first_day', b_start)} "
            f"AND p.day < {self.add_days('s.first_day', f_end)}"
        )
        in_baseline = f"p.day < {self.add_days('s.first_day', b_end)}"
        in_follow_up = f"p.day >= {self.add_days('s.first_day', f_start)}"
        if self.postgres:
            # Both medians of a start from its own dozen rows (LATERAL): no sort of every row
            # in reach, and no per-window groups to put side by side afterwards. MATERIALIZED:
            # inlined into its one reader, it ran once per course instead of once per start.
            return (
                "windows AS MATERIALIZED (SELECT s.patient_id, s.first_day, m.b, m.f "
                "FROM day_starts s CROSS JOIN LATERAL (SELECT "
                f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WORST_OF_DAY}) "
                f"FILTER (WHERE {in_baseline}) AS b, "
                f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WORST_OF_DAY}) "
                f"FILTER (WHERE {in_follow_up}) AS f "
                f"FROM {diary} p WHERE {in_reach} AND ({in_baseline} OR {in_follow_up})) AS m)"
            )
        # SQLite has no LATERAL: the rows in the windows, a median per window, side by side.
        diary_rows = (
            f"diary AS (SELECT s.patient_id, s.first_day, "
            f"CASE WHEN {in_baseline} THEN 0 ELSE 1 END AS w, {_WORST_OF_DAY} AS pain "
            f"FROM day_starts s JOIN {diary} p ON {in_reach} "
            f"AND ({in_baseline} OR {in_follow_up}))"
        )
        return (
            f"{diary_rows},\n"
            f"{self.median('diary_median', 'diary', 'patient_id, first_day, w', 'pain')},\n"
            "windows AS (SELECT patient_id, first_day, MAX(CASE WHEN w = 0 THEN median END) AS b,"
            " MAX(CASE WHEN w = 1 THEN median END) AS f FROM diary_median"
            " GROUP BY patient_id, first_day)"
        )

    def summary(self, source: str) -> tuple[str, str]:
        """The statement's end: (more CTEs, each after a comma, and the final SELECT) giving
        per group of ``source`` — one row per course: k1, k2, relief, responder (1/0), change,
        NULL where the course has none — the counts and medians."""
        if self.postgres:
            # One pass: ordered-set aggregates and COUNT(column) skip NULLs, as the figures do.
            return "", (
                "SELECT k1, k2, COUNT(*), "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY relief), COUNT(relief), "
                "SUM(responder), COUNT(responder), "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY change), COUNT(change) "
                f"FROM {source} GROUP BY k1, k2 ORDER BY k1, k2"
            )
        keys = "k1, k2"
        ctes = (
            f",\nreliefs AS (SELECT k1, k2, relief FROM {source} WHERE relief IS NOT NULL),\n"
            f"changes AS (SELECT k1, k2, change FROM {source} WHERE change IS NOT NULL),\n"
            f"{self.median('relief_median', 'reliefs', keys, 'relief')},\n"
            f"{self.median('change_median', 'changes', keys, 'change')},\n"
            "totals AS (SELECT k1, k2, COUNT(*) AS patients, SUM(responder) AS yes, "
            f"COUNT(responder) AS evaluable FROM {source} GROUP BY k1, k2)"
        )
        return ctes, (
            "SELECT t.k1, t.k2, t.patients, rm.median, COALESCE(rm.n, 0), t.yes, t.evaluable, "
            "cm.median, COALESCE(cm.n, 0) FROM totals t "
            "LEFT JOIN relief_median rm ON rm.k1 = t.k1 AND rm.k2 = t.k2 "
            "LEFT JOIN change_median cm ON cm.k1 = t.k1 AND cm.k2 = t.k2 ORDER BY t.k1, t.k2"
        )


def outcomes_sql(
    vendor: str,
    scopes: Sequence[Scope],
    *,
    location_ids: Sequence[int] | None = None,
    therapist_ids: Sequence[int] | None = None,
    programme_courses: bool = False,
) -> tuple[str, list[Any]]:
    """The statement and its parameters. Rows: clinic key, therapist key, patients, relief
    median and count, responders and evaluable count, questionnaire change median and count.

    ``location_ids`` keeps to sessions at those locations (a clinic's: the caller looks them
    up), ``therapist_ids`` to those therapists' sessions. ``programme_courses`` answers
    instead one row per evaluable course of a patient with a home exercise programme (clinic
    key, therapist key, patient, first day, responder 1/0), for ``practice.exercise_relief``:
    the same courses and the same responder rule, read for the few who have a programme."""
    if not scopes:
        raise ValueError("give at least one scope")
    d = _Dialect(vendor)
    notes, appointments = table(SessionNote), table(Appointment)
    locations, diary = table(Location), table(PainEntry)
    answers = table(QuestionnaireResponse)

    # Attended sessions only: a note signed for a cancelled session (possible before issue 13)
    # is not a treatment.
    where = ["n.signed_at IS NOT NULL", "a.status = %s"]
    params: list[Any] = [AppointmentStatus.COMPLETED.value]
    for column, ids in (("a.location_id", location_ids), ("n.therapist_id", therapist_ids)):
        if ids is not None:
            wanted = list(ids) or [0]  # none asked for: an IN list that matches nothing
            where.append(f"{column} IN ({', '.join(['%s'] * len(wanted))})")
            params.extend(wanted)
    if programme_courses:
        where.append(f"n.patient_id IN (SELECT patient_id FROM {table(ExercisePlan)})")
    courses = []
    for scope in scopes:
        clinic_key, therapist_key = scope.value
        # A bare 0 in GROUP BY would be a column position: group by the real columns only.
        group = [key for key in (clinic_key, therapist_key) if key != "0"]
        if len(group) == 2:  # base's own grouping: its rows as they are
            courses.append(
                "SELECT clinic_id AS k1, therapist_id AS k2, patient_id, first_start, "
                "relief_sum, relief_n FROM base"
            )
            continue
        courses.append(
            f"SELECT {clinic_key} AS k1, {therapist_key} AS k2, patient_id, "
            "MIN(first_start) AS first_start, SUM(relief_sum) AS relief_sum, "
            f"SUM(relief_n) AS relief_n FROM base GROUP BY {', '.join(group)}, patient_id"
        )
    drop = "(w.b - w.f)"
    summary_ctes, summary = d.summary("per_course")
    if programme_courses:
        summary_ctes, summary = (
            "",
            (
                "SELECT k1, k2, patient_id, first_day, responder FROM per_course"
                " WHERE responder IS NOT NULL ORDER BY k1, k2, patient_id"
            ),
        )
    sql = f"""
WITH sess AS (
  SELECT l.clinic_id, n.therapist_id, n.patient_id, a.start, {_RELIEF} AS relief
  FROM {notes} n JOIN {appointments} a ON a.id = n.appointment_id
  JOIN {locations} l ON l.id = a.location_id WHERE {" AND ".join(where)}
),
base AS (
  SELECT clinic_id, therapist_id, patient_id, MIN(start) AS first_start,
         SUM(relief) AS relief_sum, COUNT(relief) AS relief_n
  FROM sess GROUP BY clinic_id, therapist_id, patient_id
),
scoped AS ({" UNION ALL ".join(courses)}),
course AS (
  SELECT k1, k2, patient_id, first_start, {d.day_of("first_start")} AS first_day,
         relief_sum / NULLIF(relief_n, 0) AS relief
  FROM scoped
),
day_starts AS (SELECT DISTINCT patient_id, first_day FROM course),
{d.windows(diary, practice.BASELINE_WINDOW, practice.FOLLOW_UP_WINDOW)},
time_starts AS (SELECT DISTINCT patient_id, first_start FROM course),
answers AS (
  SELECT s.patient_id, s.first_start, r.score,
         CASE WHEN r.completed_at <= s.first_start THEN 0 ELSE 1 END AS w,
         ROW_NUMBER() OVER (
           PARTITION BY s.patient_id, s.first_start,
                        CASE WHEN r.completed_at <= s.first_start THEN 0 ELSE 1 END
           ORDER BY r.completed_at DESC, r.id DESC) AS rn
  FROM time_starts s JOIN {answers} r ON r.patient_id = s.patient_id AND r.instrument = %s
   AND r.completed_at > {d.add_days_to_timestamp("s.first_start", -practice.QUESTIONNAIRE_BASELINE_DAYS)}
   AND r.completed_at <= {d.add_days_to_timestamp("s.first_start", practice.QUESTIONNAIRE_FOLLOW_UP_DAYS)}
),
pairs AS (
  SELECT patient_id, first_start,
         CAST(MAX(CASE WHEN w = 0 THEN score END) - MAX(CASE WHEN w = 1 THEN score END)
              AS DOUBLE PRECISION) AS change
  FROM answers WHERE rn = 1 GROUP BY patient_id, first_start
),
per_course AS (
  SELECT c.k1, c.k2, c.patient_id, c.first_day, c.relief, p.change,
         CASE WHEN w.b IS NULL OR w.f IS NULL THEN NULL
              WHEN {drop} >= {practice.MCID_POINTS!r}
                OR ({drop} > 0 AND {drop} * 100 >= {practice.MCID_PERCENT!r} * w.b)
              THEN 1 ELSE 0 END AS responder
  FROM course c
  LEFT JOIN windows w ON w.patient_id = c.patient_id AND w.first_day = c.first_day
  LEFT JOIN pairs p ON p.patient_id = c.patient_id AND p.first_start = c.first_start
){summary_ctes}
{summary}
"""
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
