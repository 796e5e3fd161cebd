"""Programmes, versions and logs written straight to the tables (tests may; the app's services
are other work), for the reads of adherence and response (``exercises.selectors.progress``)
and what outcomes, the brief, the report and the FHIR export make of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import count
from typing import Any

from sciaticare.accounts.models import User
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
    ExercisePlan,
    PausedExercise,
    PlanItem,
    PlanVersion,
)

_numbers = count(1)


def exercise(name: str = "Test stretch", **values: Any) -> Exercise:
    """A built-in exercise of its own slug (never one of the library's)."""
    number = next(_numbers)
    return Exercise.objects.create(slug=f"insight-test-{number}", name=name, **values)


def plan(
    patient: User,
    items: Sequence[tuple[Exercise, int]],
    *,
    start: date,
    therapist: User | None = None,
    review: date | None = None,
    ended_at: datetime | None = None,
) -> ExercisePlan:
    """A programme with one version: each (exercise, weekday mask) at 10 repetitions."""
    made = ExercisePlan.objects.create(
        patient=patient,
        origin="therapist" if therapist else "patient",
        therapist=therapist,
        prescriber="" if therapist else "my physiotherapist",
        ended_at=ended_at,
    )
    version(made, items, start=start, review=review)
    return made


def version(
    made: ExercisePlan,
    items: Sequence[tuple[Exercise, int]],
    *,
    start: date,
    review: date | None = None,
) -> PlanVersion:
    """The programme's next version."""
    number = made.versions.count() + 1
    written = PlanVersion.objects.create(
        plan=made, number=number, start_date=start, review_date=review
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                version=written,
                exercise=e,
                position=position,
                minutes=10 if e.timed else 0,
                repetitions=0 if e.timed else 10,
                days=days,
            )
            for position, (e, days) in enumerate(items)
        ]
    )
    return written


def log(
    made: ExercisePlan,
    e: Exercise,
    days: Iterable[date],
    *,
    done: bool = True,
    leg_pain: str = "",
    spread: bool = False,
) -> None:
    ExerciseLog.objects.bulk_create(
        [
            ExerciseLog(
                plan=made,
                exercise=e,
                date=day,
                done=done,
                leg_pain=leg_pain,
                spread_down_leg=spread,
            )
            for day in days
        ]
    )


def pause(made: ExercisePlan, e: Exercise, at: datetime) -> PausedExercise:
    paused = PausedExercise.objects.create(plan=made, exercise=e)
    PausedExercise.objects.filter(pk=paused.pk).update(paused_at=at)  # auto_now_add
    paused.refresh_from_db()
    return paused


__all__ = ["EVERY_DAY", "exercise", "log", "pause", "plan", "version"]
