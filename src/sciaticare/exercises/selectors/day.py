"""The patient's day: the exercises planned today in their active programmes, each with the
day's tick, whether it is paused and why it is flagged, in ONE query however long the history
(the dashboard's card; the dashboard holds to a budget of 10 queries, bench/patient_dashboard.py).

The rules are those of ``selectors.plans``: the version in force on a day is the newest that had
started; an exercise's flags come from its marks (done, with leg pain said or a spread) on or
after the start of the version in force and, for a therapist's plan, written after the start of
the patient's last completed session with that therapist (``plans.flags_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from sciaticare.accounts.models import User
from sciaticare.exercises import adherence
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
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
    #: The exercise with its dose (``item.exercise`` loaded).
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


def _marks(day: date) -> Subquery:
    """For the outer item: its marks of the flag window up to ``day`` made since the therapist
    last looked (``plans.flags_for``'s rule), as one string
    ("2026-07-14:worse:,2026-07-15::s", in no order), NULL without any."""
    last_look = (
        Appointment.objects.filter(
            patient=OuterRef("plan__patient"),
            therapist__user=OuterRef("plan__therapist"),
            status=AppointmentStatus.COMPLETED,
        )
        .order_by("-start")
        .values("start")[:1]
    )
    mark = Concat(
        Cast("date", CharField()),
        Value(":"),
        "leg_pain",
        Value(":"),
        # "s" when the pain spread down the leg.
        Case(When(spread_down_leg=True, then=Value("s")), default=Value("")),
        output_field=CharField(),
    )
    marked = (
        ExerciseLog.objects.filter(
            plan=OuterRef("version__plan"),
            exercise=OuterRef("exercise"),
            done=True,
            date__gte=OuterRef("version__start_date"),
        )
        .filter(date__gte=flag_window_start(day), date__lte=day)
        .filter(Q(spread_down_leg=True) | ~Q(leg_pain=""))
        .annotate(seen=Subquery(last_look))
        .filter(Q(seen__isnull=True) | Q(updated_at__gt=F("seen")))
        .order_by()
        .values("plan")
        .annotate(marks=StringAgg(mark, Value(",")))
        .values("marks")
    )
    return Subquery(marked, output_field=CharField())


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
    its flags. One query whatever the history: the items of each active plan's version in force
    on ``day``, with the day's tick, the pause and the marks as subqueries."""
    in_force = (
        PlanVersion.objects.filter(plan=OuterRef("version__plan"), start_date__lte=day)
        .order_by("-number")
        .values("pk")[:1]
    )
    tick = ExerciseLog.objects.filter(
        plan=OuterRef("version__plan"), exercise=OuterRef("exercise"), date=day
    )
    items = (
        PlanItem.objects.filter(
            version__plan__patient=patient,
            version__plan__ended_at__isnull=True,
            version=Subquery(in_force),
        )
        .select_related("exercise", "version__plan")
        .annotate(
            done_today=Subquery(tick.values("done")[:1]),
            leg_pain_today=Subquery(tick.values("leg_pain")[:1]),
            spread_today=Subquery(tick.values("spread_down_leg")[:1]),
            is_paused=Exists(
                PausedExercise.objects.filter(
                    plan=OuterRef("version__plan"), exercise=OuterRef("exercise")
                )
            ),
            marks=_marks(day),
        )
        .order_by("-version__plan_id", "position", "pk")
    )
    listed = []
    for item in items:
        if not adherence.on_days(item.days, day):
            continue
        listed.append(
            TodayItem(
                plan_id=item.version.plan_id,
                item=item,
                done=item.done_today,
                leg_pain=item.leg_pain_today or "",
                spread_down_leg=bool(item.spread_today),
                paused=item.is_paused,
                flags=tuple(flags(_parsed(item.marks))),
            )
        )
    return listed
