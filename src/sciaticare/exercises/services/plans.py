"""Writing home exercise programmes: a therapist's for a patient they treat, the patient's own
(entered from what their physio or doctor gave them), a new version of either, and ending one.

A version is never changed once written: a change is a new version, numbered one past the last
under a lock on the plan. Every write is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.core.bounds import day_out_of_range
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.core.names import (
    has_control_characters,
    has_format_characters,
    has_hidden_characters,
    hidden_characters_refusal,
)
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import (
    MAX_ITEMS,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Exercise,
    ExercisePlan,
    Origin,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors.care import care_appointment, care_clinic_id
from sciaticare.exercises.selectors.library import exercise_words
from sciaticare.exercises.selectors.plans import (
    allowed_exercise_ids,
    built_in,
    kept_exercise_ids,
)
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.selectors.care import treats

#: Dose bounds, as the database's checks hold them (models.PlanItem).
MAX_REPETITIONS, MAX_SETS, MAX_MINUTES, MAX_TIMES_PER_DAY = 100, 10, 180, 6
INSTRUCTIONS_MAX_LENGTH = 500


@dataclass(frozen=True)
class ItemInput:
    """One exercise of a version: a library or clinic exercise by id, or (in a programme the
    patient enters) one of their own by ``own_name`` and ``own_how_to`` with no id."""

    exercise_id: int | None
    repetitions: int = 0
    sets: int = 1
    minutes: int = 0
    times_per_day: int = 1
    #: Weekday mask: bit 0 Monday … bit 6 Sunday.
    days: int = EVERY_DAY
    instructions: str = ""
    own_name: str = ""
    own_how_to: str = ""


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _item_problems(index: int, item: ItemInput, *, own_allowed: bool) -> list[tuple[str, str]]:
    where = f"items.{index}"
    errors = []
    bounds = (
        ("repetitions", item.repetitions, 0, MAX_REPETITIONS),
        ("sets", item.sets, 1, MAX_SETS),
        ("minutes", item.minutes, 0, MAX_MINUTES),
        ("times_per_day", item.times_per_day, 1, MAX_TIMES_PER_DAY),
    )
    for name, value, low, high in bounds:
        if not _whole(value, low, high):
            errors.append(
                (
                    f"{where}.{name}",
                    gettext("must be a whole number from %(low)s to %(high)s")
                    % {"low": low, "high": high},
                )
            )
    if item.repetitions == 0 and item.minutes == 0:
        errors.append((where, gettext("give repetitions or minutes")))
    if not _whole(item.days, 1, EVERY_DAY):
        errors.append((f"{where}.days", gettext("choose at least one day of the week")))
    if len(item.instructions) > INSTRUCTIONS_MAX_LENGTH:
        errors.append(
            (
                f"{where}.instructions",
                gettext("at most %(count)s characters") % {"count": INSTRUCTIONS_MAX_LENGTH},
            )
        )
    elif has_hidden_characters(item.instructions):
        errors.append((f"{where}.instructions", hidden_characters_refusal()))
    if item.exercise_id is None:
        errors += (
            _own_problems(where, item)
            if own_allowed
            else [(f"{where}.exercise", gettext("choose an exercise"))]
        )
    elif item.own_name or item.own_how_to:
        errors.append((where, gettext("give an exercise or your own, not both")))
    return errors


def _own_problems(where: str, item: ItemInput) -> list[tuple[str, str]]:
    name = item.own_name.strip()
    if not name:
        return [(f"{where}.own_name", gettext("name the exercise"))]
    if len(name) > NAME_MAX_LENGTH:
        return [
            (
                f"{where}.own_name",
                gettext("at most %(count)s characters") % {"count": NAME_MAX_LENGTH},
            )
        ]
    if has_control_characters(name) or has_format_characters(name):
        return [(f"{where}.own_name", gettext("use one line of visible characters"))]
    if len(item.own_how_to) > TEXT_MAX_LENGTH:
        return [
            (
                f"{where}.own_how_to",
                gettext("at most %(count)s characters") % {"count": TEXT_MAX_LENGTH},
            )
        ]
    if has_hidden_characters(item.own_how_to):
        return [(f"{where}.own_how_to", hidden_characters_refusal())]
    return []


def _dose_kind_problems(
    items: Sequence[ItemInput], exercises: dict[int, Exercise]
) -> list[tuple[str, str]]:
    """A library or clinic exercise is dosed as it is counted: minutes for a timed one (walking),
    repetitions for the others."""
    errors = []
    for index, item in enumerate(items):
        exercise = exercises.get(item.exercise_id or 0)
        if exercise is None:
            continue
        if exercise.timed and item.repetitions:
            errors.append((f"items.{index}.repetitions", gettext("give minutes for this one")))
        elif not exercise.timed and item.minutes:
            errors.append((f"items.{index}.minutes", gettext("give repetitions for this one")))
    return errors


def _problems(
    items: Sequence[ItemInput],
    start_date: date,
    review_date: date | None,
    *,
    own_allowed: bool,
) -> list[tuple[str, str]]:
    """What is wrong with a version's values, as (field, message) pairs."""
    errors: list[tuple[str, str]] = []
    if not 1 <= len(items) <= MAX_ITEMS:
        errors.append(
            (
                "items",
                ngettext(
                    "give from 1 to %(count)s exercise",
                    "give from 1 to %(count)s exercises",
                    MAX_ITEMS,
                )
                % {"count": MAX_ITEMS},
            )
        )
    for index, item in enumerate(items):
        errors += _item_problems(index, item, own_allowed=own_allowed)
    ids = [i.exercise_id for i in items if i.exercise_id is not None]
    names = [i.own_name.strip().casefold() for i in items if i.exercise_id is None]
    if len(set(ids)) < len(ids) or len(set(names)) < len(names):
        errors.append(("items", gettext("an exercise can be in a programme only once")))
    for name, day in (("start_date", start_date), ("review_date", review_date)):
        if day is not None and (out_of_range := day_out_of_range(day)):
            errors.append((name, out_of_range))
    if review_date is not None and review_date < start_date:
        errors.append(("review_date", gettext("must be on or after the start date")))
    return errors


def _refuse_if(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise Invalid("invalid_plan", gettext("The programme was not saved."), errors)


def _next_number(plan: ExercisePlan, start_date: date) -> int:
    """The number of a new version of ``plan`` (locked by the caller), which may not start
    before the version it follows."""
    if plan.ended_at is not None:
        raise Conflict("plan_ended", gettext("This programme has ended; start a new one."))
    last = plan.versions.order_by("-number").first()
    if last is None:
        return 1
    if start_date < last.start_date:
        raise Invalid(
            "invalid_plan",
            gettext("The programme was not saved."),
            [
                (
                    "start_date",
                    gettext("must be on or after %(day)s, when the version before starts")
                    % {"day": last.start_date.isoformat()},
                )
            ],
        )
    return last.number + 1


def _plan_for_version(
    patient: User, plan_id: int | None, origin: Origin, start_date: date, **new: object
) -> tuple[ExercisePlan, int]:
    """The plan the next version goes into and its number: a new plan (with ``new``'s fields)
    and 1, or the patient's plan of this origin, locked, and one past its last version. Inside
    the caller's transaction."""
    if plan_id is None:
        return ExercisePlan.objects.create(patient=patient, origin=origin, **new), 1
    plan = (
        ExercisePlan.objects.select_for_update()
        .filter(pk=plan_id, patient=patient, origin=origin)
        .first()
    )
    if plan is None:
        raise NotFound("exercise plan")
    return plan, _next_number(plan, start_date)


def _write_version(
    plan: ExercisePlan,
    *,
    number: int,
    author: User,
    items: Sequence[ItemInput],
    exercise_ids: Sequence[int],
    start_date: date,
    review_date: date | None,
    note: str = "",
    appointment: Appointment | None = None,
) -> PlanVersion:
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        start_date=start_date,
        review_date=review_date,
        appointment=appointment,
        note=note.strip(),
        written_by=author,
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            version=version,
            exercise_id=exercise_id,
            position=position,
            repetitions=item.repetitions,
            sets=item.sets,
            minutes=item.minutes,
            times_per_day=item.times_per_day,
            days=item.days,
            instructions=item.instructions.strip(),
        )
        for position, (item, exercise_id) in enumerate(zip(items, exercise_ids, strict=True))
    )
    return version


def write_plan(
    *,
    therapist: User,
    patient: User,
    items: Sequence[ItemInput],
    start_date: date,
    review_date: date | None,
    note: str = "",
    appointment_id: int | None = None,
    plan_id: int | None = None,
) -> PlanVersion:
    """A therapist's programme for a patient they treat: a new plan, or with ``plan_id`` a new
    version of one of the patient's therapist-written plans (by any therapist who treats them;
    the plan then names them as its therapist). Every exercise must be one the clinic lets its
    therapists recommend: the clinic of ``appointment_id`` (a session of theirs with this
    patient, the note it is written from) or else of their latest session with the patient.

    Raises NotFound (not their patient, appointment or plan), Refused (an exercise outside the
    clinic's choice), Invalid (bad values), Conflict (the plan has ended)."""
    if not treats(therapist=therapist, patient=patient):
        raise NotFound("patient")
    appointment = (
        care_appointment(therapist=therapist, patient=patient, appointment_id=appointment_id)
        if appointment_id is not None
        else None
    )
    _refuse_if(_problems(items, start_date, review_date, own_allowed=False))
    if len(note) > TEXT_MAX_LENGTH:
        _refuse_if([("note", gettext("at most %(count)s characters") % {"count": TEXT_MAX_LENGTH})])
    if has_hidden_characters(note):
        _refuse_if([("note", hidden_characters_refusal())])
    clinic_id = care_clinic_id(therapist=therapist, patient=patient, appointment=appointment)
    ids = [item.exercise_id for item in items if item.exercise_id is not None]
    allowed = allowed_exercise_ids(clinic_id)
    if plan_id is not None:
        allowed |= kept_exercise_ids(plan_id)
    # Only the library's and this clinic's own exist for the therapist: another clinic's, or
    # one a patient wrote down, is "no such exercise", never named.
    exercises = Exercise.objects.filter(built_in() | Q(clinic_id=clinic_id)).in_bulk(ids)
    missing = [
        (f"items.{i}.exercise", gettext("no such exercise"))
        for i, item in enumerate(items)
        if item.exercise_id not in exercises
    ]
    _refuse_if(missing)
    _refuse_if(_dose_kind_problems(items, exercises))
    refused = [exercise_words(exercises[pk]).name for pk in ids if pk not in allowed]
    if refused:
        raise Refused(
            "exercise_not_allowed",
            gettext("Your clinic does not let its therapists recommend: %(names)s.")
            % {"names": ", ".join(refused)},
        )
    with transaction.atomic():
        plan, number = _plan_for_version(
            patient,
            plan_id,
            Origin.THERAPIST,
            start_date,
            therapist=therapist,
            clinic_id=clinic_id,
        )
        if plan_id is not None:  # the therapist who writes it now becomes its therapist
            plan.therapist, plan.clinic_id = therapist, clinic_id
            plan.save(update_fields=["therapist", "clinic"])
        version = _write_version(
            plan,
            number=number,
            author=therapist,
            items=items,
            exercise_ids=ids,
            start_date=start_date,
            review_date=review_date,
            note=note,
            appointment=appointment,
        )
        record_event(
            actor=therapist,
            action="exercise_plan.create" if number == 1 else "exercise_plan.version",
            patient=patient,
            obj=plan,
        )
    return version


def _own_exercise(patient: User, item: ItemInput) -> int:
    """The patient's own exercise for ``item``: the one they wrote before with the same name
    and words, else a new one."""
    name, how_to = item.own_name.strip(), item.own_how_to.strip()
    theirs = Exercise.objects.filter(patient=patient)
    same = theirs.filter(name=name, how_to=how_to).values_list("pk", flat=True).first()
    if same is not None:
        return same
    base = slugify(name)[:50] or "exercise"
    taken = set(theirs.filter(slug__startswith=base).values_list("slug", flat=True))
    candidates = (base if n == 1 else f"{base}-{n}" for n in range(1, len(taken) + 2))
    slug = next(s for s in candidates if s not in taken)
    return Exercise.objects.create(
        patient=patient, slug=slug, name=name, how_to=how_to, created_by=patient
    ).pk


def enter_own_plan(
    *,
    patient: User,
    prescriber: str,
    items: Sequence[ItemInput],
    start_date: date,
    review_date: date | None,
    plan_id: int | None = None,
) -> PlanVersion:
    """A programme the patient was given by their physio or doctor (``prescriber``), entered by
    them: built-in exercises by id, or their own by name and how-to; with ``plan_id`` a new
    version of one of their own entered plans. Raises Refused (not a patient), NotFound,
    Invalid, Conflict as ``write_plan``."""
    if not patient.has_role(Role.PATIENT):
        raise Refused("patients_only", gettext("Only patients keep a home exercise programme."))
    errors = _problems(items, start_date, review_date, own_allowed=True)
    prescriber = prescriber.strip()
    if len(prescriber) > NAME_MAX_LENGTH:
        errors.append(
            ("prescriber", gettext("at most %(count)s characters") % {"count": NAME_MAX_LENGTH})
        )
    elif has_control_characters(prescriber) or has_format_characters(prescriber):
        errors.append(("prescriber", gettext("use one line of visible characters")))
    _refuse_if(errors)
    ids = [item.exercise_id for item in items if item.exercise_id is not None]
    usable = _usable_by_patient(patient, ids)
    _refuse_if(
        [
            (f"items.{i}.exercise", gettext("no such exercise"))
            for i, item in enumerate(items)
            if item.exercise_id is not None and item.exercise_id not in usable
        ]
    )
    with transaction.atomic():
        plan, number = _plan_for_version(
            patient, plan_id, Origin.PATIENT, start_date, prescriber=prescriber
        )
        if plan_id is not None and plan.prescriber != prescriber:
            plan.prescriber = prescriber
            plan.save(update_fields=["prescriber"])
        exercise_ids = [
            item.exercise_id if item.exercise_id is not None else _own_exercise(patient, item)
            for item in items
        ]
        version = _write_version(
            plan,
            number=number,
            author=patient,
            items=items,
            exercise_ids=exercise_ids,
            start_date=start_date,
            review_date=review_date,
        )
        record_event(
            actor=patient,
            action="exercise_plan.create" if number == 1 else "exercise_plan.version",
            patient=patient,
            obj=plan,
        )
    return version


def _usable_by_patient(patient: User, ids: Sequence[int]) -> set[int]:
    """Of ``ids``, the exercises a patient may put in their own programme: the built-in
    library's and their own."""
    return set(
        Exercise.objects.filter(pk__in=ids)
        .filter(built_in() | Q(patient=patient))
        .values_list("pk", flat=True)
    )


def end_plan(*, actor: User, plan_id: int) -> ExercisePlan:
    """End a plan from now: the patient ends a programme they entered, a therapist who treats
    the patient one a therapist wrote. Ending an ended plan changes nothing. NotFound for
    anyone else."""
    with transaction.atomic():
        plan = (
            ExercisePlan.objects.select_for_update()
            .select_related("patient")
            .filter(pk=plan_id)
            .first()
        )
        if plan is None or not _may_end(actor, plan):
            raise NotFound("exercise plan")
        if plan.ended_at is None:
            plan.ended_at = timezone.now()
            plan.save(update_fields=["ended_at"])
            record_event(actor=actor, action="exercise_plan.end", patient=plan.patient, obj=plan)
    return plan


def _may_end(actor: User, plan: ExercisePlan) -> bool:
    if plan.origin == Origin.PATIENT:
        return actor.pk == plan.patient_id
    return treats(therapist=actor, patient=plan.patient)


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """The exercises app's part of erasing a deleted account (registered with privacy): the
    patient's programmes with their versions, ticks and pauses, and the exercises they wrote
    down themselves. Caller: inside its transaction."""
    ExercisePlan.objects.filter(patient=patient).delete()
    Exercise.objects.filter(patient=patient).delete()
