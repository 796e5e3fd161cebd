"""The patient's day: the exercises planned today in their active programmes, each with the
day's tick, whether it is paused and why it is flagged, in ONE query however long the history
(the dashboard's card; the dashboard holds to a budget of 10 queries, bench/patient_dashboard.py).

Plain SQL (core.sql): the database answers in well under a millisecond, while compiling the
same read through the ORM (four correlated subqueries) cost several milliseconds of CPU a page.

The rules are those of ``selectors.plans``: the version in force on a day is the newest that had
started; an exercise's flags come from its marks (done, with leg pain said or a spread) on or
after the start of the version in force and within the flag window and, for a therapist's plan,
written after the start of the patient's last completed session with that therapist
(``plans.flags_for``; a test holds the two to the same answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sciaticare.accounts.models import User
from sciaticare.core.sql import Dialect, fetch_rows, table
from sciaticare.directory.models import TherapistProfile
from sciaticare.exercises import adherence
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
    ExercisePlan,
    Origin,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.response import Flag, Mark, flags
from sciaticare.exercises.selectors.plans import flag_window_start
from sciaticare.scheduling.models import Appointment, AppointmentStatus


@dataclass(frozen=True)
class TodayItem:
    plan_id: int
    #: The programme's origin (Origin): written by a therapist, or entered by the patient.
    origin: str
    #: The exercise with its dose (``item.exercise`` set).
    item: PlanItem
    #: True done, False said not done, None nothing said yet today.
    done: bool | None
    leg_pain: str
    spread_down_leg: bool
    paused: bool
    flags: tuple[Flag, ...]

    @property
    def exercise(self) -> Exercise:
        return self.item.exercise

    @property
    def from_therapist(self) -> bool:
        return self.origin == Origin.THERAPIST


#: The columns read, in order (model field names).
_ITEM: tuple[str, ...] = (
    "id",
    "version_id",
    "exercise_id",
    "position",
    "repetitions",
    "sets",
    "minutes",
    "times_per_day",
    "days",
    "instructions",
)
_EXERCISE: tuple[str, ...] = (
    "id",
    "slug",
    "clinic_id",
    "patient_id",
    "name",
    "how_to",
    "how_often",
    "how_many",
    "when_to_stop",
    "source",
    "timed",
)


def _statement() -> str:
    """Each item of the version in force of each active plan, with the day's tick (left join),
    the pause and the marks since the therapist last looked (one string, "2026-07-14:worse:,
    2026-07-15::s" in no order). Parameters: the flag window's first day and the day, the
    completed status, the day, the patient, the day."""
    dialect = Dialect.current()
    mark = (
        f"{dialect.day_as_text('m.date')} || ':' || m.leg_pain || ':' || "
        "CASE WHEN m.spread_down_leg THEN 's' ELSE '' END"
    )
    marks = f"STRING_AGG({mark}, ',')" if dialect.postgres else f"GROUP_CONCAT({mark}, ',')"
    columns = ", ".join(
        [*(f"i.{c}" for c in _ITEM), "v.plan_id", "p.origin", *(f"e.{c}" for c in _EXERCISE)]
    )
    # A mark counts unless a completed session with the plan's therapist started at or after
    # it was written (the therapist has looked since): a patient's own plan has no therapist.
    looked = (
        f"SELECT 1 FROM {table(Appointment)} a"  # noqa: S608 - table names only
        f" JOIN {table(TherapistProfile)} tp ON tp.id = a.therapist_id"
        " WHERE a.patient_id = p.patient_id AND tp.user_id = p.therapist_id"
        " AND a.status = %s AND a.start >= m.updated_at"
    )
    return (
        f"SELECT {columns}, t.done, t.leg_pain, t.spread_down_leg,"  # noqa: S608 - names only
        f" EXISTS (SELECT 1 FROM {table(PausedExercise)} x"
        "  WHERE x.plan_id = v.plan_id AND x.exercise_id = i.exercise_id),"
        f" (SELECT {marks} FROM {table(ExerciseLog)} m"
        "  WHERE m.plan_id = v.plan_id AND m.exercise_id = i.exercise_id AND m.done"
        "  AND m.date >= v.start_date AND m.date >= %s AND m.date <= %s"
        "  AND (m.spread_down_leg OR m.leg_pain <> '')"
        f"  AND NOT EXISTS ({looked}))"
        f" FROM {table(PlanItem)} i"
        f" JOIN {table(PlanVersion)} v ON v.id = i.version_id"
        f" JOIN {table(ExercisePlan)} p ON p.id = v.plan_id"
        f" JOIN {table(Exercise)} e ON e.id = i.exercise_id"
        f" LEFT JOIN {table(ExerciseLog)} t"
        "  ON t.plan_id = v.plan_id AND t.exercise_id = i.exercise_id AND t.date = %s"
        " WHERE p.patient_id = %s AND p.ended_at IS NULL"
        f" AND v.id = (SELECT w.id FROM {table(PlanVersion)} w"
        "  WHERE w.plan_id = v.plan_id AND w.start_date <= %s ORDER BY w.number DESC LIMIT 1)"
        " ORDER BY v.plan_id DESC, i.position, i.id"
    )


def _parsed(marks: str | None) -> list[Mark]:
    listed = []
    for text in (marks or "").split(","):
        if text:
            day, leg_pain, spread = text.split(":")
            listed.append(Mark(date.fromisoformat(day), leg_pain, spread == "s"))
    return listed


def today(*, patient: User, day: date) -> list[TodayItem]:
    """The exercises planned on ``day`` (the patient's day) in their active plans, newest plan
    first then in the programme's order, each with the day's tick, whether it is paused and
    its flags. One query whatever the history."""
    listed = []
    item_end = len(_ITEM)
    exercise_end = item_end + 2 + len(_EXERCISE)
    params = [flag_window_start(day), day, AppointmentStatus.COMPLETED.value, day, patient.pk, day]
    for row in fetch_rows(_statement(), params):
        item = PlanItem(**dict(zip(_ITEM, row[:item_end], strict=True)))
        if not adherence.on_days(item.days, day):
            continue
        plan_id, origin = row[item_end], row[item_end + 1]
        values = dict(zip(_EXERCISE, row[item_end + 2 : exercise_end], strict=True))
        item.exercise = Exercise(**{**values, "timed": bool(values["timed"])})
        done, leg_pain, spread, paused, marks = row[exercise_end:]
        listed.append(
            TodayItem(
                plan_id=plan_id,
                origin=origin,
                item=item,
                done=None if done is None else bool(done),
                leg_pain=leg_pain or "",
                spread_down_leg=bool(spread),
                paused=bool(paused),
                flags=tuple(flags(_parsed(marks))),
            )
        )
    return listed
