"""The patient's side of a programme: ticking an exercise done (or not) on a day with how the
leg felt, and pausing or resuming an exercise (suggested when it is flagged).

A tick is one row per plan, exercise and day: logging the same day again (a second tap, an
offline queue sent twice) updates that row, never adds one.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import today_for
from sciaticare.audit.services import record_event
from sciaticare.core.bounds import day_out_of_range
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.exercises.models import (
    ExerciseLog,
    ExercisePlan,
    LegPain,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors.plans import ended_on, version_on


def _own_plan(patient: User, plan_id: int) -> ExercisePlan:
    plan = ExercisePlan.objects.filter(pk=plan_id, patient=patient).first()
    if plan is None or not patient.is_authenticated:
        raise NotFound("exercise plan")
    plan.patient = patient
    return plan


def _log_problems(
    plan: ExercisePlan,
    *,
    exercise_id: int,
    day: date,
    done: bool,
    leg_pain: str,
    spread_down_leg: bool,
    now: datetime | None,
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if leg_pain not in ("", *LegPain.values):
        errors.append(
            (
                "leg_pain",
                gettext("must be one of: %(known)s") % {"known": ", ".join(LegPain.values)},
            )
        )
    elif not done and (leg_pain or spread_down_leg):
        errors.append(("leg_pain", gettext("say how the leg felt only after doing the exercise")))
    if out_of_range := day_out_of_range(day):
        return [*errors, ("date", out_of_range)]
    if day > today_for(plan.patient, now):
        return [*errors, ("date", gettext("%(day)s is in the future") % {"day": day.isoformat()})]
    versions = list(PlanVersion.objects.filter(plan=plan).only("pk", "number", "start_date"))
    ended = ended_on(plan)
    version = version_on(versions, day)
    if version is None:
        errors.append(("date", gettext("the programme had not started on that day")))
    elif ended is not None and day > ended:
        errors.append(("date", gettext("the programme had ended by that day")))
    elif not PlanItem.objects.filter(version=version, exercise_id=exercise_id).exists():
        errors.append(
            (
                "exercise",
                gettext("not in this programme on %(day)s") % {"day": day.isoformat()},
            )
        )
    return errors


def record_exercise(
    *,
    patient: User,
    plan_id: int,
    exercise_id: int,
    day: date,
    done: bool,
    leg_pain: str = "",
    spread_down_leg: bool = False,
    now: datetime | None = None,
) -> tuple[ExerciseLog, bool]:
    """``log_exercise``, and whether the day's row was created (False: an earlier tick of the
    same day was updated)."""
    plan = _own_plan(patient, plan_id)
    errors = _log_problems(
        plan,
        exercise_id=exercise_id,
        day=day,
        done=done,
        leg_pain=leg_pain,
        spread_down_leg=spread_down_leg,
        now=now,
    )
    if errors:
        raise Invalid("invalid_log", gettext("The exercise was not logged."), errors)
    values = {"done": done, "leg_pain": leg_pain, "spread_down_leg": spread_down_leg}
    try:
        with transaction.atomic():
            log, created = ExerciseLog.objects.select_for_update().get_or_create(
                plan=plan, exercise_id=exercise_id, date=day, defaults=values
            )
            changed = not created and any(getattr(log, k) != v for k, v in values.items())
            if changed:
                for name, value in values.items():
                    setattr(log, name, value)
                log.save()
            if created or changed:
                record_event(
                    actor=patient,
                    action="exercise.log" if created else "exercise.log.update",
                    patient=patient,
                    obj=log,
                )
    except IntegrityError:  # a concurrent first tick of the day: update the row it made
        return record_exercise(
            patient=patient,
            plan_id=plan_id,
            exercise_id=exercise_id,
            day=day,
            done=done,
            leg_pain=leg_pain,
            spread_down_leg=spread_down_leg,
            now=now,
        )
    return log, created


def log_exercise(
    *,
    patient: User,
    plan_id: int,
    exercise_id: int,
    day: date,
    done: bool,
    leg_pain: str = "",
    spread_down_leg: bool = False,
    now: datetime | None = None,
) -> ExerciseLog:
    """The patient says whether they did an exercise of their plan on ``day`` and, when they
    did, how the leg felt (better / same / worse) and whether pain spread down the leg.

    ``day`` is the patient's own day (their zone at ``now``): not in the future, on or after
    the plan's start, not after the day it ended, and the exercise in the version in force
    then. Logging the same day again updates it (idempotent: the same tick twice changes
    nothing and records nothing). Raises NotFound (not their plan), Invalid (what was wrong)."""
    log, _ = record_exercise(
        patient=patient,
        plan_id=plan_id,
        exercise_id=exercise_id,
        day=day,
        done=done,
        leg_pain=leg_pain,
        spread_down_leg=spread_down_leg,
        now=now,
    )
    return log


def _current_exercise(plan: ExercisePlan, exercise_id: int) -> None:
    if plan.ended_at is not None:
        raise Invalid(
            "plan_ended",
            gettext("This programme has ended."),
            [("plan", gettext("has ended"))],
        )
    day = today_for(plan.patient)
    versions = list(PlanVersion.objects.filter(plan=plan).only("pk", "number", "start_date"))
    version = version_on(versions, day) or max(versions, key=lambda v: v.number, default=None)
    if (
        version is None
        or not PlanItem.objects.filter(version=version, exercise_id=exercise_id).exists()
    ):
        raise Invalid(
            "invalid_exercise",
            gettext("That exercise is not in this programme."),
            [("exercise", gettext("not in the programme's current version"))],
        )


def pause_exercise(*, patient: User, plan_id: int, exercise_id: int) -> PausedExercise:
    """The patient pauses one exercise of their plan (after a flag, or on their own); the
    therapist sees it. Pausing a paused exercise changes nothing."""
    plan = _own_plan(patient, plan_id)
    _current_exercise(plan, exercise_id)
    with transaction.atomic():
        paused, created = PausedExercise.objects.get_or_create(plan=plan, exercise_id=exercise_id)
        if created:
            record_event(actor=patient, action="exercise.pause", patient=patient, obj=plan)
    return paused


def resume_exercise(*, patient: User, plan_id: int, exercise_id: int) -> None:
    """The patient takes an exercise up again. Resuming one not paused changes nothing."""
    plan = _own_plan(patient, plan_id)
    with transaction.atomic():
        deleted, _ = PausedExercise.objects.filter(plan=plan, exercise_id=exercise_id).delete()
        if deleted:
            record_event(actor=patient, action="exercise.resume", patient=patient, obj=plan)
