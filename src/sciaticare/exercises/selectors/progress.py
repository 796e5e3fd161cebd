"""How a patient keeps up their home programme: the sessions each version of each programme
planned, the days each exercise was done, adherence per week, and the flags the therapist must
see (issue 17, points 3 and 4). A fixed handful of queries whatever the history's length.

When a version plans (``adherence.Span``): from its start date to the day before the next
version's start, or to the day before the programme ended (the day it ended is not planned),
and never past the patient's today. An exercise the patient paused is not planned from the day
they paused it: the product suggested the pause after a flag, and a week the person was told
to rest it is not a week they failed to keep up. A day done counts for adherence as
``adherence.weekly`` says (at most the planned sessions of its week).

Flags (``response.flags``) are read over the marks of the current version of each programme
that has not ended, since its start (the therapist sees them on the brief before the next
session; a new version is the therapist looking again).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sciaticare.accounts.models import User, site_time_zone
from sciaticare.accounts.selectors import today_for, zone_name
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.core.time import is_time_zone, local_day
from sciaticare.exercises import adherence, response
from sciaticare.exercises.models import ExerciseLog, PausedExercise, PlanItem, PlanVersion
from sciaticare.scheduling.selectors.care import treats

#: (plan id, exercise id): what adherence counts sessions of.
type Key = tuple[int, int]


@dataclass(frozen=True)
class FlagSeen:
    """A flag and the day of the mark that raised it: the last "spread down the leg", or the
    third "worse" in a row."""

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
    created_at: datetime
    ended_at: datetime | None
    first_start: date
    current_start: date  # the newest version's start: flags count marks from it
    review_date: date | None  # the newest version's
    spans: list[adherence.Span]
    current: list[ItemDose]  # the newest version's exercises, in their order
    earlier: list[ItemDose]  # exercises of older versions only, newest version first
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
    current: bool  # in the newest version of a programme that has not ended
    paused_on: date | None
    flags: list[FlagSeen]
    planned: frozenset[date]
    done: frozenset[date]
    position: tuple[int, int]  # (programme's rank, position in it): the order to list

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


def may_read(*, viewer: User, patient: User) -> bool:
    """The patient, or a therapist who treats them (scheduling's one rule). An intake share
    alone opens the intake and brief, not the programme."""
    return viewer.pk == patient.pk or treats(therapist=viewer, patient=patient)


def progress_for(*, viewer: User, patient: User, now: datetime | None = None) -> Progress:
    """The patient's programmes and how they kept them up, for the patient or a therapist who
    treats them; NotFound for anyone else. Read by anyone else is audited. Four queries (one
    without a programme), and one more for a therapist's check and one for the audit row."""
    if not may_read(viewer=viewer, patient=patient):
        raise NotFound("patient")
    if viewer.pk != patient.pk:
        record_event(actor=viewer, action="exercises.progress.view", patient=patient)
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
    marks: dict[Key, list[response.Mark]] = defaultdict(list)
    since = {h.plan_id: h.current_start for h in histories if h.active}
    for plan, exercise, day, _, leg_pain, spread in logs:
        if plan in since and day >= since[plan] and (leg_pain or spread):
            marks[plan, exercise].append(response.Mark(day, leg_pain, spread))
    return Progress(
        patient=patient,
        today=today,
        plans=histories,
        weeks=adherence.weekly(planned=planned, done=done),
        exercises=_exercises(histories, planned, done, marks),
    )


def _planned(history: PlanHistory) -> set[tuple[Key, date]]:
    """The (key, day) sessions a programme planned, the paused days taken out."""
    return {
        ((history.plan_id, exercise), day)
        for exercise, day in adherence.planned_sessions(history.spans)
        if isinstance(exercise, int)
        and (exercise not in history.paused or day < history.paused[exercise])
    }


def _exercises(
    histories: list[PlanHistory],
    planned: set[tuple[Key, date]],
    done: set[tuple[Key, date]],
    marks: Mapping[Key, list[response.Mark]],
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
            flags = _flags_seen(marks.get((history.plan_id, item.exercise_id), []))
            if seen is not None:
                if flags or (history.active and not seen.current):
                    rows[item.exercise_id] = _merged(seen, flags, history)
                continue
            rows[item.exercise_id] = ExerciseProgress(
                exercise_id=item.exercise_id,
                name=item.name,
                slug=item.slug,
                built_in=item.built_in,
                current=history.active,
                paused_on=history.paused.get(item.exercise_id) if history.active else None,
                flags=flags,
                planned=frozenset(planned_days[item.exercise_id]),
                done=frozenset(done_days[item.exercise_id]),
                position=(rank, item.position),
            )
    # Exercises of older versions only: still counted, and their days still compared.
    earlier: dict[int, ItemDose] = {}
    for history in histories:
        for item in history.earlier:
            earlier.setdefault(item.exercise_id, item)
    for exercise, item in earlier.items():
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
    )


def _flags_seen(marks: list[response.Mark]) -> list[FlagSeen]:
    """``response.flags`` with the day of the mark that raised each."""
    found = []
    ordered = sorted(marks, key=lambda m: m.day)
    for flag in response.flags(ordered):
        if flag is response.Flag.SPREAD:
            found.append(FlagSeen(flag, max(m.day for m in ordered if m.spread_down_leg)))
            continue
        run = 0
        for mark in ordered:
            if not mark.leg_pain:
                continue
            run = run + 1 if mark.leg_pain == "worse" else 0
            if run >= response.WORSE_RUN:
                found.append(FlagSeen(flag, mark.day))
                break
    return found


#: A version as ``_VERSION_COLUMNS`` reads it.
type VersionRow = tuple[int, int, int, date, date | None, int, str, str, datetime, datetime | None]
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
    for row in PlanItem.objects.filter(version__plan__patient_id__in=ids).values_list(
        *_ITEM_COLUMNS
    ):
        version, exercise, position, reps, sets, minutes, per_day, days, *rest = row
        name, slug, timed, clinic, own = rest
        items[version].append(
            ItemDose(
                exercise_id=exercise,
                name=name,
                slug=slug,
                built_in=clinic is None and own is None,
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
    """One programme from its versions (oldest first)."""
    _, plan, _, _, _, _, origin, prescriber, created_at, ended_at = versions[0]
    last_day = today
    if ended_at is not None:
        last_day = min(last_day, local_day(ended_at, zone) - timedelta(days=1))
    spans = []
    starts = [row[3] for row in versions]
    for index, row in enumerate(versions):
        start = starts[index]
        end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else last_day
        end = min(end, last_day)
        if end >= start:
            spans.append(adherence.Span(start, end, {i.exercise_id: i.days for i in items[row[0]]}))
    newest = versions[-1]
    current = sorted(items[newest[0]], key=lambda i: (i.position, i.exercise_id))
    in_current = {i.exercise_id for i in current}
    earlier: dict[int, ItemDose] = {}
    for older in reversed(versions[:-1]):
        for item in items[older[0]]:
            if item.exercise_id not in in_current:
                earlier.setdefault(item.exercise_id, item)
    return PlanHistory(
        plan_id=plan,
        origin=origin,
        prescriber=prescriber,
        created_at=created_at,
        ended_at=ended_at,
        first_start=versions[0][3],
        current_start=newest[3],
        review_date=newest[4],
        spans=spans,
        current=current,
        earlier=list(earlier.values()),
        paused={exercise: local_day(at, zone) for exercise, at in paused.items()},
    )
