"""The patient's own pages of their home exercises: each current programme with its exercises
as the patient reads them (the library's words in their language, the dose in words, today's
tick, paused, flagged), this week's adherence, the versions before; and the dashboard's rows
(one query, ``selectors.day``).

Only the patient reads these (the therapist's pages have their own reads); a caller passes the
signed-in patient, so nothing here is another person's read to audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import get_day_names
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import day_of, today_for, zone_name
from sciaticare.core.display import locale
from sciaticare.core.translation import language
from sciaticare.exercises import adherence
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
    ExercisePlan,
    LegPain,
    Origin,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.response import Flag
from sciaticare.exercises.selectors.day import today
from sciaticare.exercises.selectors.library import ExerciseWords, exercise_words
from sciaticare.exercises.selectors.planned import weekly_adherence
from sciaticare.exercises.selectors.plans import built_in, plan_view, plans_of
from sciaticare.exercises.wording import amount_text, times_a_day

# --- A dose in words -------------------------------------------------------------------------


def weekday_names(mask: int) -> str:
    """The planned days: "every day", or "Mon, Wed, Fri" ("lunes, miércoles, viernes": a
    Spanish weekday is written whole, as core.display writes days)."""
    if mask == adherence.EVERY_DAY:
        return gettext("every day")
    names = get_day_names("wide" if language() == "es" else "abbreviated", locale=locale())
    return ", ".join(str(names[n]) for n in range(7) if mask >> n & 1)


def dose_words(item: PlanItem) -> str:
    """ "10 repetitions, 2 sets, once a day; Mon, Wed, Fri" or "15 minutes, once a day; every
    day"."""
    return gettext("%(amount)s, %(times)s; %(days)s") % {
        "amount": amount_text(item),
        "times": times_a_day(item.times_per_day),
        "days": weekday_names(item.days),
    }


# --- One exercise as the patient sees it -----------------------------------------------------


@dataclass(frozen=True)
class Row:
    plan_id: int
    item: PlanItem
    words: ExerciseWords
    dose: str
    #: Today's tick: True done, False said not done, None nothing said yet.
    done: bool | None
    leg_pain: str
    spread_down_leg: bool
    planned_today: bool
    paused: bool
    flags: tuple[Flag, ...]
    #: Written by a therapist (else entered by the patient from their physio's or doctor's).
    from_therapist: bool

    @property
    def exercise_id(self) -> int:
        return self.item.exercise_id

    @property
    def anchor(self) -> str:
        return f"exercise-{self.plan_id}-{self.item.exercise_id}"

    @property
    def leg_pain_choices(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in LegPain.choices]

    @property
    def spread(self) -> bool:
        return Flag.SPREAD in self.flags

    @property
    def worse(self) -> bool:
        return Flag.WORSE in self.flags


def today_rows(*, patient: User, day: date) -> list[Row]:
    """The dashboard's card: the exercises planned on ``day`` in the patient's active
    programmes, newest programme first. One query (``selectors.day.today``)."""
    return [
        Row(
            plan_id=t.plan_id,
            item=t.item,
            words=exercise_words(t.exercise),
            dose=dose_words(t.item),
            done=t.done,
            leg_pain=t.leg_pain,
            spread_down_leg=t.spread_down_leg,
            planned_today=True,
            paused=t.paused,
            flags=t.flags,
            from_therapist=t.from_therapist,
        )
        for t in today(patient=patient, day=day)
    ]


def today_row(*, patient: User, day: date, plan_id: int, exercise_id: int) -> Row | None:
    """One exercise's row of ``day`` (after a tick, a pause): the programme page's when it is
    not planned that day."""
    for row in today_rows(patient=patient, day=day):
        if (row.plan_id, row.exercise_id) == (plan_id, exercise_id):
            return row
    for programme in programmes_of(patient=patient).current:
        if programme.plan.pk == plan_id:
            return next((r for r in programme.rows if r.exercise_id == exercise_id), None)
    return None


# --- The programme page ----------------------------------------------------------------------


@dataclass(frozen=True)
class VersionShown:
    version: PlanVersion
    #: (the exercise's words, the dose in words, the item) in the version's order.
    items: list[tuple[ExerciseWords, str, PlanItem]]


@dataclass(frozen=True)
class Programme:
    plan: ExercisePlan
    #: In force today (before the start: the first to come).
    version: PlanVersion
    rows: list[Row]
    #: A newer version starting later, if one was written.
    upcoming: PlanVersion | None
    #: The versions before the one shown, newest first (read only).
    earlier: list[VersionShown]
    #: This week's adherence (Monday to today), None when nothing was planned yet.
    week: adherence.Week | None
    started: bool

    @property
    def entered(self) -> bool:
        """Entered by the patient (from their physio's or doctor's), so theirs to change."""
        return self.plan.origin == "patient"


@dataclass(frozen=True)
class Ended:
    plan: ExercisePlan
    started: date
    #: The patient's day it was ended on.
    ended: date


@dataclass(frozen=True)
class Programmes:
    current: list[Programme]
    ended: list[Ended]
    today: date


def _ticks(patient: User, day: date) -> dict[tuple[int, int], ExerciseLog]:
    return {
        (log.plan_id, log.exercise_id): log
        for log in ExerciseLog.objects.filter(plan__patient=patient, date=day)
    }


def _shown(version: PlanVersion) -> VersionShown:
    items = list(version.items.all())
    return VersionShown(version, [(exercise_words(i.exercise), dose_words(i), i) for i in items])


def _programme(
    patient: User, plan: ExercisePlan, ticks: dict[tuple[int, int], ExerciseLog]
) -> Programme:
    view = plan_view(viewer=patient, plan_id=plan.pk)
    rows = []
    for item in view.items:
        tick = ticks.get((plan.pk, item.exercise_id))
        rows.append(
            Row(
                plan_id=plan.pk,
                item=item,
                words=exercise_words(item.exercise),
                dose=dose_words(item),
                done=tick.done if tick else None,
                leg_pain=tick.leg_pain if tick else "",
                spread_down_leg=bool(tick and tick.spread_down_leg),
                planned_today=adherence.on_days(item.days, view.today),
                paused=item.exercise_id in view.paused,
                flags=tuple(view.flags.get(item.exercise_id, ())),
                from_therapist=plan.origin == Origin.THERAPIST,
            )
        )
    return Programme(
        plan=plan,
        version=view.version,
        rows=rows,
        upcoming=view.upcoming,
        earlier=[_shown(v) for v in reversed(view.versions) if v.number < view.version.number],
        week=this_week(patient=patient, plan_id=plan.pk, day=view.today),
        started=view.version.start_date <= view.today,
    )


def this_week(*, patient: User, plan_id: int, day: date) -> adherence.Week | None:
    """One programme's adherence in the week of ``day`` (Monday to ``day``), None when nothing
    was planned yet: the programme page's figure, sent again after a tick, a pause or a
    resume."""
    start = adherence.week_of(day)
    weeks = [w for w in weekly_adherence(viewer=patient, plan_id=plan_id) if w.start == start]
    return weeks[0] if weeks else None


def programmes_of(*, patient: User) -> Programmes:
    """The patient's programmes: the current ones in full, newest first; the ended ones."""
    plans = plans_of(viewer=patient, patient=patient)
    day = today_for(patient)
    ticks = _ticks(patient, day)
    current = [
        _programme(patient, p, ticks) for p in plans if p.ended_at is None and p.versions.all()
    ]
    ended = [
        Ended(p, min(v.start_date for v in p.versions.all()), day_of(patient, p.ended_at))
        for p in plans
        if p.ended_at is not None and p.versions.all()
    ]
    return Programmes(current=current, ended=ended, today=day)


@dataclass(frozen=True)
class TickClock:
    """What ticks.js needs to date an exercise ticked offline (docs/offline.md): the server's
    time when the page was made and the patient's zone; ``locale`` is how it writes days."""

    now: datetime
    zone: str
    locale: str


#: How ticks.js writes days (Intl), by the page's language, as the offline diary does.
SCRIPT_LOCALES = {"en": "en-GB", "es": "es-ES"}


def tick_clock(patient: User) -> TickClock:
    return TickClock(timezone.now(), zone_name(patient), SCRIPT_LOCALES.get(language(), "en-GB"))


@dataclass(frozen=True)
class Choosable:
    """The exercises a patient may put in a programme they enter (services.plans), as
    (id, name): the built-in library's by their name in the reader's language; apart, the
    ones they wrote down before, as they typed them."""

    library: list[tuple[int, str]]
    own: list[tuple[int, str]]


def choosable(*, patient: User) -> Choosable:
    library = sorted(
        ((e.pk, exercise_words(e).name) for e in Exercise.objects.filter(built_in())),
        key=lambda pair: pair[1].casefold(),
    )
    own = Exercise.objects.filter(patient=patient).order_by("name", "pk")
    return Choosable(library, [(e.pk, e.name) for e in own])
