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

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import day_of, today_for
from sciaticare.audit.services import record_event, record_events
from sciaticare.core.errors import NotFound
from sciaticare.core.time import as_utc
from sciaticare.directory.models import Clinic
from sciaticare.exercises.models import (
    ClinicExercises,
    Exercise,
    ExerciseLog,
    ExercisePlan,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.response import FLAG_WINDOW_DAYS, Flag, Mark, flags
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


def kept_exercise_ids(plan_id: int) -> set[int]:
    """The exercises of a programme's newest version: a new version may keep them even once the
    clinic has taken one off its list (the list says what may be added, not what is taken
    away from a person's programme)."""
    newest = PlanVersion.objects.filter(plan_id=plan_id).order_by("-number").values("pk")[:1]
    return set(PlanItem.objects.filter(version__in=newest).values_list("exercise_id", flat=True))


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


def audit_read(viewer: User, action: str, patient: User, obj: ExercisePlan | None = None) -> None:
    if viewer.pk != patient.pk:
        record_event(actor=viewer, action=action, patient=patient, obj=obj)


def _versions() -> Prefetch:
    return Prefetch("versions", queryset=PlanVersion.objects.order_by("number"))


def plans_of(*, viewer: User, patient: User) -> list[ExercisePlan]:
    """The patient's plans, newest first, each with its versions (oldest first) prefetched."""
    if not may_read(viewer=viewer, patient=patient):
        raise NotFound("patient")
    audit_read(viewer, "exercise_plan.list", patient)
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
    audit_read(viewer, "exercise_plan.view", plan.patient, plan)
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
    items = list(shown.items.all())
    return PlanView(
        plan=plan,
        version=shown,
        items=items,
        upcoming=upcoming,
        paused=frozenset(plan.paused.values_list("exercise_id", flat=True)),
        flags=_plan_flags(plan, version_on(versions, day), day),
        today=day,
        versions=versions,
    )


def versions_of(*, viewer: User, plan_id: int) -> list[PlanVersion]:
    """Every version of a plan, newest first, each with its items and their exercises."""
    plan = readable_plan(viewer=viewer, plan_id=plan_id)
    audit_read(viewer, "exercise_plan.view", plan.patient, plan)
    items = PlanItem.objects.select_related("exercise").order_by("position", "pk")
    return list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("written_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-number")
    )


# --- Flags -----------------------------------------------------------------------------------
#
# An exercise is flagged by the marks (done, with leg pain said or a spread down the leg) of the
# last FLAG_WINDOW_DAYS made since the therapist last looked: on or after the start of the
# version in force, and for a therapist's plan written after the start of the patient's last
# completed session with the plan's therapist. Each reader finds, per plan, that start and that
# session (its "look"), reads the window's ticks in one query, and keeps the marks in Python.

#: A plan's last look: the start of its version in force, and of the patient's last completed
#: session with its therapist (None: none, or a plan the patient entered).
Look = tuple[date, datetime | None]
_LOG_FIELDS = (
    "plan_id",
    "exercise_id",
    "date",
    "done",
    "leg_pain",
    "spread_down_leg",
    "updated_at",
)


def flag_window_start(day: date) -> date:
    """The first day whose marks can flag on ``day`` (response.FLAG_WINDOW_DAYS)."""
    return day - timedelta(days=FLAG_WINDOW_DAYS - 1)


def _last_session(plan: str) -> Subquery:
    """The start of the patient's last completed session with the plan's therapist, for rows
    that reach the plan through ``plan`` ("" for a plan, "version__plan__" for an item)."""
    return Subquery(
        Appointment.objects.filter(
            patient=OuterRef(f"{plan}patient"),
            therapist__user=OuterRef(f"{plan}therapist"),
            status=AppointmentStatus.COMPLETED,
        )
        .order_by("-start")
        .values("start")[:1]
    )


def _window_ticks(plans: Q, day: date, *, with_day: bool = False) -> list[tuple[Any, ...]]:
    """The marks of the flag window up to ``day`` in the plans matching ``plans`` (a filter on
    ExerciseLog), as ``_LOG_FIELDS`` tuples; ``with_day`` adds every tick of ``day``."""
    marked = Q(done=True) & (Q(spread_down_leg=True) | ~Q(leg_pain=""))
    return list(
        ExerciseLog.objects.filter(plans, date__gte=flag_window_start(day), date__lte=day)
        .filter(marked | Q(date=day) if with_day else marked)
        .values_list(*_LOG_FIELDS)
    )


def _flags_of(
    rows: Iterable[tuple[Any, ...]], looks: Mapping[int, Look]
) -> dict[tuple[int, int], list[Flag]]:
    """(plan id, exercise id) → flags, from the window's ticks and each plan's last look."""
    marks: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    for plan_id, exercise_id, day, done, leg_pain, spread, written in rows:
        look = looks.get(plan_id)
        if look is None or not done or not (spread or leg_pain) or day < look[0]:
            continue
        if look[1] is None or as_utc(written) > as_utc(look[1]):
            marks[plan_id, exercise_id].append(Mark(day, leg_pain, spread))
    found = {key: flags(listed) for key, listed in marks.items()}
    return {key: listed for key, listed in found.items() if listed}


def _started_items(day: date, **where: Any) -> Any:
    """The items (filtered by ``where``) of each plan's version in force on ``day``, each with
    its version and ``seen`` (the start of the patient's last completed session with the plan's
    therapist). The newer versions' test keeps the rows to one version per plan however long
    the history."""
    newer = PlanVersion.objects.filter(
        plan=OuterRef("version__plan"), start_date__lte=day, number__gt=OuterRef("version__number")
    )
    return (
        PlanItem.objects.filter(version__start_date__lte=day, **where)
        .exclude(Exists(newer))
        .annotate(seen=_last_session("version__plan__"))
        .select_related("version")
    )


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


def _looks(current: Mapping[int, list[PlanItem]]) -> dict[int, Look]:
    return {
        plan_id: (items[0].version.start_date, items[0].seen)  # type: ignore[attr-defined]
        for plan_id, items in current.items()
    }


def _in_force(
    found: Mapping[tuple[int, int], list[Flag]], current: Mapping[int, list[PlanItem]]
) -> dict[tuple[int, int], list[Flag]]:
    """The flags of the exercises in the versions in force."""
    keys = {(plan_id, i.exercise_id) for plan_id, items in current.items() for i in items}
    return {key: listed for key, listed in found.items() if key in keys}


def flags_for(*, patient: User, day: date | None = None) -> dict[tuple[int, int], list[Flag]]:
    """(plan id, exercise id) → why that exercise should be paused and looked at, for the
    exercises of the versions in force in the patient's active plans (response.flags over the
    marks since the therapist last looked, above). Only flagged exercises are keys. The caller
    has checked that its reader may see the patient; two queries."""
    day = day or today_for(patient)
    current = _current_items(
        _started_items(day, version__plan__patient=patient, version__plan__ended_at__isnull=True)
    )
    if not current:
        return {}
    rows = _window_ticks(Q(plan_id__in=list(current)), day)
    return _in_force(_flags_of(rows, _looks(current)), current)


def _plan_flags(
    plan: ExercisePlan, version: PlanVersion | None, day: date
) -> dict[int, list[Flag]]:
    """Exercise id → flags of one plan's version in force (two queries)."""
    if plan.ended_at is not None or version is None:
        return {}
    seen = (
        Appointment.objects.filter(
            patient_id=plan.patient_id,
            therapist__user_id=plan.therapist_id,
            status=AppointmentStatus.COMPLETED,
        ).aggregate(last=Max("start"))["last"]
        if plan.therapist_id is not None
        else None
    )
    found = _flags_of(_window_ticks(Q(plan=plan), day), {plan.pk: (version.start_date, seen)})
    in_version = {i.exercise_id for i in version.items.all()}
    return {e: listed for (_, e), listed in found.items() if e in in_version}


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
    today by default) picks the versions in force. Six queries whatever the number of
    patients (their plans' looks, the window's marks, the flagged versions' items, the pauses,
    the next sessions with their location, and one audit row per patient shown, in one)."""
    day = day or today_for(therapist)
    version_start = (
        PlanVersion.objects.filter(plan=OuterRef("pk"), start_date__lte=day)
        .order_by("-number")
        .values("start_date")[:1]
    )
    looks = {
        pk: (since, seen)
        for pk, since, seen in ExercisePlan.objects.filter(
            patient__in=patients_treated_by(therapist).values("pk"), ended_at__isnull=True
        )
        .annotate(since=Subquery(version_start), seen=_last_session(""))
        .filter(since__isnull=False)
        .values_list("pk", "since", "seen")
    }
    rows = _window_ticks(Q(plan_id__in=list(looks)), day) if looks else []
    found = _flags_of(rows, looks)
    if not found:
        return []
    current = _current_items(
        _started_items(day, version__plan_id__in={plan_id for plan_id, _ in found}).select_related(
            "exercise", "version__plan__patient"
        )
    )
    found = _in_force(found, current)
    newest: dict[tuple[int, int], date] = {}
    for plan_id, exercise_id, marked_on, _, leg_pain, spread, _ in rows:
        if (plan_id, exercise_id) in found and (spread or leg_pain == "worse"):
            newest[plan_id, exercise_id] = max(
                newest.get((plan_id, exercise_id), marked_on), marked_on
            )
    paused = set(
        PausedExercise.objects.filter(plan_id__in={p for p, _ in found}).values_list(
            "plan_id", "exercise_id"
        )
    )
    items = {(i.version.plan_id, i.exercise_id): i for its in current.values() for i in its}
    shown = [(items[key], why) for key, why in found.items()]
    upcoming = (
        Appointment.objects.filter(
            patient_id__in={item.version.plan.patient_id for item, _ in shown},
            therapist__user=therapist,
            status=AppointmentStatus.BOOKED,
            start__gte=timezone.now(),
        )
        .select_related("location")
        .order_by("-start")
    )
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
    seen = {c.patient.pk: c.patient for c in listed}.values()
    record_events(actor=therapist, action="exercise_plan.flags.view", patients=seen)
    return sorted(listed, key=lambda c: (c.marked_on, c.plan_id), reverse=True)
