"""The clinic admin's writes to the exercise library: which exercises the clinic's therapists may
recommend (scope of practice differs by place), and the clinic's own exercises (add, edit,
remove). Every change is audited; none concerns a patient.

Removing: a clinic's own exercise that a programme holds (any version, any patient) is refused,
because the programme and its log are the patient's record; the admin takes it off the allowed
list instead, so that no new programme gets it. One that no programme holds is deleted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.core.names import has_control_characters, has_format_characters
from sciaticare.directory.models import Clinic
from sciaticare.directory.selectors.access import clinics_administered
from sciaticare.exercises.models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, ClinicExercises, Exercise
from sciaticare.exercises.selectors.library import built_in_exercises, in_use

#: Short fields, one line each, and their most characters (the columns' own limits).
ONE_LINE_FIELDS = {"name": NAME_MAX_LENGTH, "how_often": 300, "how_many": 300, "source": 500}
#: Longer fields, which may hold line breaks (steps).
LINES_FIELDS = {"how_to": TEXT_MAX_LENGTH, "when_to_stop": TEXT_MAX_LENGTH}


@dataclass(frozen=True)
class ExerciseValues:
    """A clinic's own exercise as its admin writes it (the stop rule is added on display)."""

    name: str
    how_to: str
    how_often: str = ""
    how_many: str = ""
    when_to_stop: str = ""
    source: str = ""
    timed: bool = False


def _check_admin(clinic: Clinic, by: User) -> None:
    if not clinics_administered(user=by).filter(pk=clinic.pk).exists():
        raise NotFound("clinic")


def _errors(values: ExerciseValues) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not values.name.strip():
        errors.append(("name", gettext("Give the exercise a name.")))
    if not values.how_to.strip():
        errors.append(("how_to", gettext("Say how to do it, one step a line.")))
    for field, most in (ONE_LINE_FIELDS | LINES_FIELDS).items():
        text = getattr(values, field)
        if len(text.strip()) > most:
            errors.append((field, gettext("Use at most %(most)s characters.") % {"most": most}))
    for field in ONE_LINE_FIELDS:
        text = getattr(values, field)
        if has_control_characters(text) or has_format_characters(text):
            errors.append(
                (
                    field,
                    gettext(
                        "Use one line of text, without line breaks, tabs or other control or "
                        "invisible characters."
                    ),
                )
            )
    for field in LINES_FIELDS:
        text = getattr(values, field).replace("\r\n", "\n").replace("\n", "")
        if has_control_characters(text) or has_format_characters(text):
            errors.append(
                (
                    field,
                    gettext(
                        "Use lines of text, without tabs or other control or invisible characters."
                    ),
                )
            )
    return errors


def _checked(values: ExerciseValues) -> dict[str, Any]:
    errors = _errors(values)
    if errors:
        raise Invalid("exercise", gettext("Some of the exercise is not right."), errors)
    return {
        "name": values.name.strip(),
        "how_to": values.how_to.strip().replace("\r\n", "\n"),
        "how_often": values.how_often.strip(),
        "how_many": values.how_many.strip(),
        "when_to_stop": values.when_to_stop.strip().replace("\r\n", "\n"),
        "source": values.source.strip(),
        "timed": values.timed,
    }


def _free_slug(clinic: Clinic, name: str) -> str:
    """A slug from the name, unique among the clinic's exercises ("hamstring-stretch-2")."""
    base = slugify(name)[:50].strip("-") or "exercise"
    taken = set(Exercise.objects.filter(clinic=clinic).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def choose_exercises(*, clinic: Clinic, exercise_ids: Iterable[int], by: User) -> ClinicExercises:
    """Save which exercises the clinic's therapists may recommend: built-in ones and the
    clinic's own. Programmes that already hold an exercise taken off the list keep it."""
    _check_admin(clinic, by)
    wanted = set(exercise_ids)
    choosable = set(built_in_exercises().values_list("pk", flat=True)) | set(
        Exercise.objects.filter(clinic=clinic).values_list("pk", flat=True)
    )
    if wanted - choosable:
        raise Invalid(
            "exercises",
            gettext("Choose from the library and the clinic's own exercises."),
            [("exercises", gettext("Some of the chosen exercises are not in the library."))],
        )
    with transaction.atomic():
        scope, _ = ClinicExercises.objects.select_for_update().get_or_create(clinic=clinic)
        scope.updated_by = by
        scope.save()
        scope.allowed.set(wanted)
        record_event(actor=by, action="exercises.scope", patient=None, obj=scope)
    return scope


def add_own_exercise(*, clinic: Clinic, values: ExerciseValues, by: User) -> Exercise:
    """Add an exercise of the clinic's own. Its therapists may recommend it at once: once the
    clinic has chosen, it joins the chosen ones; before that, every exercise is allowed."""
    _check_admin(clinic, by)
    fields = _checked(values)
    with transaction.atomic():
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
        exercise = Exercise.objects.create(
            clinic=clinic,
            slug=_free_slug(clinic, str(fields["name"])),
            created_by=by,
            **fields,
        )
        scope = ClinicExercises.objects.filter(clinic=clinic).first()
        if scope is not None:
            scope.allowed.add(exercise)
        record_event(actor=by, action="exercises.own.add", patient=None, obj=exercise)
    return exercise


def edit_own_exercise(*, exercise: Exercise, values: ExerciseValues, by: User) -> Exercise:
    """Change the words of a clinic's own exercise; programmes that hold it show the new words."""
    if exercise.clinic is None:
        raise NotFound("exercise")
    _check_admin(exercise.clinic, by)
    fields = _checked(values)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(exercise, name, value)
        exercise.save(update_fields=list(fields))
        record_event(actor=by, action="exercises.own.edit", patient=None, obj=exercise)
    return exercise


def remove_own_exercise(*, exercise: Exercise, by: User) -> None:
    """Delete a clinic's own exercise that no programme holds; refused (409) for one that a
    programme holds, with what to do instead."""
    if exercise.clinic is None:
        raise NotFound("exercise")
    _check_admin(exercise.clinic, by)
    refusal = Conflict(
        "exercise_in_use",
        gettext(
            "A patient's programme has this exercise, so it cannot be removed. Untick it in the "
            "list instead: no new programme will get it."
        ),
    )
    if in_use([exercise.pk]):
        raise refusal
    try:
        with transaction.atomic():
            record_event(actor=by, action="exercises.own.remove", patient=None, obj=exercise)
            exercise.delete()
    except ProtectedError:
        # A programme or a log took it up between the check and the delete.
        raise refusal from None
