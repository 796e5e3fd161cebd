"""Demo home exercise programmes for `seed_demo`.

The demo patient (Maya) has a programme her therapist wrote from the note of her first session
of the course: walking (graded minutes), the sciatic nerve slider and knee-to-chest, with a
version 2 three sessions later that raises the doses. Her logs run from then to yesterday with
a believable pattern: adherence between about 60 % and 85 % a week, much lower in the week of
her flare-up (the demo diary's, outcomes'), and walking done more on the days her leg hurt less
(about a point lower on walking days, her own diary's figure: a pattern, not a cause). After
her last session she marked the nerve slider "spread down the leg" and paused it, so her
therapist's brief shows the flag before the next session.

Twenty-four other patients of the demo clinic have a programme from their treating therapist
with months of logs, half of them keeping it up (70 % or more of their sessions) and half not;
outcomes' demo then gives them a pain diary over their course, so the clinic's adherent and
non-adherent groups both reach the 10-patient threshold with a responder figure.

Written in bulk with the exercises app's own tables; once (a programme of the demo patient's
means it has been seeded)."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import day_of, today_for, zone_name
from sciaticare.exercises import adherence, response
from sciaticare.exercises.adherence import EVERY_DAY, week_of
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
    ExercisePlan,
    LegPain,
    Origin,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.services.library import ensure_built_in
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus

WALKING, SLIDER, KNEES = "walking", "sciatic-nerve-slider", "knee-to-chest"
MONDAY_WEDNESDAY_FRIDAY = 0b0010101
#: Other patients of the demo clinic given a programme: every other one keeps it up.
CLINIC_PATIENTS = 24
#: Their programme began at least this long ago (six weeks of logs at least).
AT_LEAST = timedelta(days=42)
#: When, on the patient's clock, a day's logs are written (the evening after doing them).
LOGGED_AT = time(20)


class DiaryDay(NamedTuple):
    """One day of the demo patient's pain diary, as outcomes' demo wrote it."""

    leg_pain: int
    flare_up: bool


#: Reads the demo patient's diary (outcomes owns it; `seed_demo` passes the reader in).
DiaryReader = Callable[[User], Mapping[date, DiaryDay]]


@dataclass
class _Rows:
    """Everything to write, written in bulk at the end."""

    plans: list[ExercisePlan] = field(default_factory=list)
    versions: list[tuple[PlanVersion, datetime]] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    logs: list[ExerciseLog] = field(default_factory=list)
    logged_at: dict[int, datetime] = field(default_factory=dict)  # log's index → when, if not
    # the evening of its day
    pauses: list[tuple[PausedExercise, datetime]] = field(default_factory=list)
    written: dict[int, datetime] = field(default_factory=dict)  # plan's index → created_at


def seed(accounts: dict[str, User], *, diary: DiaryReader) -> None:
    patient = accounts["patient@example.com"]
    if ExercisePlan.objects.filter(patient=patient).exists():
        return
    library = _built_in()
    now = timezone.now()
    rows = _Rows()
    clinic_id = _maya(rows, patient, accounts["therapist@example.com"], library, diary, now)
    if clinic_id is not None:
        _clinic_patients(rows, clinic_id, exclude=patient.pk, library=library, now=now)
    _write(rows, now)


def _built_in() -> dict[str, Exercise]:
    return ensure_built_in()


def _evening(person: User, day: date, now: datetime) -> datetime:
    return min(datetime.combine(day, LOGGED_AT, tzinfo=ZoneInfo(zone_name(person))), now)


def _plan(
    rows: _Rows, *, patient: User, therapist_id: int, clinic_id: int, created: datetime
) -> ExercisePlan:
    plan = ExercisePlan(
        patient=patient, origin=Origin.THERAPIST, therapist_id=therapist_id, clinic_id=clinic_id
    )
    rows.plans.append(plan)
    rows.written[len(rows.plans) - 1] = created
    return plan


def _version(
    rows: _Rows,
    plan: ExercisePlan,
    number: int,
    session: Appointment,
    start: date,
    doses: Iterable[tuple[Exercise, int, dict[str, int]]],
) -> None:
    version = PlanVersion(
        plan=plan,
        number=number,
        start_date=start,
        review_date=start + timedelta(weeks=6 if number == 1 else 8),
        appointment=session,
        written_by_id=session.therapist.user_id,
    )
    rows.versions.append((version, session.end + timedelta(hours=1)))
    rows.items += [
        PlanItem(version=version, exercise=exercise, position=position, days=days, **dose)
        for position, (exercise, days, dose) in enumerate(doses)
    ]


# --- The demo patient ----------------------------------------------------------------------


def _maya(
    rows: _Rows,
    patient: User,
    therapist: User,
    library: dict[str, Exercise],
    diary: DiaryReader,
    now: datetime,
) -> int | None:
    """Her programme; returns the demo clinic's id (None when the calendar has no course)."""
    attended = (
        Appointment.objects.filter(
            patient=patient, therapist__user=therapist, status=AppointmentStatus.COMPLETED
        )
        .select_related("therapist", "location")
        .order_by("start")
    )
    sessions = list(attended.filter(note__signed_at__isnull=False))  # with a signed note
    if not sessions:
        return None
    first, raised = sessions[0], sessions[min(3, len(sessions) - 1)]
    today = today_for(patient, now)
    start, raised_on = day_of(patient, first.start), day_of(patient, raised.start)
    # The slider's "spread" the day after her last session: her therapist has not seen it yet.
    seen = max(a.start for a in attended)
    spread_on = min(day_of(patient, seen) + timedelta(days=1), today)
    plan = _plan(
        rows,
        patient=patient,
        therapist_id=first.therapist.user_id,
        clinic_id=first.location.clinic_id,
        created=first.end + timedelta(hours=1),
    )
    doses = [(10, 1, 2), (20, 2, 3)]  # walking minutes, slider sets, knee-to-chest sets
    for number, session, on in ((1, first, start), (2, raised, raised_on)):
        if number == 2 and raised_on <= start:
            break
        minutes, slider_sets, knee_sets = doses[number - 1]
        _version(
            rows,
            plan,
            number,
            session,
            on,
            [
                (library[WALKING], EVERY_DAY, {"minutes": minutes}),
                (library[SLIDER], EVERY_DAY, {"repetitions": 10, "sets": slider_sets}),
                (library[KNEES], EVERY_DAY, {"repetitions": 10, "sets": knee_sets}),
            ],
        )
    entries = diary(patient)
    flare = _flare_days(entries)
    days = [start + timedelta(days=n) for n in range((today - start).days)]
    rng = random.Random(17)
    for slug, day in sorted(_believable(days, entries, spread_on=spread_on)):
        rows.logs.append(
            ExerciseLog(
                plan=plan,
                exercise=library[slug],
                date=day,
                done=True,
                leg_pain=_mark(rng, flare=day in flare),
            )
        )
    rows.logs.append(
        ExerciseLog(
            plan=plan,
            exercise=library[SLIDER],
            date=spread_on,
            done=True,
            leg_pain=LegPain.WORSE,
            spread_down_leg=True,
        )
    )
    # Marked after the session began (else her therapist has seen it), paused a little later;
    # both before now, also when her session was today.
    marked = min(_evening(patient, spread_on, now), now - timedelta(minutes=10))
    if marked <= seen:
        marked = seen + (now - seen) / 2
    rows.logged_at[len(rows.logs) - 1] = marked
    paused_at = min(marked + timedelta(minutes=5), now)
    rows.pauses.append((PausedExercise(plan=plan, exercise=library[SLIDER]), paused_at))
    return first.location.clinic_id


def _flare_days(diary: Mapping[date, DiaryDay]) -> set[date]:
    """From the first to the last day tagged "flare-up" (a day without an entry between them
    is in it too)."""
    tagged = [day for day, entry in diary.items() if entry.flare_up]
    if not tagged:
        return set()
    first, last = min(tagged), max(tagged)
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _flare_weeks(diary: Mapping[date, DiaryDay]) -> set[date]:
    """The weeks (their Mondays) with most of their days in a flare-up."""
    weeks: dict[date, int] = {}
    for day in _flare_days(diary):
        weeks[week_of(day)] = weeks.get(week_of(day), 0) + 1
    return {week for week, count in weeks.items() if count >= 4}


def _mark(rng: random.Random, *, flare: bool) -> str:
    """How the leg felt after an exercise: often not said, "worse" only in a flare-up."""
    roll = rng.random()
    if roll < 0.35:
        return ""
    if flare:
        return LegPain.WORSE if roll < 0.7 else LegPain.SAME
    return LegPain.BETTER if roll < 0.6 else LegPain.SAME


def _against_usual(diary: Mapping[date, DiaryDay], day: date) -> float:
    """Her leg pain that day less the median of the week around it (0 without an entry)."""
    near = [
        entry.leg_pain
        for offset in range(-3, 4)
        if (entry := diary.get(day + timedelta(days=offset))) is not None
    ]
    entry = diary.get(day)
    return 0.0 if entry is None else entry.leg_pain - statistics.median(near)


#: Her keenness week by week from her programme's first week (the share of the week's
#: exercises done); a week mostly in the flare-up is set apart: she hardly walks, and keeps up
#: some of the stretches.
KEENNESS = (0.85, 0.75, 0.65, 0.8, 0.7, 0.6, 0.75, 0.8, 0.7, 0.65, 0.75, 0.8, 0.7)
FLARE_WEEK = {WALKING: 0.15, SLIDER: 0.6, KNEES: 0.6}
DRAWS = 200


def _believable(
    days: list[date], diary: Mapping[date, DiaryDay], *, spread_on: date
) -> set[tuple[str, date]]:
    """(exercise slug, day) done: each week its share (``KEENNESS``); walking on the days of
    the week her leg hurt less than around them, with chance mixed in; the stretches on any
    days; the slider until the spread (logged apart). The days are drawn again until the
    figures tell the module's story (walking a point lower, ``_walking_difference``), so the
    demo tells it whatever day it is seeded."""
    flare_weeks = _flare_weeks(diary)
    weeks: dict[date, list[date]] = {}
    for day in days:
        weeks.setdefault(week_of(day), []).append(day)
    fallback: set[tuple[str, date]] | None = None
    done: set[tuple[str, date]] = set()
    for draw in range(DRAWS):
        rng = random.Random(draw)
        done = set()
        for index, (week, in_week) in enumerate(sorted(weeks.items())):
            for slug in (WALKING, SLIDER, KNEES):
                open_days = [d for d in in_week if slug != SLIDER or d < spread_on]
                keen = FLARE_WEEK[slug] if week in flare_weeks else KEENNESS[index % len(KEENNESS)]
                score = {
                    d: _against_usual(diary, d) + rng.gauss(0, 1)
                    if slug == WALKING
                    else rng.random()
                    for d in open_days
                }
                chosen = sorted(open_days, key=score.__getitem__)[: round(keen * len(open_days))]
                done.update((slug, d) for d in chosen)
        walked = _walking_difference(days, diary, done, spread_on=spread_on)
        if walked == -1:
            return done
        if walked is not None and fallback is None:
            fallback = done
    return fallback or done


def _walking_difference(
    days: list[date],
    diary: Mapping[date, DiaryDay],
    done: set[tuple[str, date]],
    *,
    spread_on: date,
) -> float | None:
    """Her leg pain on walking days against days without, when the story holds: that between
    -1.5 and -0.5; the stretches' within -0.5 and 1 (no better than walking); a week's adherence
    between 55 % and 90 %, 60–85 % overall, and the flare-up's week ten points below any other.
    None when it does not."""
    pain = {d: e.leg_pain for d, e in diary.items()}
    slider_days = [d for d in days if d <= spread_on]
    with_spread = done | {(SLIDER, spread_on)}
    walked = response.pain_on_days(
        planned=days, done=[d for s, d in done if s == WALKING], pain=pain
    ).difference
    stretches = [
        response.pain_on_days(
            planned=slider_days if slug == SLIDER else days,
            done=[d for s, d in with_spread if s == slug],
            pain=pain,
        ).difference
        for slug in (SLIDER, KNEES)
    ]
    planned = {(s, d) for s in (WALKING, KNEES) for d in days} | {(SLIDER, d) for d in slider_days}
    weeks = adherence.weekly(planned=planned, done=with_spread)
    share = adherence.overall(weeks)
    flare_weeks = _flare_weeks(diary)
    usual = [w.ratio for w in weeks if w.start not in flare_weeks and w.planned >= 6]
    holds = (
        walked is not None
        and -1.5 <= walked <= -0.5
        and all(d is None or -0.5 <= d <= 1 for d in stretches)
        and share is not None
        and 0.6 <= share <= 0.85
        and bool(usual)
        and min(usual) >= 0.55
        and max(usual) <= 0.9
        and all(w.ratio < min(usual) - 0.1 for w in weeks if w.start in flare_weeks)
    )
    return walked if holds else None


# --- Other patients of the demo clinic -----------------------------------------------------


def _clinic_patients(
    rows: _Rows, clinic_id: int, *, exclude: int, library: dict[str, Exercise], now: datetime
) -> None:
    """Programmes from each patient's first signed session at the clinic, the longest-running
    first; adherent and non-adherent in turn."""
    firsts = (
        SessionNote.objects.filter(
            appointment__location__clinic_id=clinic_id,
            appointment__status=AppointmentStatus.COMPLETED,
            signed_at__isnull=False,
        )
        .exclude(patient_id=exclude)
        .values("patient_id")
        .annotate(first=Min("appointment__start"))
        .filter(first__lte=now - AT_LEAST)
        .order_by("first", "patient_id")[:CLINIC_PATIENTS]
    )
    starts = {row["patient_id"]: row["first"] for row in firsts}
    sessions = (
        Appointment.objects.filter(
            location__clinic_id=clinic_id,
            start__in=list(starts.values()),
            patient_id__in=list(starts),
        )
        .select_related("patient", "therapist")
        .order_by("start", "patient_id")
    )
    rng = random.Random(23)
    extras = [library[KNEES], library["pelvic-tilt"], library["cat-camel"]]
    for index, session in enumerate(s for s in sessions if starts[s.patient_id] == s.start):
        person = session.patient
        start, today = day_of(person, session.start), today_for(person, now)
        plan = _plan(
            rows,
            patient=person,
            therapist_id=session.therapist.user_id,
            clinic_id=clinic_id,
            created=session.end + timedelta(hours=1),
        )
        extra = extras[index % len(extras)]
        extra_days = EVERY_DAY if index % 3 else MONDAY_WEDNESDAY_FRIDAY
        _version(
            rows,
            plan,
            1,
            session,
            start,
            [
                (library[WALKING], EVERY_DAY, {"minutes": rng.choice([10, 15, 20])}),
                (extra, extra_days, {"repetitions": 10, "sets": 2}),
            ],
        )
        keen = rng.uniform(0.75, 0.95) if index % 2 == 0 else rng.uniform(0.2, 0.55)
        for n in range((today - start).days):
            day = start + timedelta(days=n)
            for exercise, days in ((library[WALKING], EVERY_DAY), (extra, extra_days)):
                if adherence.on_days(days, day) and rng.random() < keen:
                    pain = _mark(rng, flare=False)
                    rows.logs.append(
                        ExerciseLog(
                            plan=plan, exercise=exercise, date=day, done=True, leg_pain=pain
                        )
                    )


# --- Writing -------------------------------------------------------------------------------


def _write(rows: _Rows, now: datetime) -> None:
    """In bulk; then the times the rows were written, which `auto_now` set to now: a mark is
    new to the therapist only when written after their last session (selectors.plans)."""
    ExercisePlan.objects.bulk_create(rows.plans)
    for index, created in rows.written.items():
        ExercisePlan.objects.filter(pk=rows.plans[index].pk).update(created_at=created)
    for version, _ in rows.versions:
        version.plan_id = version.plan.pk
    PlanVersion.objects.bulk_create([version for version, _ in rows.versions])
    for version, created in rows.versions:
        PlanVersion.objects.filter(pk=version.pk).update(created_at=min(created, now))
    for item in rows.items:
        item.version_id = item.version.pk
    PlanItem.objects.bulk_create(rows.items)
    for log in rows.logs:
        log.plan_id = log.plan.pk
    ExerciseLog.objects.bulk_create(rows.logs, batch_size=2000)
    people = {plan.pk: plan.patient for plan in rows.plans}
    by_time: dict[datetime, list[int]] = {}
    for index, log in enumerate(rows.logs):
        at = rows.logged_at.get(index) or _evening(people[log.plan_id], log.date, now)
        by_time.setdefault(at, []).append(log.pk)
    for at, ids in by_time.items():
        ExerciseLog.objects.filter(pk__in=ids).update(created_at=at, updated_at=at)
    for pause, _ in rows.pauses:
        pause.plan_id = pause.plan.pk
    PausedExercise.objects.bulk_create([pause for pause, _ in rows.pauses])
    for pause, paused_at in rows.pauses:
        PausedExercise.objects.filter(pk=pause.pk).update(paused_at=paused_at)
