"""What the morning exercise reminder reads (``exercises/tasks.py``): the patients with a
programme that has not ended, and for each the exercises planned on their own day that are
neither done nor paused. No viewer and no audit: the reminder goes to the patient themselves,
from a job (like the diary nudge)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sciaticare.exercises.adherence import on_days
from sciaticare.exercises.models import (
    ExerciseLog,
    ExercisePlan,
    PausedExercise,
    PlanItem,
    PlanVersion,
)


@dataclass(frozen=True)
class ToDo:
    """One exercise of the day, with its dose as the plan gives it."""

    exercise_id: int
    slug: str
    name: str
    built_in: bool
    timed: bool
    repetitions: int
    sets: int
    minutes: int
    times_per_day: int


def patients_with_programmes() -> list[tuple[int, str]]:
    """(patient id, time zone) of every active patient with a programme that has not ended."""
    return list(
        ExercisePlan.objects.filter(ended_at__isnull=True, patient__is_active=True)
        .values_list("patient_id", "patient__time_zone")
        .distinct()
        .order_by("patient_id")
    )


def in_force(versions: Iterable[tuple[int, int, int, date]], days: Mapping[int, date]) -> set[int]:
    """The version of each plan in force on its day: the newest whose start date has come
    (one starting later is not yet the plan; none has come: the programme has not begun).
    `versions`: (version id, plan id, number, start date); `days`: plan id → day."""
    best: dict[int, tuple[int, int]] = {}
    for version_id, plan_id, number, start in versions:
        if start <= days[plan_id] and number > best.get(plan_id, (0, 0))[0]:
            best[plan_id] = (number, version_id)
    return {version_id for _number, version_id in best.values()}


def to_do(days: Mapping[int, date]) -> dict[int, list[ToDo]]:
    """For each patient (id → their day), the exercises their programmes that have not ended
    plan on that day, in the plan's order, leaving out those paused and those logged done that
    day. Patients with nothing left are not in the answer. Five queries for any number."""
    plans = dict(
        ExercisePlan.objects.filter(patient_id__in=list(days), ended_at__isnull=True).values_list(
            "pk", "patient_id"
        )
    )
    if not plans:
        return {}
    plan_days = {plan_id: days[patient_id] for plan_id, patient_id in plans.items()}
    current = in_force(
        PlanVersion.objects.filter(plan_id__in=list(plans)).values_list(
            "pk", "plan_id", "number", "start_date"
        ),
        plan_days,
    )
    paused = set(
        PausedExercise.objects.filter(plan_id__in=list(plans)).values_list("plan_id", "exercise_id")
    )
    done = set(
        ExerciseLog.objects.filter(
            plan_id__in=list(plans), date__in=set(days.values()), done=True
        ).values_list("plan_id", "exercise_id", "date")
    )
    items = (
        PlanItem.objects.filter(version_id__in=current)
        .select_related("exercise", "version")
        .order_by("version__plan_id", "position", "pk")
    )
    found: dict[int, list[ToDo]] = {}
    listed: set[tuple[int, int]] = set()
    for item in items:
        plan_id = item.version.plan_id
        patient_id, day = plans[plan_id], plan_days[plan_id]
        if (
            not on_days(item.days, day)
            or (plan_id, item.exercise_id) in paused
            or (plan_id, item.exercise_id, day) in done
            or (patient_id, item.exercise_id) in listed  # in two of their programmes: once
        ):
            continue
        listed.add((patient_id, item.exercise_id))
        exercise = item.exercise
        found.setdefault(patient_id, []).append(
            ToDo(
                exercise_id=exercise.pk,
                slug=exercise.slug,
                name=exercise.name,
                built_in=exercise.built_in,
                timed=exercise.timed,
                repetitions=item.repetitions,
                sets=item.sets,
                minutes=item.minutes,
                times_per_day=item.times_per_day,
            )
        )
    return found
