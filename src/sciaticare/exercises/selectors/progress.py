"""How a patient keeps up their home programmes, read for the pages beside the pain diary, the
therapist's brief, the doctor's report, the FHIR export and the clinic's figures (issue 17,
points 4 and 6): the sessions each version planned, the days each exercise was done, adherence
per week, and the flags, in a fixed handful of queries whatever the history's length.

The rules are ``selectors/plans.py``'s: a version is in force from its start until a newer one
starts (``adherence.version_spans``), a programme plans nothing from the day it was ended, a
paused exercise nothing from the day it was paused (``adherence.without_paused``), never past
the patient's today; flags are ``plans.flags_for``'s. Here they are applied to every programme
of a patient (or of many patients) at once, read as plain values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from sciaticare.accounts.models import User, site_time_zone
from sciaticare.accounts.selectors import today_for, zone_name
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.core.time import is_time_zone, local_day
from sciaticare.exercises import adherence, response
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors.library import exercise_words
from sciaticare.exercises.selectors.plans import flags_for, may_read

#: (plan id, exercise id): what adherence counts sessions of.
type Key = tuple[int, int]


@dataclass(frozen=True)
class FlagSeen:
    """A flag and the day of the newest mark of its kind ("spread down the leg", or "worse")
    since the version in force started."""

    flag: response.Flag
    day: date


@dataclass(frozen=True)
class ItemDose:
    """One exercise of a version, as the therapist (or the patient's physio) wrote it."""

    exercise_id: int
    name: str
    slug: str
    built_in: bool
    timed: bool
    position: int
    repetitions: int
    sets: int
    minutes: int
    times_per_day: int
    days: int  # weekday mask, bit 0 Monday


@dataclass(frozen=True)
class PlanHistory:
    """One programme: its versions' spans and the current version's exercises."""

    plan_id: int
    origin: str
    prescriber: str
    therapist: str  # who wrote a therapist's programme ("" when unknown or the patient's)
    clinic: str  # their clinic's name, or ""
    created_at: datetime
    ended_at: datetime | None
    ended_on: date | None  # the patient's day it was ended on
    first_start: date
    current_start: date  # the start of the version in force (before any: the first to come)
    review_date: date | None  # the version in force's
    spans: list[adherence.Span]  # paused days taken out
    current: list[ItemDose]  # the version in force's exercises, in their order
    earlier: list[ItemDose]  # exercises of other versions only
    paused: dict[int, date]  # exercise id → the day the patient paused it
    weeks: list[adherence.Week] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class ExerciseProgress:
    """One exercise across the patient's programmes (an exercise in two programmes is one row:
    the question is whether *it* helps)."""

    exercise_id: int
    name: str
    slug: str
    built_in: bool
    current: bool  # in the version in force of a programme that has not ended
    paused_on: date | None
    flags: list[FlagSeen]
    planned: frozenset[date]
    done: frozenset[date]
    position: tuple[int, int]  # (programme's rank, position in it): the order to list
    plan_id: int = 0  # the programme it is listed under (the newest that has it)

    @property
    def paused(self) -> bool:
        return self.paused_on is not None


@dataclass(frozen=True)
class Progress:
    patient: User
    today: date
    plans: list[PlanHistory]
    weeks: list[adherence.Week]  # every programme together, oldest first
    exercises: list[ExerciseProgress]  # flagged first, then current, then the rest

    @property
    def overall(self) -> float | None:
        return adherence.overall(self.weeks)

    @property
    def flagged(self) -> list[ExerciseProgress]:
        return [e for e in self.exercises if e.flags]

    def recent_weeks(self, count: int) -> list[adherence.Week]:
        """The weeks with a planned session among the last ``count`` weeks, today's included."""
        since = adherence.week_of(self.today) - timedelta(weeks=count - 1)
        return [w for w in self.weeks if w.start >= since]


def progress_for(*, viewer: User, patient: User, now: datetime | None = None) -> Progress:
    """The patient's programmes and how they kept them up, for the patient or a therapist who
    treats them (``plans.may_read``); NotFound for anyone else. Read by anyone else is
    audited. Five or six queries (one without a programme), one more for a therapist's check
    and one for the audit row."""
    if not may_read(viewer=viewer, patient=patient):
        raise NotFound("patient")
    if viewer.pk != patient.pk:
        record_event(actor=viewer, action="exercise_plan.progress.view", patient=patient)
    return programmes_of(patient=patient, now=now)


def programmes_of(*, patient: User, now: datetime | None = None) -> Progress:
    """:func:`progress_for` without the reader's check or audit, for a caller that made both
    (interop's FHIR export: ``export_access``, then its ``fhir.export`` audit row)."""
    today = today_for(patient, now)
    zone = zone_name(patient)
    plans = _plans([patient.pk], today={patient.pk: today}, zone={patient.pk: zone})
    histories = plans.get(patient.pk, [])
    logs = (
        list(
            ExerciseLog.objects.filter(plan__patient=patient, date__lte=today).values_list(
                "plan_id", "exercise_id", "date", "done", "leg_pain", "spread_down_leg"
            )
        )
        if histories
        else []
    )
    return _progress(patient, today, histories, logs)


def adherence_in_windows[K: Hashable](
    windows: Mapping[K, tuple[int, date, date]],
) -> dict[K, list[adherence.Week]]:
    """Adherence over each window's days, both ends included, of one patient's programmes
    (all of them together): ``{key: (patient id, first day, last day)}``, one patient in
    several windows as the caller needs (a course at each clinic). For figures across
    patients (outcomes' practice figures), so without an access check or audit: the caller
    shows no one's data. Five queries however many windows; a window with nothing planned is
    left out."""
    if not windows:
        return {}
    last_of: dict[int, date] = {}
    for patient, _, end in windows.values():
        last_of[patient] = max(end, last_of.get(patient, end))
    zones = {
        pk: zone if isinstance(zone, str) and is_time_zone(zone) else site_time_zone()
        for pk, zone in User.objects.filter(pk__in=list(last_of)).values_list("pk", "time_zone")
    }
    plans = _plans(list(zones), today=last_of, zone=zones)
    if not plans:
        return {}
    first = min(start for _, start, _ in windows.values())
    last = max(last_of.values())
    done: dict[int, set[tuple[Key, date]]] = defaultdict(set)
    for patient, plan, exercise, day in ExerciseLog.objects.filter(
        plan__patient_id__in=list(plans), done=True, date__gte=first, date__lte=last
    ).values_list("plan__patient_id", "plan_id", "exercise_id", "date"):
        done[patient].add(((plan, exercise), day))
    planned = {patient: set().union(*map(_planned, found)) for patient, found in plans.items()}
    weeks = {}
    for key, (patient, start, end) in windows.items():
        inside = {s for s in planned.get(patient, ()) if start <= s[1] <= end}
        if inside:
            kept = {s for s in done[patient] if start <= s[1] <= end}
            weeks[key] = adherence.weekly(planned=inside, done=kept)
    return weeks


def _progress(
    patient: User,
    today: date,
    histories: list[PlanHistory],
    logs: list[tuple[int, int, date, bool, str, bool]],
) -> Progress:
    planned_by_plan = {h.plan_id: _planned(h) for h in histories}
    done = {((plan, exercise), day) for plan, exercise, day, was_done, _, _ in logs if was_done}
    planned = set().union(*planned_by_plan.values()) if planned_by_plan else set()
    for history in histories:
        keys = planned_by_plan[history.plan_id]
        history.weeks.extend(
            adherence.weekly(planned=keys, done={d for d in done if d[0][0] == history.plan_id})
        )
    found = flags_for(patient=patient, day=today) if histories else {}
    since = {h.plan_id: h.current_start for h in histories}
    seen: dict[Key, list[FlagSeen]] = {}
    for key, listed in found.items():
        marks = [
            (day, spread, leg_pain)
            for plan, exercise, day, was_done, leg_pain, spread in logs
            if (plan, exercise) == key and was_done and day >= since.get(plan, day)
        ]
        seen[key] = [_flag_day(flag, marks) for flag in listed]
    return Progress(
        patient=patient,
        today=today,
        plans=histories,
        weeks=adherence.weekly(planned=planned, done=done),
        exercises=_exercises(histories, planned, done, seen),
    )


def _flag_day(flag: response.Flag, marks: list[tuple[date, bool, str]]) -> FlagSeen:
    """The flag with the day of the newest mark of its kind."""
    kind = [
        day
        for day, spread, leg_pain in marks
        if (spread if flag is response.Flag.SPREAD else leg_pain == "worse")
    ]
    return FlagSeen(flag, max(kind, default=max((m[0] for m in marks), default=date.min)))


def _planned(history: PlanHistory) -> set[tuple[Key, date]]:
    """The (key, day) sessions a programme planned (its spans are cut at the pauses)."""
    return {
        ((history.plan_id, exercise), day)
        for exercise, day in adherence.planned_sessions(history.spans)
        if isinstance(exercise, int)
    }


def _exercises(
    histories: list[PlanHistory],
    planned: set[tuple[Key, date]],
    done: set[tuple[Key, date]],
    flags: Mapping[Key, list[FlagSeen]],
) -> list[ExerciseProgress]:
    planned_days: dict[int, set[date]] = defaultdict(set)
    done_days: dict[int, set[date]] = defaultdict(set)
    for (_, exercise), day in planned:
        planned_days[exercise].add(day)
    for (_, exercise), day in done:
        done_days[exercise].add(day)
    rows: dict[int, ExerciseProgress] = {}
    # Newest programme first: an exercise takes its name, order and pause from the newest.
    for rank, history in enumerate(sorted(histories, key=lambda h: (not h.active, -h.plan_id))):
        for item in history.current:
            seen = rows.get(item.exercise_id)
            flagged = flags.get((history.plan_id, item.exercise_id), [])
            if seen is not None:
                if flagged or (history.active and not seen.current):
                    rows[item.exercise_id] = _merged(seen, flagged, history)
                continue
            rows[item.exercise_id] = ExerciseProgress(
                exercise_id=item.exercise_id,
                name=item.name,
                slug=item.slug,
                built_in=item.built_in,
                current=history.active,
                paused_on=history.paused.get(item.exercise_id) if history.active else None,
                flags=flagged,
                planned=frozenset(planned_days[item.exercise_id]),
                done=frozenset(done_days[item.exercise_id]),
                position=(rank, item.position),
                plan_id=history.plan_id,
            )
    # Exercises of older versions only: still counted, and their days still compared.
    earlier: dict[int, tuple[ItemDose, int]] = {}
    for history in sorted(histories, key=lambda h: -h.plan_id):
        for item in history.earlier:
            earlier.setdefault(item.exercise_id, (item, history.plan_id))
    for exercise, (item, plan) in earlier.items():
        if exercise not in rows and planned_days[exercise]:
            rows[exercise] = ExerciseProgress(
                exercise_id=exercise,
                name=item.name,
                slug=item.slug,
                built_in=item.built_in,
                current=False,
                paused_on=None,
                flags=[],
                planned=frozenset(planned_days[exercise]),
                done=frozenset(done_days[exercise]),
                position=(len(histories), item.position),
                plan_id=plan,
            )
    return sorted(rows.values(), key=lambda e: (not e.flags, not e.current, e.position, e.name))


def _merged(
    seen: ExerciseProgress, flags: list[FlagSeen], history: PlanHistory
) -> ExerciseProgress:
    return ExerciseProgress(
        exercise_id=seen.exercise_id,
        name=seen.name,
        slug=seen.slug,
        built_in=seen.built_in,
        current=seen.current or history.active,
        paused_on=seen.paused_on
        or (history.paused.get(seen.exercise_id) if history.active else None),
        flags=sorted({*seen.flags, *flags}, key=lambda f: list(response.Flag).index(f.flag)),
        planned=seen.planned,
        done=seen.done,
        position=seen.position,
        plan_id=seen.plan_id,
    )


#: A version as ``_VERSION_COLUMNS`` reads it.
type VersionRow = tuple[
    int, int, int, date, date | None, int, str, str, datetime, datetime | None, str, str, str, str
]
_VERSION_COLUMNS = (
    "pk",
    "plan_id",
    "number",
    "start_date",
    "review_date",
    "plan__patient_id",
    "plan__origin",
    "plan__prescriber",
    "plan__created_at",
    "plan__ended_at",
    "plan__therapist__first_name",
    "plan__therapist__last_name",
    "plan__therapist__email",
    "plan__clinic__name",
)
_ITEM_COLUMNS = (
    "version_id",
    "exercise_id",
    "position",
    "repetitions",
    "sets",
    "minutes",
    "times_per_day",
    "days",
    "exercise__name",
    "exercise__slug",
    "exercise__timed",
    "exercise__clinic_id",
    "exercise__patient_id",
)


def _plans(
    patient_ids: Collection[int], *, today: Mapping[int, date], zone: Mapping[int, str]
) -> dict[int, list[PlanHistory]]:
    """Every programme of these patients with its spans, by patient: three queries (versions,
    their exercises, the pauses) however many patients and versions."""
    ids = list(patient_ids)
    versions = sorted(
        PlanVersion.objects.filter(plan__patient_id__in=ids).values_list(*_VERSION_COLUMNS),
        key=lambda v: (v[1], v[2]),
    )
    if not versions:  # no programme: one query
        return {}
    items: dict[int, list[ItemDose]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in PlanItem.objects.filter(version__plan__patient_id__in=ids).values_list(
        *_ITEM_COLUMNS
    ):
        version, exercise, position, reps, sets, minutes, per_day, days, *rest = row
        name, slug, timed, clinic, own = rest
        built_in = clinic is None and own is None
        if built_in and slug not in names:
            # A built-in's name in the reader's language (the library's words, not the row's).
            names[slug] = exercise_words(Exercise(slug=slug, name=name)).name
        items[version].append(
            ItemDose(
                exercise_id=exercise,
                name=names[slug] if built_in else name,
                slug=slug,
                built_in=built_in,
                timed=timed,
                position=position,
                repetitions=reps,
                sets=sets,
                minutes=minutes,
                times_per_day=per_day,
                days=days,
            )
        )
    paused: dict[int, dict[int, datetime]] = defaultdict(dict)
    for plan, exercise, at in PausedExercise.objects.filter(plan__patient_id__in=ids).values_list(
        "plan_id", "exercise_id", "paused_at"
    ):
        paused[plan][exercise] = at
    by_plan: dict[int, list[VersionRow]] = defaultdict(list)
    for row in versions:
        by_plan[row[1]].append(row)
    found: dict[int, list[PlanHistory]] = defaultdict(list)
    for plan, rows in by_plan.items():
        patient = rows[0][5]
        found[patient].append(
            _history(rows, items, paused[plan], today=today[patient], zone=zone[patient])
        )
    for histories in found.values():
        histories.sort(key=lambda h: (h.created_at, h.plan_id))
    return found


def _history(
    versions: list[VersionRow],
    items: Mapping[int, list[ItemDose]],
    paused: Mapping[int, datetime],
    *,
    today: date,
    zone: str,
) -> PlanHistory:
    """One programme from its versions (in number order), by ``plans.plan_spans``' rules."""
    _, plan, _, _, _, _, origin, prescriber, created_at, ended_at, *author = versions[0]
    first_name, last_name, email, clinic = (value or "" for value in author)
    therapist = f"{first_name} {last_name}".strip() or email  # User.display_name
    first = min(row[3] for row in versions)
    last = today
    ended_on = local_day(ended_at, zone) if ended_at is not None else None
    if ended_on is not None:
        last = min(last, ended_on - timedelta(days=1))
    pauses = {exercise: local_day(at, zone) for exercise, at in paused.items()}
    cut_at = cast("Mapping[Hashable, date]", pauses)  # Mapping's keys are invariant
    spans = adherence.without_paused(
        adherence.version_spans(
            [(row[3], {i.exercise_id: i.days for i in items[row[0]]}) for row in versions],
            start=first,
            end=last,
        ),
        cut_at,
    )
    # In force on the patient's today: the newest that had started (before any: the first).
    started = [row for row in versions if row[3] <= today]
    shown = max(started, key=lambda row: row[2]) if started else min(versions, key=lambda r: r[3])
    current = sorted(items[shown[0]], key=lambda i: (i.position, i.exercise_id))
    in_current = {i.exercise_id for i in current}
    earlier: dict[int, ItemDose] = {}
    for row in reversed(versions):
        for item in items[row[0]]:
            if item.exercise_id not in in_current:
                earlier.setdefault(item.exercise_id, item)
    return PlanHistory(
        plan_id=plan,
        origin=origin,
        prescriber=prescriber,
        therapist=therapist,
        clinic=clinic,
        created_at=created_at,
        ended_at=ended_at,
        ended_on=ended_on,
        first_start=first,
        current_start=shown[3],
        review_date=shown[4],
        spans=spans,
        current=current,
        earlier=list(earlier.values()),
        paused=pauses,
    )
