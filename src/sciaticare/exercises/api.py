"""Home exercise programmes under /api/v1/exercise-plans, with the same rules as the pages.

A patient reads their own programmes, enters one their physio or doctor gave them, and ticks
each exercise; a therapist who treats the patient reads theirs and writes one for them. Anyone
else gets 404, the same as for a programme that does not exist. Days of the week are numbers,
0 = Monday … 6 = Sunday (Python's ``date.weekday()``, as the weekly hours use).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt, field_validator

from sciaticare.accounts.models import User
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import MAX_PAGE, ApiId, BodyDate, BodyId
from sciaticare.core.errors import Invalid, NotFound, Refused
from sciaticare.core.schemas import Body, OffsetDatetime, Problem
from sciaticare.exercises.adherence import EVERY_DAY, overall
from sciaticare.exercises.models import (
    MAX_ITEMS,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ExercisePlan,
    Origin,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors import planned
from sciaticare.exercises.selectors import plans as selectors
from sciaticare.exercises.selectors.library import exercise_words
from sciaticare.exercises.services import logs, plans

router = Router(tags=["exercises"])

MAX_PAGE_SIZE = 100
Weekday = Annotated[StrictInt, Field(ge=0, le=6)]
# Numbers in a programme are JSON numbers: "5", 5.0 or true are refused, not read as 5 or 1.
Count = StrictInt
EVERY_WEEKDAY = list(range(7))


def weekdays(mask: int) -> list[int]:
    return [n for n in range(7) if mask >> n & 1]


def mask_of(days: list[int]) -> int:
    return sum(1 << n for n in set(days)) & EVERY_DAY


# --- Bodies out ------------------------------------------------------------------------------


class ItemOut(Body):
    exercise: int
    exercise_name: str
    timed: bool = Field(description="Counted in minutes (walking) rather than repetitions.")
    own: bool = Field(description="An exercise the patient wrote down themselves.")
    repetitions: int
    sets: int
    minutes: int
    times_per_day: int
    days: list[int] = Field(description="Weekdays, 0 = Monday … 6 = Sunday.")
    instructions: str


class VersionOut(Body):
    number: int
    start_date: dt.date
    review_date: dt.date | None
    note: str
    appointment: int | None = Field(description="The session it was written from, if any.")
    written_by: str | None
    created_at: OffsetDatetime
    items: list[ItemOut]


class PlanSummaryOut(Body):
    id: int
    patient: int
    origin: Literal["therapist", "patient"] = Field(
        description="therapist: written by a therapist who treats the patient; patient: a "
        "programme the patient entered (from their physio or doctor: `prescriber`)."
    )
    therapist_name: str | None
    prescriber: str
    created_at: OffsetDatetime
    ended_at: OffsetDatetime | None
    versions: int = Field(description="How many versions it has had.")


class PlanPageOut(Body):
    items: list[PlanSummaryOut]
    count: int
    page: int
    page_size: int


FlagName = Literal["spread", "worse"]


class FlagOut(Body):
    exercise: int
    flags: list[FlagName] = Field(
        description="spread: pain spread down the leg after it; worse: leg pain worse after it "
        "three times running. The patient is offered to pause it; the therapist is told."
    )


class PlanOut(PlanSummaryOut):
    version: VersionOut = Field(
        description="The version in force on the patient's today (before the programme "
        "starts, the first to come)."
    )
    upcoming: VersionOut | None = Field(description="A newer version that starts later.")
    paused: list[int] = Field(description="Exercises the patient paused.")
    flags: list[FlagOut]


class WrittenOut(Body):
    plan: int
    version: VersionOut


class LogOut(Body):
    plan: int
    exercise: int
    date: dt.date
    done: StrictBool
    leg_pain: Literal["better", "same", "worse"] | None
    spread_down_leg: bool
    flags: list[FlagName] = Field(description="The exercise's flags now (see FlagOut).")
    suggest_pause: bool = Field(description="True when flagged: offer to pause the exercise.")


class WeekOut(Body):
    week_start: dt.date = Field(description="The Monday that starts the week.")
    planned: int
    done: int
    adherence: float = Field(description="done ÷ planned, 0–1.")


class AdherenceOut(Body):
    plan: int
    weeks: list[WeekOut]
    overall: float | None = Field(description="Over all the weeks; null with nothing planned.")


def _item(item: PlanItem) -> ItemOut:
    return ItemOut(
        exercise=item.exercise_id,
        # A built-in exercise by the library's name in the asker's language.
        exercise_name=exercise_words(item.exercise).name,
        timed=item.exercise.timed,
        own=item.exercise.patient_id is not None,
        repetitions=item.repetitions,
        sets=item.sets,
        minutes=item.minutes,
        times_per_day=item.times_per_day,
        days=weekdays(item.days),
        instructions=item.instructions,
    )


def _version(version: PlanVersion, items: list[PlanItem]) -> VersionOut:
    return VersionOut(
        number=version.number,
        start_date=version.start_date,
        review_date=version.review_date,
        note=version.note,
        appointment=version.appointment_id,
        written_by=version.written_by.display_name if version.written_by else None,
        created_at=version.created_at,
        items=[_item(i) for i in items],
    )


def _summary(plan: ExercisePlan, versions: int) -> PlanSummaryOut:
    return PlanSummaryOut(
        id=plan.pk,
        patient=plan.patient_id,
        origin=Origin(plan.origin).value,  # type: ignore[arg-type]
        therapist_name=plan.therapist.display_name if plan.therapist else None,
        prescriber=plan.prescriber,
        created_at=plan.created_at,
        ended_at=plan.ended_at,
        versions=versions,
    )


# --- Bodies in -------------------------------------------------------------------------------


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    exercise: BodyId | None = Field(
        None,
        description="A library or clinic exercise. In a programme a patient enters, null with "
        "`own_name` for one of their own.",
    )
    own_name: str = Field("", max_length=NAME_MAX_LENGTH)
    own_how_to: str = Field("", max_length=TEXT_MAX_LENGTH)
    repetitions: Count = Field(0, ge=0, le=plans.MAX_REPETITIONS, description="Per set.")
    sets: Count = Field(1, ge=1, le=plans.MAX_SETS)
    minutes: Count = Field(0, ge=0, le=plans.MAX_MINUTES, description="For a timed exercise.")
    times_per_day: Count = Field(1, ge=1, le=plans.MAX_TIMES_PER_DAY)
    days: list[Weekday] = Field(
        default_factory=lambda: list(EVERY_WEEKDAY),
        min_length=1,
        max_length=7,
        description="Weekdays, 0 = Monday … 6 = Sunday; every day by default.",
    )
    instructions: str = Field("", max_length=plans.INSTRUCTIONS_MAX_LENGTH)

    @field_validator("days")
    @classmethod
    def each_day_once(cls, days: list[int]) -> list[int]:
        if len(set(days)) < len(days):
            raise ValueError("each weekday once")
        return days

    def as_input(self) -> plans.ItemInput:
        return plans.ItemInput(
            exercise_id=self.exercise,
            repetitions=self.repetitions,
            sets=self.sets,
            minutes=self.minutes,
            times_per_day=self.times_per_day,
            days=mask_of(self.days),
            instructions=self.instructions,
            own_name=self.own_name,
            own_how_to=self.own_how_to,
        )


class VersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start_date: BodyDate
    review_date: BodyDate | None = None
    note: str = Field("", max_length=TEXT_MAX_LENGTH, description="A therapist's note.")
    appointment: BodyId | None = Field(
        None, description="A therapist's: the session the programme is written from."
    )
    prescriber: str = Field(
        "",
        max_length=NAME_MAX_LENGTH,
        description='A patient\'s own programme: who gave it ("my physiotherapist").',
    )
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS)


class PlanIn(VersionIn):
    patient: BodyId | None = Field(
        None,
        description="A therapist: the patient the programme is for. Omitted (or the caller's "
        "own id): the caller's own programme, entered as a patient.",
    )


class LogIn(Schema):
    model_config = ConfigDict(extra="forbid")

    exercise: BodyId
    date: BodyDate = Field(description="The patient's own day; not in the future.")
    done: StrictBool
    leg_pain: Literal["better", "same", "worse"] | None = Field(
        None, description="After doing it (only when `done`)."
    )
    spread_down_leg: StrictBool = Field(
        False, description="Pain spread down the leg (only when `done`)."
    )


class PlansQuery(Schema):
    patient: ApiId | None = Field(
        None, description="A therapist: a patient they treat. Omitted: the caller's own."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


# --- Operations ------------------------------------------------------------------------------


def _person(patient_id: int) -> User:
    person = User.objects.filter(pk=patient_id, is_active=True).first()
    if person is None:
        raise NotFound("patient")
    return person


@router.get(
    "/exercise-plans",
    response={200: PlanPageOut, 404: Problem},
    summary="Home exercise programmes",
    description="Newest first, paginated: the caller's own, or with `patient` those of a "
    "patient the caller treats (404 otherwise).",
)
def list_plans(request: AuthedRequest, query: Query[PlansQuery]) -> PlanPageOut:
    patient = request.user if query.patient is None else _person(query.patient)
    listed = selectors.plans_of(viewer=request.user, patient=patient)
    first = (query.page - 1) * query.page_size
    return PlanPageOut(
        items=[_summary(p, len(p.versions.all())) for p in listed[first : first + query.page_size]],
        count=len(listed),
        page=query.page,
        page_size=query.page_size,
    )


def _write(
    request: AuthedRequest, payload: VersionIn, patient: User, plan_id: int | None
) -> PlanVersion:
    items = [item.as_input() for item in payload.items]
    if patient.pk == request.user.pk:
        if payload.appointment is not None or payload.note:
            raise Invalid(
                "invalid_plan",
                gettext("The programme was not saved."),
                [("appointment", gettext("only a therapist writes from a session"))],
            )
        return plans.enter_own_plan(
            patient=request.user,
            prescriber=payload.prescriber,
            items=items,
            start_date=payload.start_date,
            review_date=payload.review_date,
            plan_id=plan_id,
        )
    if payload.prescriber:
        raise Invalid(
            "invalid_plan",
            gettext("The programme was not saved."),
            [("prescriber", gettext("only for a programme patients enter themselves"))],
        )
    return plans.write_plan(
        therapist=request.user,
        patient=patient,
        items=items,
        start_date=payload.start_date,
        review_date=payload.review_date,
        note=payload.note,
        appointment_id=payload.appointment,
        plan_id=plan_id,
    )


def _written(version: PlanVersion) -> WrittenOut:
    items = list(version.items.select_related("exercise").order_by("position", "pk"))
    return WrittenOut(plan=version.plan_id, version=_version(version, items))


@router.post(
    "/exercise-plans",
    response={201: WrittenOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Write a programme",
    description="A therapist writes one for a patient they treat (`patient`; every exercise "
    "one their clinic lets them recommend, else 403 `exercise_not_allowed`); a patient enters "
    "their own (no `patient`; exercises from the library or their own by `own_name`).",
)
def create_plan(request: AuthedRequest, payload: PlanIn) -> Status[WrittenOut]:
    patient = request.user if payload.patient is None else _person(payload.patient)
    return Status(201, _written(_write(request, payload, patient, None)))


@router.get(
    "/exercise-plans/{plan_id}",
    response={200: PlanOut, 404: Problem},
    summary="One programme, with the version in force",
)
def get_plan(request: AuthedRequest, plan_id: ApiId) -> PlanOut:
    view = selectors.plan_view(viewer=request.user, plan_id=plan_id)
    upcoming = view.upcoming
    return PlanOut(
        **_summary(view.plan, len(view.versions)).model_dump(),
        version=_version(view.version, view.items),
        upcoming=(_version(upcoming, list(upcoming.items.all())) if upcoming is not None else None),
        paused=sorted(view.paused),
        flags=[
            FlagOut(exercise=exercise, flags=[f.value for f in found])
            for exercise, found in sorted(view.flags.items())
        ],
    )


@router.post(
    "/exercise-plans/{plan_id}/versions",
    response={201: WrittenOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Change a programme (a new version)",
    description="The same body as writing one, without `patient`. A therapist's programme is "
    "changed by a therapist who treats the patient, one the patient entered by the patient "
    "(else 403); 409 once it has ended.",
)
def add_version(request: AuthedRequest, plan_id: ApiId, payload: VersionIn) -> Status[WrittenOut]:
    plan = selectors.readable_plan(viewer=request.user, plan_id=plan_id)
    own = plan.origin == Origin.PATIENT
    if own != (plan.patient_id == request.user.pk):
        raise Refused(
            "not_yours_to_change",
            gettext("The patient changes a programme they entered; a therapist changes theirs."),
        )
    return Status(201, _written(_write(request, payload, plan.patient, plan.pk)))


@router.post(
    "/exercise-plans/{plan_id}/log",
    response={200: LogOut, 201: LogOut, 404: Problem, 422: Problem},
    url_name="exercise_log",
    summary="Tick an exercise done or not on a day",
    description="The patient's own programme only. One tick per exercise and day: sending the "
    "same day again (a second tap, an offline queue sent twice) updates it (200) instead of "
    "adding one (201). Answers with the exercise's flags, so a page can offer to pause it.",
)
def log(request: AuthedRequest, plan_id: ApiId, payload: LogIn) -> Status[LogOut]:
    entry, created = logs.record_exercise(
        patient=request.user,
        plan_id=plan_id,
        exercise_id=payload.exercise,
        day=payload.date,
        done=payload.done,
        leg_pain=payload.leg_pain or "",
        spread_down_leg=payload.spread_down_leg,
    )
    found = selectors.flags_for(patient=request.user).get((plan_id, payload.exercise), [])
    body = LogOut(
        plan=plan_id,
        exercise=entry.exercise_id,
        date=entry.date,
        done=entry.done,
        leg_pain=entry.leg_pain or None,  # type: ignore[arg-type]
        spread_down_leg=entry.spread_down_leg,
        flags=[f.value for f in found],
        suggest_pause=bool(found),
    )
    return Status(201 if created else 200, body)


@router.get(
    "/exercise-plans/{plan_id}/adherence",
    response={200: AdherenceOut, 404: Problem},
    summary="Adherence per week: sessions done ÷ planned",
)
def adherence(request: AuthedRequest, plan_id: ApiId) -> AdherenceOut:
    weeks = planned.weekly_adherence(viewer=request.user, plan_id=plan_id)
    return AdherenceOut(
        plan=plan_id,
        weeks=[
            WeekOut(week_start=w.start, planned=w.planned, done=w.done, adherence=w.ratio)
            for w in weeks
        ],
        overall=overall(weeks),
    )
