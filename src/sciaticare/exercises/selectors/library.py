"""Reads of the exercise library: which exercises a clinic's therapists may recommend, the words
of any exercise in the reader's language, the public library, and the clinic admin's page.

A built-in exercise (no clinic, no patient) is shown in the words of ``library.py``, translated
for the reader; a clinic's or a patient's own exercise in the words its writer typed. Every
exercise carries the stop rule (``library.STOP_RULE``), whoever wrote it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic
from sciaticare.directory.selectors.access import clinics_administered
from sciaticare.exercises.library import BY_SLUG, LIBRARY, STOP_RULE, BuiltIn, Dose, drawing_of
from sciaticare.exercises.models import ClinicExercises, Exercise, PlanItem

#: A step typed as "1. Lie down", "2) …" or "- …": the page numbers the steps itself.
_STEP_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s*")
#: The order of the built-in exercises: the library's.
_ORDER = {e.slug: i for i, e in enumerate(LIBRARY)}


@dataclass(frozen=True)
class StopRuleWords:
    stop: str
    red_flags: str
    check_route: str  # the symptom check's URL name
    check_words: str


@dataclass(frozen=True)
class ExerciseWords:
    """What a person reads of one exercise, in the language being answered in."""

    slug: str
    name: str
    how_to: tuple[str, ...]
    how_often: str
    how_many: str
    when_to_stop: str
    source: str
    drawing: str | None  # a static path ("exercises/drawings/walking.svg"), built-ins only
    picture: str  # the drawing in words (its text alternative), "" without one
    stop_rule: StopRuleWords
    timed: bool
    built_in: bool


def stop_rule() -> StopRuleWords:
    return StopRuleWords(
        stop=gettext(STOP_RULE.stop),
        red_flags=gettext(STOP_RULE.red_flags),
        check_route=STOP_RULE.check_route,
        check_words=gettext(STOP_RULE.check_words),
    )


def _built_in_words(entry: BuiltIn) -> ExerciseWords:
    return ExerciseWords(
        slug=entry.slug,
        name=gettext(entry.name),
        how_to=tuple(gettext(step) for step in entry.how_to),
        how_often=gettext(entry.how_often),
        how_many=gettext(entry.how_many),
        when_to_stop=gettext(entry.when_to_stop),
        source=" ".join(gettext(source) for source in entry.sources),
        drawing=drawing_of(entry.slug),
        picture=gettext(entry.picture),
        stop_rule=stop_rule(),
        timed=entry.timed,
        built_in=True,
    )


def steps_of(how_to: str) -> tuple[str, ...]:
    """A typed "how to" as steps: one a line, blank lines and typed numbering dropped."""
    lines = (_STEP_MARK.sub("", line).strip() for line in how_to.splitlines())
    return tuple(line for line in lines if line)


def exercise_words(exercise: Exercise) -> ExerciseWords:
    """The words of an exercise for the reader: a built-in's from the library, translated (its
    row's English name is not shown); any other's as written."""
    entry = BY_SLUG.get(exercise.slug)
    if exercise.built_in and entry is not None:
        return _built_in_words(entry)
    return ExerciseWords(
        slug=exercise.slug,
        name=exercise.name,
        how_to=steps_of(exercise.how_to),
        how_often=exercise.how_often,
        how_many=exercise.how_many,
        when_to_stop=exercise.when_to_stop,
        source=exercise.source,
        drawing=None,
        picture="",
        stop_rule=stop_rule(),
        timed=exercise.timed,
        built_in=False,
    )


def default_dose(exercise: Exercise) -> Dose:
    """The dose a new programme item starts from: the library's for a built-in; for another
    exercise 10 minutes once a day when timed, else 10 repetitions once a day."""
    entry = BY_SLUG.get(exercise.slug)
    if exercise.built_in and entry is not None:
        return entry.dose
    return Dose(minutes=10) if exercise.timed else Dose(repetitions=10)


# --- The public library ----------------------------------------------------------------------


def public_library() -> list[ExerciseWords]:
    """Every built-in exercise, in the library's order: public, nobody's data."""
    return [_built_in_words(entry) for entry in LIBRARY]


def public_exercise(*, slug: str) -> ExerciseWords:
    """One built-in exercise; NotFound for any other slug (a clinic's own are not public)."""
    entry = BY_SLUG.get(slug)
    if entry is None:
        raise NotFound("exercise")
    return _built_in_words(entry)


# --- What a clinic's therapists may recommend ------------------------------------------------


def built_in_exercises() -> QuerySet[Exercise]:
    return Exercise.objects.filter(clinic__isnull=True, patient__isnull=True)


def _library_of(clinic: Clinic) -> QuerySet[Exercise]:
    """The exercises a clinic may choose from: the built-in ones and its own."""
    return Exercise.objects.filter(
        Q(clinic__isnull=True, patient__isnull=True) | Q(clinic=clinic)
    ).select_related("clinic")


def _in_order(exercises: list[Exercise]) -> list[Exercise]:
    """Built-in exercises in the library's order, then the clinic's own by name."""
    return sorted(
        exercises,
        key=lambda e: (
            (0, _ORDER.get(e.slug, len(_ORDER)), "", e.pk)
            if e.built_in
            else (1, 0, e.name.casefold(), e.pk)
        ),
    )


def has_chosen(clinic: Clinic) -> bool:
    """Whether the clinic's admins have saved a choice (before that, everything is allowed)."""
    return ClinicExercises.objects.filter(clinic=clinic).exists()


def allowed_exercises(*, clinic: Clinic) -> list[Exercise]:
    """The exercises the clinic's therapists may recommend: what its admins chose, else (no
    choice saved yet) the whole built-in library and the clinic's own exercises. Never another
    clinic's or a patient's own exercise."""
    scope = ClinicExercises.objects.filter(clinic=clinic).first()
    found = _library_of(clinic)
    if scope is not None:
        found = found.filter(allowed_by=scope)
    return _in_order(list(found))


def may_recommend(*, clinic: Clinic, exercise: Exercise) -> bool:
    return any(e.pk == exercise.pk for e in allowed_exercises(clinic=clinic))


# --- The clinic admin's page -----------------------------------------------------------------


@dataclass(frozen=True)
class LibraryEntry:
    exercise: Exercise
    words: ExerciseWords
    allowed: bool
    own: bool
    in_use: bool  # a programme holds it: a clinic's own cannot be removed


@dataclass(frozen=True)
class ClinicLibrary:
    clinic: Clinic
    chosen: bool  # the admins saved a choice; before that everything is allowed
    entries: list[LibraryEntry]

    @property
    def built_in(self) -> list[LibraryEntry]:
        return [e for e in self.entries if not e.own]

    @property
    def own(self) -> list[LibraryEntry]:
        return [e for e in self.entries if e.own]


def clinic_to_administer(*, user: User, clinic_id: int) -> Clinic:
    """A clinic the user runs (any clinic for a site admin); NotFound alike when missing."""
    clinic = clinics_administered(user=user).filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound("clinic")
    return clinic


def clinics_to_administer(*, user: User) -> list[Clinic]:
    return list(clinics_administered(user=user).order_by("name", "pk"))


def in_use(exercise_ids: list[int]) -> set[int]:
    """Which of these exercises a programme holds (any version, any patient)."""
    return set(
        PlanItem.objects.filter(exercise_id__in=exercise_ids).values_list("exercise_id", flat=True)
    )


def library_for_clinic_admin(*, user: User, clinic_id: int) -> ClinicLibrary:
    """The clinic admin's page: every exercise the clinic may choose from, with its words, and
    whether it is allowed; NotFound for a clinic the user does not run."""
    clinic = clinic_to_administer(user=user, clinic_id=clinic_id)
    choosable = _in_order(list(_library_of(clinic)))
    allowed = {e.pk for e in allowed_exercises(clinic=clinic)}
    used = in_use([e.pk for e in choosable if not e.built_in])
    return ClinicLibrary(
        clinic=clinic,
        chosen=has_chosen(clinic),
        entries=[
            LibraryEntry(
                exercise=e,
                words=exercise_words(e),
                allowed=e.pk in allowed,
                own=not e.built_in,
                in_use=e.pk in used,
            )
            for e in choosable
        ],
    )


def own_exercise_for_admin(*, user: User, clinic_id: int, exercise_id: int) -> Exercise:
    """One of the clinic's own exercises, for an admin of that clinic; NotFound alike for a
    missing exercise, a built-in one, another clinic's or a clinic the user does not run."""
    clinic = clinic_to_administer(user=user, clinic_id=clinic_id)
    exercise = Exercise.objects.filter(pk=exercise_id, clinic=clinic).select_related("clinic")
    found = exercise.first()
    if found is None:
        raise NotFound("exercise")
    return found
