"""What a patient's programmes planned and what they did, for adherence (outcomes' charts and
reports, the programme's own page): plain values from the plans' versions, pauses and ticks.

A version holds from its start to the day before a newer one starts (adherence.version_spans),
never past the day before the plan ended nor past the patient's today; a paused exercise is not
planned from the day it was paused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db.models import Prefetch

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import day_of, today_for
from sciaticare.exercises import adherence
from sciaticare.exercises.models import ExerciseLog, ExercisePlan, PausedExercise, PlanVersion
from sciaticare.exercises.selectors.plans import audit_read, ended_on, readable_plan


def logs_between(*, patient: User, start: date, end: date) -> dict[int, set[tuple[int, date]]]:
    """Plan id → the (exercise id, day) the patient ticked done between ``start`` and ``end``
    (inclusive). One query; the caller has checked its reader may see the patient."""
    done: dict[int, set[tuple[int, date]]] = defaultdict(set)
    for plan_id, exercise_id, day in ExerciseLog.objects.filter(
        plan__patient=patient, done=True, date__gte=start, date__lte=end
    ).values_list("plan_id", "exercise_id", "date"):
        done[plan_id].add((exercise_id, day))
    return dict(done)


def plan_spans(
    plan: ExercisePlan,
    versions: Sequence[PlanVersion],
    *,
    start: date,
    end: date,
    paused: dict[int, datetime],
) -> list[adherence.Span]:
    """The days each version of the plan was in force between ``start`` and ``end``, up to the
    day before it was ended, keyed by exercise id; a paused exercise is not planned from the
    day it was paused. ``versions`` in number order with their items prefetched."""
    ended = ended_on(plan)
    if ended is not None:
        end = min(end, ended - timedelta(days=1))
    spans = adherence.version_spans(
        [(v.start_date, {i.exercise_id: i.days for i in v.items.all()}) for v in versions],
        start=start,
        end=end,
    )
    return adherence.without_paused(
        spans, {key: day_of(plan.patient, moment) for key, moment in paused.items()}
    )


def planned_between(*, patient: User, start: date, end: date) -> dict[int, list[adherence.Span]]:
    """Plan id → the spans of its versions between ``start`` and ``end`` (inclusive, never past
    the patient's today), for every plan of the patient, ended ones included. Three queries;
    the caller has checked its reader may see the patient."""
    end = min(end, today_for(patient))
    plans = list(
        ExercisePlan.objects.filter(patient=patient).prefetch_related(
            Prefetch("versions", queryset=PlanVersion.objects.order_by("number")),
            "versions__items",
        )
    )
    pauses: dict[int, dict[int, datetime]] = defaultdict(dict)
    for plan_id, exercise_id, moment in PausedExercise.objects.filter(
        plan__patient=patient
    ).values_list("plan_id", "exercise_id", "paused_at"):
        pauses[plan_id][exercise_id] = moment
    spans = {}
    for plan in plans:
        plan.patient = patient
        listed = plan_spans(
            plan, list(plan.versions.all()), start=start, end=end, paused=pauses[plan.pk]
        )
        if listed:
            spans[plan.pk] = listed
    return spans


def weekly_adherence(*, viewer: User, plan_id: int) -> list[adherence.Week]:
    """A plan's adherence per week, from its first start to the patient's today (audited for a
    therapist)."""
    plan = readable_plan(viewer=viewer, plan_id=plan_id)
    audit_read(viewer, "exercise_plan.view", plan.patient, plan)
    versions = list(plan.versions.prefetch_related("items").order_by("number"))
    if not versions:
        return []
    start, end = min(v.start_date for v in versions), today_for(plan.patient)
    pauses = dict(plan.paused.values_list("exercise_id", "paused_at"))
    spans = plan_spans(plan, versions, start=start, end=end, paused=pauses)
    done = ExerciseLog.objects.filter(plan=plan, done=True, date__gte=start, date__lte=end)
    return adherence.weekly(
        planned=adherence.planned_sessions(spans),
        done=done.values_list("exercise_id", "date"),
    )
