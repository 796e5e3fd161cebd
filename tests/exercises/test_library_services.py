"""The clinic admin's library: which exercises the clinic's therapists may recommend, the clinic's
own exercises (who may add, edit, remove; what is refused), every change audited; and the
words of an exercise in the reader's language (selectors/library.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.exercises.library import BY_SLUG, LIBRARY, STOP_RULE
from sciaticare.exercises.models import (
    ClinicExercises,
    Exercise,
    ExercisePlan,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors.library import (
    allowed_exercises,
    default_dose,
    exercise_words,
    library_for_clinic_admin,
    may_recommend,
    own_exercise_for_admin,
    public_exercise,
    steps_of,
)
from sciaticare.exercises.services.library import (
    ExerciseValues,
    add_own_exercise,
    choose_exercises,
    edit_own_exercise,
    remove_own_exercise,
)
from tests.directory.factories import ClinicFactory
from tests.factories import (
    ClinicAdminFactory,
    PatientFactory,
    SiteAdminFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db

HAMSTRING = ExerciseValues(
    name="Hamstring stretch on a step",
    how_to="1. Stand facing a low step.\n2) Rest one heel on it.\n\n- Lean forward gently.",
    how_often="Twice a day",
    how_many="3 × 20 seconds each leg",
    when_to_stop="Stop if the back of the knee tingles.",
    source="Clinic protocol, 2025",
)


@pytest.fixture
def clinic():
    admin = ClinicAdminFactory()
    return ClinicFactory(admins=[admin]), admin


def built_in(slug: str) -> Exercise:
    return Exercise.objects.get(slug=slug, clinic=None, patient=None)


def in_a_programme(exercise: Exercise, clinic) -> PlanItem:
    plan = ExercisePlan.objects.create(
        patient=PatientFactory(), origin="therapist", clinic=clinic, therapist=TherapistFactory()
    )
    version = PlanVersion.objects.create(plan=plan, number=1, start_date=date(2026, 1, 5))
    return PlanItem.objects.create(version=version, exercise=exercise, repetitions=10)


# --- What the clinic's therapists may recommend ----------------------------------------------


def test_before_choosing_a_clinic_allows_the_whole_library_and_its_own(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    elsewhere = add_own_exercise(clinic=ClinicFactory(), values=HAMSTRING, by=SiteAdminFactory())

    allowed = allowed_exercises(clinic=place)

    assert [e.slug for e in allowed] == [e.slug for e in LIBRARY] + [own.slug]
    assert elsewhere not in allowed
    assert not ClinicExercises.objects.filter(clinic=place).exists()


def test_the_admins_choice_is_what_therapists_may_recommend(clinic):
    place, admin = clinic
    walking, slider = built_in("walking"), built_in("sciatic-nerve-slider")

    choose_exercises(clinic=place, exercise_ids=[slider.pk, walking.pk], by=admin)

    assert allowed_exercises(clinic=place) == [walking, slider]  # the library's order
    assert may_recommend(clinic=place, exercise=walking)
    assert not may_recommend(clinic=place, exercise=built_in("prone-press-up"))
    scope = ClinicExercises.objects.get(clinic=place)
    assert scope.updated_by == admin
    event = AuditEvent.objects.get(action="exercises.scope")
    assert (event.actor, event.patient, event.object_id) == (admin, None, str(scope.pk))


def test_a_clinic_may_allow_no_exercise_at_all(clinic):
    place, admin = clinic

    choose_exercises(clinic=place, exercise_ids=[], by=admin)

    assert allowed_exercises(clinic=place) == []


def test_choosing_again_replaces_the_choice(clinic):
    place, admin = clinic
    choose_exercises(clinic=place, exercise_ids=[built_in("walking").pk], by=admin)

    choose_exercises(clinic=place, exercise_ids=[built_in("pelvic-tilt").pk], by=admin)

    assert [e.slug for e in allowed_exercises(clinic=place)] == ["pelvic-tilt"]
    assert AuditEvent.objects.filter(action="exercises.scope").count() == 2


def test_another_clinics_or_a_patients_exercise_cannot_be_chosen(clinic):
    place, admin = clinic
    theirs = add_own_exercise(clinic=ClinicFactory(), values=HAMSTRING, by=SiteAdminFactory())
    patients = Exercise.objects.create(slug="my-walk", name="My walk", patient=PatientFactory())

    for foreign in (theirs, patients):
        with pytest.raises(Invalid):
            choose_exercises(clinic=place, exercise_ids=[foreign.pk], by=admin)

    assert not ClinicExercises.objects.filter(clinic=place).exists()
    assert not AuditEvent.objects.filter(action="exercises.scope").exists()


@pytest.mark.parametrize(
    "who",
    [PatientFactory, TherapistFactory, ClinicAdminFactory],
    ids=["patient", "therapist", "another clinic's admin"],
)
def test_only_the_clinics_admins_and_site_admins_may_choose(clinic, who):
    place, _ = clinic
    with pytest.raises(NotFound):
        choose_exercises(clinic=place, exercise_ids=[], by=who())
    choose_exercises(clinic=place, exercise_ids=[], by=SiteAdminFactory())


# --- The clinic's own exercises --------------------------------------------------------------


def test_an_admin_adds_the_clinics_own_exercise_and_therapists_may_recommend_it(clinic):
    place, admin = clinic
    choose_exercises(clinic=place, exercise_ids=[built_in("walking").pk], by=admin)

    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)

    assert (own.clinic, own.patient, own.created_by) == (place, None, admin)
    assert own.slug == "hamstring-stretch-on-a-step"
    assert not own.built_in
    assert [e.slug for e in allowed_exercises(clinic=place)] == ["walking", own.slug]
    event = AuditEvent.objects.get(action="exercises.own.add")
    assert (event.actor, event.patient, event.object_id) == (admin, None, str(own.pk))


def test_two_exercises_of_one_name_get_two_slugs(clinic):
    place, admin = clinic
    first = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    second = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    unnamed = add_own_exercise(
        clinic=place, values=ExerciseValues(name="—", how_to="Breathe."), by=admin
    )

    assert (first.slug, second.slug, unnamed.slug) == (
        "hamstring-stretch-on-a-step",
        "hamstring-stretch-on-a-step-2",
        "exercise",
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (ExerciseValues(name=" ", how_to="Lie down."), "name"),
        (ExerciseValues(name="Bridge", how_to="  "), "how_to"),
        (ExerciseValues(name="Bridge\nlift", how_to="Lie down."), "name"),
        (ExerciseValues(name="Bridge", how_to="Lie down.", how_often="daily\u202e"), "how_often"),
        (ExerciseValues(name="Bridge", how_to="Lie\tdown."), "how_to"),
        (ExerciseValues(name="B" * 121, how_to="Lie down."), "name"),
        (ExerciseValues(name="Bridge", how_to="Lie down.", source="s" * 501), "source"),
    ],
)
def test_an_exercise_that_is_not_right_is_refused_naming_the_field(clinic, values, field):
    place, admin = clinic

    with pytest.raises(Invalid) as refused:
        add_own_exercise(clinic=place, values=values, by=admin)

    assert field in [name for name, _ in refused.value.errors]
    assert not Exercise.objects.filter(clinic=place).exists()


def test_an_admin_edits_the_clinics_own_exercise(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)

    edit_own_exercise(
        exercise=own, values=ExerciseValues(name="Step stretch", how_to="Stand."), by=admin
    )

    own.refresh_from_db()
    assert (own.name, own.how_to, own.how_often, own.slug) == (
        "Step stretch",
        "Stand.",
        "",
        "hamstring-stretch-on-a-step",
    )
    assert AuditEvent.objects.filter(action="exercises.own.edit", object_id=str(own.pk)).exists()


def test_a_built_in_exercise_cannot_be_edited_or_removed(clinic):
    place, admin = clinic
    walking = built_in("walking")

    with pytest.raises(NotFound):
        edit_own_exercise(exercise=walking, values=HAMSTRING, by=admin)
    with pytest.raises(NotFound):
        remove_own_exercise(exercise=walking, by=admin)
    with pytest.raises(NotFound):
        own_exercise_for_admin(user=admin, clinic_id=place.pk, exercise_id=walking.pk)


def test_another_clinics_admin_can_neither_see_edit_nor_remove_it(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    stranger = ClinicAdminFactory()
    ClinicFactory(admins=[stranger])

    with pytest.raises(NotFound):
        own_exercise_for_admin(user=stranger, clinic_id=place.pk, exercise_id=own.pk)
    with pytest.raises(NotFound):
        edit_own_exercise(exercise=own, values=HAMSTRING, by=stranger)
    with pytest.raises(NotFound):
        remove_own_exercise(exercise=own, by=stranger)
    with pytest.raises(NotFound):
        library_for_clinic_admin(user=stranger, clinic_id=place.pk)
    assert Exercise.objects.filter(pk=own.pk).exists()


def test_removing_an_exercise_no_programme_holds_deletes_it(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    pk = own.pk
    choose_exercises(clinic=place, exercise_ids=[pk], by=admin)

    remove_own_exercise(exercise=own, by=admin)

    assert not Exercise.objects.filter(pk=pk).exists()
    assert allowed_exercises(clinic=place) == []
    event = AuditEvent.objects.get(action="exercises.own.remove")
    assert (event.actor, event.object_id) == (admin, str(pk))


def test_removing_an_exercise_a_programme_holds_is_refused_and_says_what_to_do(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    in_a_programme(own, place)

    with pytest.raises(Conflict) as refused:
        remove_own_exercise(exercise=own, by=admin)

    assert refused.value.code == "exercise_in_use"
    assert "Untick it" in refused.value.message
    assert Exercise.objects.filter(pk=own.pk).exists()
    assert not AuditEvent.objects.filter(action="exercises.own.remove").exists()
    entry = library_for_clinic_admin(user=admin, clinic_id=place.pk).own[0]
    assert entry.in_use


# --- The words of an exercise ----------------------------------------------------------------


def test_a_built_in_exercise_is_shown_in_the_library_words_not_its_rows():
    walking = built_in("walking")
    walking.name = "A name nobody reads"

    words = exercise_words(walking)

    assert words.name == "Walking"
    assert words.how_to == BY_SLUG["walking"].how_to
    assert words.drawing == "exercises/drawings/walking.svg"
    assert words.timed
    assert words.built_in
    assert "NICE guideline NG59" in words.source
    assert words.stop_rule.stop == STOP_RULE.stop
    assert words.stop_rule.check_route == "check"


def test_a_built_in_exercise_reads_in_the_readers_language():
    with translation.override("es"):
        words = exercise_words(built_in("knee-to-chest"))

    assert words.name == "Estiramiento de rodilla al pecho"
    assert words.how_to[0].startswith("Túmbese boca arriba")
    assert words.stop_rule.stop.startswith("Deje el ejercicio y dígaselo a su terapeuta")
    assert words.stop_rule.check_words == "Hacer la comprobación de síntomas"
    assert "Guía NICE NG59" in words.source
    assert "Hayden et al." in words.source


def test_a_clinics_own_exercise_reads_as_written_with_the_stop_rule(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)

    with translation.override("es"):
        words = exercise_words(own)

    assert words.name == "Hamstring stretch on a step"
    assert words.how_to == (
        "Stand facing a low step.",
        "Rest one heel on it.",
        "Lean forward gently.",
    )
    assert (words.how_often, words.how_many) == ("Twice a day", "3 × 20 seconds each leg")
    assert words.when_to_stop == "Stop if the back of the knee tingles."
    assert words.source == "Clinic protocol, 2025"
    assert words.drawing is None
    assert not words.built_in
    assert words.stop_rule.stop.startswith("Deje el ejercicio")  # added to every exercise


def test_typed_steps_lose_their_numbering_and_blank_lines():
    assert steps_of(" 1. Lie down\r\n\r\n2) Breathe\n• Relax \n10. Rest\n-1 degree") == (
        "Lie down",
        "Breathe",
        "Relax",
        "Rest",
        "1 degree",
    )


def test_the_default_dose_comes_from_the_library_for_a_built_in(clinic):
    place, admin = clinic
    timed = add_own_exercise(
        clinic=place, values=ExerciseValues(name="Swim", how_to="Swim.", timed=True), by=admin
    )

    assert default_dose(built_in("prone-press-up")) == BY_SLUG["prone-press-up"].dose
    assert default_dose(timed).minutes == 10
    assert (
        default_dose(add_own_exercise(clinic=place, values=HAMSTRING, by=admin)).repetitions == 10
    )


def test_only_built_in_exercises_are_public(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)

    assert public_exercise(slug="cat-camel").name == "Cat–camel"
    with pytest.raises(NotFound):
        public_exercise(slug=own.slug)


def test_the_admins_page_lists_the_library_then_the_clinics_own(clinic):
    place, admin = clinic
    own = add_own_exercise(clinic=place, values=HAMSTRING, by=admin)
    choose_exercises(clinic=place, exercise_ids=[own.pk, built_in("cat-camel").pk], by=admin)

    page = library_for_clinic_admin(user=admin, clinic_id=place.pk)

    assert page.chosen
    assert [e.words.slug for e in page.built_in] == [e.slug for e in LIBRARY]
    assert [e.exercise for e in page.own] == [own]
    assert {e.words.slug for e in page.entries if e.allowed} == {"cat-camel", own.slug}
    assert not any(e.in_use for e in page.entries)
