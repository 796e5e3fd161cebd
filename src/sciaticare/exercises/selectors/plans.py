"""Reads of home exercise programmes: who may read a patient's plans, a plan with its version in
force, the day's exercises for the dashboard, the flags a therapist should see, and the plain
values adherence is computed from.

A patient reads their own; a therapist who treats them (scheduling's one rule) reads theirs, and
that read is audited; anyone else gets NotFound. The version "in force" on a day is the newest
one that had started by then (adherence.version_spans).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import day_of, today_for
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.core.time import as_utc
from sciaticare.directory.models import Clinic
from sciaticare.exercises import adherence
from sciaticare.exercises.models import (
    ClinicExercises,
    Exercise,
    ExerciseLog,
    ExercisePlan,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.response import Flag, Mark, flags
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.care import patients_treated_by, treats

# --- Which exercises, who may read ---------------------------------------------------------


def built_in() -> Q:
    """The library's own exercises (no clinic, no patient)."""
    return Q(clinic__isnull=True, patient__isnull=True)


def allowed_exercise_ids(clinic: Clinic | int | None) -> set[int]:
    """The exercises a clinic's therapists may recommend: the clinic's choice when it made one
    (ClinicExercises), else the built-in library and the clinic's own. Never a patient's own
    exercise, nor another clinic's. Without a clinic: the built-in library."""
    clinic_id = clinic.pk if isinstance(clinic, Clinic) else clinic
    if clinic_id is None:
        return set(Exercise.objects.filter(built_in()).values_list("pk", flat=True))
    theirs = built_in() | Q(clinic_id=clinic_id)
    scope = ClinicExercises.objects.filter(clinic_id=clinic_id).first()
    chosen = scope.allowed.all() if scope is not None else Exercise.objects.all()
    return set(chosen.filter(theirs).values_list("pk", flat=True))


def may_read(*, viewer: User, patient: User) -> bool:
    """The patient, or a therapist who treats them."""
    if not viewer.is_authenticated:
        return False
    return viewer.pk == patient.pk or treats(therapist=viewer, patient=patient)


def readable_plan(*, viewer: User, plan_id: int) -> ExercisePlan:
    """The plan, when the viewer may read its patient's plans; NotFound otherwise (the same
    answer as for a plan that does not exist). Not audited: the caller audits what it shows."""
    plan = (
        ExercisePlan.objects.select_related("patient", "therapist", "clinic")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not may_read(viewer=viewer, patient=plan.patient):
        raise NotFound("exercise plan")
    return plan


def _audit(viewer: User, action: str, patient: User, obj: ExercisePlan | None = None) -> None:
    if viewer.pk != patient.pk:
        record_event(actor=viewer, action=action, patient=patient, obj=obj)


def _versions() -> Prefetch:
    return Prefetch("versions", queryset=PlanVersion.objects.order_by("number"))


def plans_of(*, viewer: User, patient: User) -> list[ExercisePlan]:
    """The patient's plans, newest first, each with its versions (oldest first) prefetched."""
    if not may_read(viewer=viewer, patient=patient):
        raise NotFound("patient")
    _audit(viewer, "exercise_plan.list", patient)
    return list(
        ExercisePlan.objects.filter(patient=patient)
        .select_related("therapist", "clinic")
        .prefetch_related(_versions())
    )


def version_on(versions: Iterable[PlanVersion], day: date) -> PlanVersion | None:
    """The version in force on ``day``: the newest that had started."""
    started = [v for v in versions if v.start_date <= day]
    return max(started, key=lambda v: v.number, default=None)


def _shown_version(versions: Sequence[PlanVersion], day: date) -> PlanVersion:
    """In force on ``day``; before the plan starts, the first version that will be."""
    return version_on(versions, day) or version_on(versions, min(v.start_date for v in versions))  # type: ignore[return-value]


def ended_on(plan: ExercisePlan) -> date | None:
    """The patient's day on which the plan was ended, if it was: it holds no day from then."""
    return day_of(plan.patient, plan.ended_at) if plan.ended_at is not None else None


@dataclass(frozen=True)
class PlanView:
    plan: ExercisePlan
    #: In force on the patient's today (before the start: the first version to come).
    version: PlanVersion
    #: The version's exercises, in order, each with ``exercise`` loaded.
    items: list[PlanItem]
    #: A newer version that starts later, if one was written.
    upcoming: PlanVersion | None
    #: Exercise ids the patient paused in this plan.
    paused: frozenset[int]
    #: Why each flagged exercise of the version should be looked at (exercise id → flags).
    flags: dict[int, list[Flag]]
    #: The patient's today, which the version is in force on.
    today: date
    #: Every version, oldest first, each with its items (and their exercises) prefetched.
    versions: list[PlanVersion]


def plan_view(*, viewer: User, plan_id: int) -> PlanView:
    """One plan as the patient or a treating therapist sees it (audited for the therapist)."""
    plan = readable_plan(viewer=viewer, plan_id=plan_id)
    _audit(viewer, "exercise_plan.view", plan.patient, plan)
    versions = list(
        PlanVersion.objects.filter(plan=plan)
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related("exercise").order_by("position", "pk"),
            )
        )
    )
    day = today_for(plan.patient)
    shown = _shown_version(versions, day)
    later = [v for v in versions if v.number > shown.number and v.start_date > day]
    upcoming = min(later, key=lambda v: (v.start_date, -v.number), default=None)
    found = _flags(plans=Q(plan=plan), day=day) if plan.ended_at is None else {}
    items = list(shown.items.all())
    return PlanView(
        plan=plan,
        version=shown,
        items=items,
        upcoming=upcoming,
        paused=frozenset(plan.paused.values_list("exercise_id", flat=True)),
        flags={
            i.exercise_id: found[plan.pk, i.exercise_id]
            for i in items
            if (plan.pk, i.exercise_id) in found
        },
        today=day,
        versions=versions,
    )


def versions_of(*, viewer: User, plan_id: int) -> list[PlanVersion]:
    """Every version of a plan, newest first, each with its items and their exercises."""
    plan = readable_plan(viewer=viewer, plan_id=plan_id)
    _audit(viewer, "exercise_plan.view", plan.patient, plan)
    items = PlanItem.objects.select_related("exercise").order_by("position", "pk")
    return list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("written_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-number")
    )


# --- Flags -----------------------------------------------------------------------------------


def _marked_logs(*, plans: Q, day: date, also: Q | None = None) -> list[Mapping[str, Any]]:
    """Log rows (as dicts) that count towards flags, for the plans matching ``plans`` (a filter
    on ExerciseLog): a mark (done, with leg pain said or a spread) made since the therapist last
    looked, i.e. on or after the start of the version in force on ``day`` and, for a
    therapist's plan, written after the start of the patient's last completed session with that
    therapist. ``also`` adds other rows (the day's ticks) to the same query."""
    version_start = (
        PlanVersion.objects.filter(plan=OuterRef("plan"), start_date__lte=day)
        .order_by("-number")
        .values("start_date")[:1]
    )
    last_session = (
        Appointment.objects.filter(
            patient=OuterRef("plan__patient"),
            therapist__user=OuterRef("plan__therapist"),
            status=AppointmentStatus.COMPLETED,
        )
        .order_by("-start")
        .values("start")[:1]
    )
    marks = (
        Q(done=True)
        & (Q(spread_down_leg=True) | ~Q(leg_pain=""))
        & Q(date__gte=F("since"))
        & (Q(seen__isnull=True) | Q(updated_at__gt=F("seen")))
    )
    rows: Iterable[Mapping[str, Any]] = (
        ExerciseLog.objects.filter(plans)
        .annotate(since=Subquery(version_start), seen=Subquery(last_session))
        .filter(marks | also if also is not None else marks)
        .values(
            "plan_id",
            "exercise_id",
            "date",
            "done",
            "leg_pain",
            "spread_down_leg",
            "since",
            "seen",
            "updated_at",
        )
    )
    return list(rows)


def _is_mark(row: Mapping[str, Any]) -> bool:
    """The condition of ``_marked_logs`` again, for a row fetched for another reason."""
    if not row["done"] or not (row["spread_down_leg"] or row["leg_pain"]):
        return False
    if row["since"] is None or row["date"] < row["since"]:
        return False
    return row["seen"] is None or as_utc(row["updated_at"]) > as_utc(row["seen"])


def _flags_of(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[int, int], list[Flag]]:
    marks: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    for row in rows:
        if _is_mark(row):
            marks[row["plan_id"], row["exercise_id"]].append(
                Mark(row["date"], row["leg_pain"], row["spread_down_leg"])
            )
    found = {key: flags(listed) for key, listed in marks.items()}
    return {key: listed for key, listed in found.items() if listed}


def _flags(*, plans: Q, day: date) -> dict[tuple[int, int], list[Flag]]:
    return _flags_of(_marked_logs(plans=plans, day=day))


def _current_items(items: Iterable[PlanItem]) -> dict[int, list[PlanItem]]:
    """Plan id → the items of its newest version among ``items`` (which hold, for each plan,
    the items of its versions started by some day, each with ``version`` loaded)."""
    newest: dict[int, int] = {}
    listed = list(items)
    for item in listed:
        plan_id = item.version.plan_id
        newest[plan_id] = max(newest.get(plan_id, 0), item.version.number)
    current: dict[int, list[PlanItem]] = defaultdict(list)
    for item in listed:
        if item.version.number == newest[item.version.plan_id]:
            current[item.version.plan_id].append(item)
    return current


def flags_for(*, patient: User, day: date | None = None) -> dict[tuple[int, int], list[Flag]]:
    """(plan id, exercise id) → why that exercise should be paused and looked at, for the
    exercises of the versions in force in the patient's active plans (response.flags over the
    marks since the therapist last looked: the later of the version's start and the patient's
    last completed session with the plan's therapist). Only flagged exercises are keys. The
    caller has checked that its reader may see the patient; two queries."""
    day = day or today_for(patient)
    active = Q(plan__patient=patient, plan__ended_at__isnull=True)
    found = _flags(plans=active, day=day)
    if not found:
        return {}
    current = _current_items(
        PlanItem.objects.filter(
            version__plan__patient=patient,
            version__plan__ended_at__isnull=True,
            version__start_date__lte=day,
        ).select_related("version")
    )
    in_force = {(plan_id, i.exercise_id) for plan_id, items in current.items() for i in items}
    return {key: listed for key, listed in found.items() if key in in_force}


# --- The patient's day -----------------------------------------------------------------------


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


def today(*, patient: User, day: date) -> list[TodayItem]:
    """The exercises planned on ``day`` (the patient's day) in their active plans, in plan then
    position order, each with the day's tick, whether it is paused and its flags. Three queries
    however long the history: the started versions' items, the day's ticks with the marks that
    flag, the pauses."""
    current = _current_items(
        PlanItem.objects.filter(
            version__plan__patient=patient,
            version__plan__ended_at__isnull=True,
            version__start_date__lte=day,
        )
        .select_related("exercise", "version")
        .order_by("version__plan_id", "position", "pk")
    )
    if not current:
        return []
    rows = _marked_logs(
        plans=Q(plan__patient=patient, plan__ended_at__isnull=True), day=day, also=Q(date=day)
    )
    ticks = {(r["plan_id"], r["exercise_id"]): r for r in rows if r["date"] == day}
    found = _flags_of(rows)
    paused = set(
        PausedExercise.objects.filter(
            plan__patient=patient, plan__ended_at__isnull=True
        ).values_list("plan_id", "exercise_id")
    )
    listed = []
    for plan_id in sorted(current, reverse=True):  # newest plan first
        for item in current[plan_id]:
            if not adherence.on_days(item.days, day):
                continue
            key = (plan_id, item.exercise_id)
            tick = ticks.get(key)
            listed.append(
                TodayItem(
                    plan_id=plan_id,
                    item=item,
                    done=tick["done"] if tick else None,
                    leg_pain=tick["leg_pain"] if tick else "",
                    spread_down_leg=bool(tick and tick["spread_down_leg"]),
                    paused=key in paused,
                    flags=tuple(found.get(key, ())),
                )
            )
    return listed


# --- The therapist's dashboard ---------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedClient:
    patient: User
    plan_id: int
    exercise: Exercise
    flags: tuple[Flag, ...]
    #: The day of the newest mark behind the flags.
    marked_on: date
    paused: bool
    #: The patient's next booked session with this therapist, if any.
    next_appointment: Appointment | None


def flagged_clients(*, therapist: User, day: date | None = None) -> list[FlaggedClient]:
    """The therapist's patients (scheduling's rule) with a flagged exercise in a version in
    force of an active plan (whoever wrote it), newest mark first. ``day`` (the therapist's
    today by default) picks the versions in force. Four queries whatever the number of
    patients; one audit row per patient shown."""
    day = day or today_for(therapist)
    treated = patients_treated_by(therapist).values("pk")
    rows = _marked_logs(plans=Q(plan__patient__in=treated, plan__ended_at__isnull=True), day=day)
    found = _flags_of(rows)
    if not found:
        return []
    newest: dict[tuple[int, int], date] = {}
    for row in rows:
        key = (row["plan_id"], row["exercise_id"])
        if key in found and (row["spread_down_leg"] or row["leg_pain"] == "worse"):
            newest[key] = max(newest.get(key, row["date"]), row["date"])
    current = _current_items(
        PlanItem.objects.filter(
            version__plan_id__in={plan_id for plan_id, _ in found}, version__start_date__lte=day
        ).select_related("exercise", "version__plan__patient")
    )
    paused = set(
        PausedExercise.objects.filter(plan_id__in={p for p, _ in found}).values_list(
            "plan_id", "exercise_id"
        )
    )
    shown = [
        (item, found[plan_id, item.exercise_id])
        for plan_id, items in current.items()
        for item in items
        if (plan_id, item.exercise_id) in found
    ]
    patients = {item.version.plan.patient_id for item, _ in shown}
    upcoming = Appointment.objects.filter(
        patient_id__in=patients,
        therapist__user=therapist,
        status=AppointmentStatus.BOOKED,
        start__gte=timezone.now(),
    ).order_by("-start")
    next_of = {a.patient_id: a for a in upcoming}  # the earliest wins, being set last
    listed = [
        FlaggedClient(
            patient=item.version.plan.patient,
            plan_id=item.version.plan_id,
            exercise=item.exercise,
            flags=tuple(why),
            marked_on=newest[item.version.plan_id, item.exercise_id],
            paused=(item.version.plan_id, item.exercise_id) in paused,
            next_appointment=next_of.get(item.version.plan.patient_id),
        )
        for item, why in shown
    ]
    for patient in {c.patient.pk: c.patient for c in listed}.values():
        record_event(actor=therapist, action="exercise_plan.flags.view", patient=patient)
    return sorted(listed, key=lambda c: (c.marked_on, c.plan_id), reverse=True)


# --- What adherence is computed from ---------------------------------------------------------


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
    _audit(viewer, "exercise_plan.view", plan.patient, plan)
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
