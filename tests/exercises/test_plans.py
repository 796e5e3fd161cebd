"""Writing programmes (exercises/services/plans.py): who may, what is refused and why,
versions, the patient's own programme, ending one, erasure, and version numbers under
concurrent writers (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.exercises.models import (
    MAX_ITEMS,
    ClinicExercises,
    Exercise,
    ExerciseLog,
    ExercisePlan,
    Origin,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors.plans import allowed_exercise_ids
from sciaticare.exercises.services import logs
from sciaticare.exercises.services.plans import (
    ItemInput,
    end_plan,
    enter_own_plan,
    erase_patient_data,
    write_plan,
)
from sciaticare.scheduling.models import AppointmentStatus
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.exercises.conftest import exercise, reps, session
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _write(world: dict[str, Any], *items: ItemInput, **kwargs: Any) -> PlanVersion:
    people = world["people"]
    values: dict[str, Any] = {
        "therapist": people["therapist"],
        "patient": people["patient"],
        "items": list(items) or [reps(world["exercises"]["tilt"].pk)],
        "start_date": world["today"],
        "review_date": world["today"] + timedelta(days=28),
    }
    return write_plan(**{**values, **kwargs})


def _fields(error: Invalid) -> set[str]:
    return {field for field, _ in error.errors}


# --- Who may ---------------------------------------------------------------------------------


def test_the_treating_therapist_writes_a_plan_from_the_session(world):
    ex = world["exercises"]

    version = _write(
        world,
        reps(ex["tilt"].pk, sets=2, days=0b0010101, instructions="Slowly"),
        ItemInput(ex["walk"].pk, minutes=20),
        note="Start gently",
        appointment_id=world["appointment"].pk,
    )

    plan = version.plan
    assert (plan.origin, plan.therapist, plan.clinic) == (
        Origin.THERAPIST,
        world["people"]["therapist"],
        world["clinic"],
    )
    assert (version.number, version.appointment, version.note) == (
        1,
        world["appointment"],
        "Start gently",
    )
    items = list(version.items.order_by("position"))
    assert [(i.exercise_id, i.repetitions, i.sets, i.minutes, i.days) for i in items] == [
        (ex["tilt"].pk, 10, 2, 0, 0b0010101),
        (ex["walk"].pk, 0, 1, 20, 0b1111111),
    ]
    assert items[0].instructions == "Slowly"
    event = AuditEvent.objects.get(action="exercise_plan.create")
    assert (event.actor, event.patient, event.object_id) == (
        world["people"]["therapist"],
        world["people"]["patient"],
        str(plan.pk),
    )


@pytest.mark.parametrize("who", ["other_therapist", "clinic_admin", "site_admin", "other_patient"])
def test_nobody_else_writes_a_plan_for_the_patient(world, who):
    with pytest.raises(NotFound):
        _write(world, therapist=world["people"][who])

    assert not ExercisePlan.objects.exists()


def test_a_cancelled_booking_makes_no_care_relationship(world):
    other = world["people"]["other_therapist"]
    session(
        other.therapist_profile,
        world["people"]["patient"],
        days_ago=-3,
        status=AppointmentStatus.CANCELLED,
    )

    with pytest.raises(NotFound):
        _write(world, therapist=other)


def test_the_appointment_must_be_the_therapists_with_this_patient(world):
    other_patient = world["people"]["other_patient"]
    theirs = session(world["therapist_profile"], other_patient, days_ago=2)
    someone_elses = session(TherapistProfileFactory(), world["people"]["patient"], days_ago=3)

    for appointment in (theirs, someone_elses):
        with pytest.raises(NotFound):
            _write(world, appointment_id=appointment.pk)


# --- Which exercises -------------------------------------------------------------------------


def test_built_in_and_the_clinics_own_are_allowed_by_default(world):
    ex = world["exercises"]

    assert {ex["walk"].pk, ex["tilt"].pk, ex["slider"].pk, ex["own_clinic"].pk} <= (
        allowed_exercise_ids(world["clinic"])
    )
    assert ex["other_clinic"].pk not in allowed_exercise_ids(world["clinic"])
    assert ex["patients_own"].pk not in allowed_exercise_ids(world["clinic"])
    assert ex["own_clinic"].pk not in allowed_exercise_ids(None)
    _write(world, reps(ex["own_clinic"].pk))


@pytest.mark.parametrize("kind", ["other_clinic", "patients_own"])
def test_an_exercise_from_outside_the_clinic_does_not_exist_for_the_therapist(world, kind):
    """Another clinic's exercise, or one a patient wrote down, is "no such exercise" and is
    never named (outside attack finding E1: the refusal used to say its name)."""
    ex = world["exercises"]

    with pytest.raises(Invalid) as invalid:
        _write(world, reps(ex["tilt"].pk), reps(ex[kind].pk))

    assert _fields(invalid.value) == {"items.1.exercise"}
    assert ex[kind].name not in str(invalid.value.errors)
    assert not ExercisePlan.objects.exists()


def test_a_clinics_choice_limits_what_its_therapists_recommend(world):
    ex = world["exercises"]
    scope = ClinicExercises.objects.create(clinic=world["clinic"])
    scope.allowed.set([ex["walk"], ex["other_clinic"]])  # another clinic's never counts

    assert allowed_exercise_ids(world["clinic"]) == {ex["walk"].pk}
    with pytest.raises(Refused, match=ex["tilt"].name):
        _write(world, reps(ex["tilt"].pk))
    _write(world, ItemInput(ex["walk"].pk, minutes=10))


def test_the_appointments_clinic_decides_for_a_therapist_at_two(world):
    ex = world["exercises"]
    other_clinic = world["other_clinic"]
    there = LocationFactory(clinic=other_clinic)
    world["therapist_profile"].locations.add(there)
    visit = session(
        world["therapist_profile"], world["people"]["patient"], days_ago=1, location=there
    )

    version = _write(world, reps(ex["other_clinic"].pk), appointment_id=visit.pk)
    assert version.plan.clinic == other_clinic
    with pytest.raises(Invalid):  # the first clinic's session: another clinic's is unknown there
        _write(world, reps(ex["other_clinic"].pk), appointment_id=world["appointment"].pk)
    # Without an appointment, the clinic of the latest session with the patient.
    assert _write(world, reps(ex["other_clinic"].pk)).plan.clinic == other_clinic


def test_an_exercise_that_does_not_exist_is_named(world):
    with pytest.raises(Invalid) as invalid:
        _write(world, reps(world["exercises"]["tilt"].pk), reps(10**9))

    assert _fields(invalid.value) == {"items.1.exercise"}


# --- What is refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"repetitions": 0, "minutes": 0}, "items.0"),
        ({"repetitions": 101}, "items.0.repetitions"),
        ({"repetitions": -1}, "items.0.repetitions"),
        ({"sets": 0}, "items.0.sets"),
        ({"sets": 11}, "items.0.sets"),
        ({"minutes": 181}, "items.0.minutes"),
        ({"times_per_day": 0}, "items.0.times_per_day"),
        ({"times_per_day": 7}, "items.0.times_per_day"),
        ({"days": 0}, "items.0.days"),
        ({"days": 128}, "items.0.days"),
        ({"instructions": "x" * 501}, "items.0.instructions"),
        ({"own_name": "Mine"}, "items.0"),
    ],
)
def test_a_dose_outside_the_bounds_is_refused_by_field(world, item, field):
    with pytest.raises(Invalid) as invalid:
        _write(world, ItemInput(world["exercises"]["tilt"].pk, **{"repetitions": 10, **item}))

    assert field in _fields(invalid.value)
    assert not ExercisePlan.objects.exists()


def test_the_number_of_exercises_and_repeats_are_refused(world):
    tilt = world["exercises"]["tilt"].pk
    many = [reps(exercise(f"t-extra-{n}").pk) for n in range(MAX_ITEMS + 1)]

    for items in ([], many, [reps(tilt), reps(tilt, sets=2)]):
        with pytest.raises(Invalid) as invalid:
            write_plan(
                therapist=world["people"]["therapist"],
                patient=world["people"]["patient"],
                items=items,
                start_date=world["today"],
                review_date=None,
            )
        assert _fields(invalid.value) == {"items"}


def test_dates_are_refused_out_of_order_or_range(world):
    today = world["today"]
    for start, review, field in [
        (today, today - timedelta(days=1), "review_date"),
        (today.replace(year=1999), None, "start_date"),
        (today, today.replace(year=2101), "review_date"),
    ]:
        with pytest.raises(Invalid) as invalid:
            _write(world, start_date=start, review_date=review)
        assert field in _fields(invalid.value)
    with pytest.raises(Invalid) as invalid:
        _write(world, note="x" * 2001)
    assert _fields(invalid.value) == {"note"}


# --- Versions --------------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_one_and_counts_on(world):
    ex = world["exercises"]
    first = _write(world, reps(ex["tilt"].pk))

    second = _write(
        world,
        reps(ex["tilt"].pk, repetitions=15),
        reps(ex["slider"].pk),
        plan_id=first.plan_id,
        start_date=world["today"] + timedelta(days=7),
    )

    assert (second.plan_id, second.number) == (first.plan_id, 2)
    assert list(first.items.values_list("repetitions", flat=True)) == [10]  # unchanged
    assert second.items.count() == 2
    assert AuditEvent.objects.filter(action="exercise_plan.version").count() == 1


def test_another_treating_therapist_takes_the_plan_on(world):
    first = _write(world)
    colleague = TherapistProfileFactory(location=world["location"])
    session(colleague, world["people"]["patient"], days_ago=2)

    second = _write(world, therapist=colleague.user, plan_id=first.plan_id)

    second.plan.refresh_from_db()
    assert (second.number, second.plan.therapist) == (2, colleague.user)


def test_a_version_may_not_start_before_the_one_it_follows(world):
    first = _write(world)

    with pytest.raises(Invalid) as invalid:
        _write(world, plan_id=first.plan_id, start_date=world["today"] - timedelta(days=1))

    assert _fields(invalid.value) == {"start_date"}


def test_versions_only_of_the_patients_therapist_plans(world):
    people = world["people"]
    own = enter_own_plan(
        patient=people["patient"],
        prescriber="Dr Shah",
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"],
        review_date=None,
    )
    someone_elses = _write(world)
    session(world["therapist_profile"], people["other_patient"], days_ago=1)

    with pytest.raises(NotFound):
        _write(world, plan_id=own.plan_id)
    with pytest.raises(NotFound):  # a plan of the therapist's other patient
        _write(world, patient=people["other_patient"], plan_id=someone_elses.plan_id)
    with pytest.raises(NotFound):
        _write(world, plan_id=10**9)


def test_an_ended_plan_takes_no_new_version(world):
    first = _write(world)
    end_plan(actor=world["people"]["therapist"], plan_id=first.plan_id)

    with pytest.raises(Conflict):
        _write(world, plan_id=first.plan_id)


# --- The patient's own programme -------------------------------------------------------------


def test_the_patient_enters_their_physios_programme_with_their_own_exercises(world):
    patient = world["people"]["patient"]
    tilt = world["exercises"]["tilt"]
    items = [
        reps(tilt.pk),
        ItemInput(None, repetitions=8, own_name="Hamstring stretch", own_how_to="Lie down."),
    ]

    version = enter_own_plan(
        patient=patient,
        prescriber="My physiotherapist",
        items=items,
        start_date=world["today"],
        review_date=None,
    )
    again = enter_own_plan(
        patient=patient,
        prescriber="Dr Shah",
        items=[*items, ItemInput(None, minutes=5, own_name="Hamstring stretch!")],
        start_date=world["today"],
        review_date=None,
        plan_id=version.plan_id,
    )

    plan = ExercisePlan.objects.get()
    assert (plan.origin, plan.therapist, plan.prescriber) == (Origin.PATIENT, None, "Dr Shah")
    mine = Exercise.objects.filter(patient=patient).exclude(slug="t-my-stretch")
    assert sorted(mine.values_list("slug", "name")) == [
        ("hamstring-stretch", "Hamstring stretch"),
        ("hamstring-stretch-2", "Hamstring stretch!"),
    ]
    # The same name and words again are the same exercise: the ticks stay on one row.
    assert {i.exercise_id for i in version.items.all()} < {i.exercise_id for i in again.items.all()}
    assert again.number == 2
    assert list(
        AuditEvent.objects.filter(patient=patient).order_by("pk").values_list("action", flat=True)
    ) == [
        "exercise_plan.create",
        "exercise_plan.version",
    ]


def test_the_patient_may_use_the_library_and_their_own_only(world):
    ex = world["exercises"]
    for kind in ("own_clinic", "other_clinic"):
        with pytest.raises(Invalid) as invalid:
            enter_own_plan(
                patient=world["people"]["other_patient"],
                prescriber="",
                items=[reps(ex["patients_own"].pk if kind == "own_clinic" else ex[kind].pk)],
                start_date=world["today"],
                review_date=None,
            )
        assert _fields(invalid.value) == {"items.0.exercise"}
    enter_own_plan(
        patient=world["people"]["patient"],
        prescriber="",
        items=[reps(ex["patients_own"].pk), reps(ex["walk"].pk)],
        start_date=world["today"],
        review_date=None,
    )


@pytest.mark.parametrize(
    ("item", "prescriber", "field"),
    [
        (ItemInput(None, repetitions=5), "", "items.0.own_name"),
        (ItemInput(None, repetitions=5, own_name="x" * 121), "", "items.0.own_name"),
        (ItemInput(None, repetitions=5, own_name="Two\nlines"), "", "items.0.own_name"),
        (
            ItemInput(None, repetitions=5, own_name="a", own_how_to="x" * 2001),
            "",
            "items.0.own_how_to",
        ),
        (ItemInput(None, repetitions=5, own_name="a"), "Dr\u202eShah", "prescriber"),
        (ItemInput(None, repetitions=5, own_name="a"), "x" * 121, "prescriber"),
    ],
)
def test_the_patients_own_words_are_checked(world, item, prescriber, field):
    with pytest.raises(Invalid) as invalid:
        enter_own_plan(
            patient=world["people"]["patient"],
            prescriber=prescriber,
            items=[item],
            start_date=world["today"],
            review_date=None,
        )

    assert _fields(invalid.value) == {field}


def test_only_patients_enter_a_programme(world):
    with pytest.raises(Refused):
        enter_own_plan(
            patient=world["people"]["therapist"],
            prescriber="",
            items=[reps(world["exercises"]["tilt"].pk)],
            start_date=world["today"],
            review_date=None,
        )


# --- Ending ----------------------------------------------------------------------------------


def test_who_ends_which_plan(world):
    people = world["people"]
    theirs = _write(world).plan_id
    own = enter_own_plan(
        patient=people["patient"],
        prescriber="",
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"],
        review_date=None,
    ).plan_id

    for actor, plan_id in [
        (people["patient"], theirs),
        (people["therapist"], own),
        (people["other_therapist"], theirs),
        (people["other_patient"], own),
        (people["clinic_admin"], theirs),
    ]:
        with pytest.raises(NotFound):
            end_plan(actor=actor, plan_id=plan_id)
    assert not ExercisePlan.objects.filter(ended_at__isnull=False).exists()

    assert end_plan(actor=people["therapist"], plan_id=theirs).ended_at is not None
    assert end_plan(actor=people["patient"], plan_id=own).ended_at is not None
    end_plan(actor=people["patient"], plan_id=own)  # again: nothing changes
    assert AuditEvent.objects.filter(action="exercise_plan.end").count() == 2


# --- Erasure ---------------------------------------------------------------------------------


def test_a_deleted_account_loses_its_plans_ticks_and_own_exercises(world, clock):
    people = world["people"]
    ex = world["exercises"]
    plan_id = _write(world, reps(ex["tilt"].pk)).plan_id
    logs.log_exercise(
        patient=people["patient"],
        plan_id=plan_id,
        exercise_id=ex["tilt"].pk,
        day=world["today"],
        done=True,
    )
    logs.pause_exercise(patient=people["patient"], plan_id=plan_id, exercise_id=ex["tilt"].pk)
    enter_own_plan(
        patient=people["patient"],
        prescriber="",
        items=[ItemInput(None, repetitions=3, own_name="Mine")],
        start_date=world["today"],
        review_date=None,
    )
    kept = enter_own_plan(
        patient=people["other_patient"],
        prescriber="",
        items=[ItemInput(None, repetitions=3, own_name="Mine")],
        start_date=world["today"],
        review_date=None,
    )

    not_theirs = Exercise.objects.filter(patient__isnull=True).count()
    erase_patient_data(patient=people["patient"], now=clock.at)

    assert list(ExercisePlan.objects.values_list("pk", flat=True)) == [kept.plan_id]
    assert not ExerciseLog.objects.exists()
    assert list(
        Exercise.objects.filter(patient__isnull=False).values_list("patient", flat=True)
    ) == [people["other_patient"].pk]
    assert PlanItem.objects.filter(version__plan_id=kept.plan_id).count() == 1
    assert Exercise.objects.filter(patient__isnull=True).count() == not_theirs  # the library's


# --- Concurrency -----------------------------------------------------------------------------

WRITERS = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a race of writers needs PostgreSQL")
def test_parallel_versions_get_one_number_each() -> None:
    from tests.directory.factories import ClinicFactory

    clinic = ClinicFactory()
    therapist = TherapistProfileFactory(location=LocationFactory(clinic=clinic))
    patient = PatientFactory()
    session(therapist, patient, days_ago=1)
    tilt = exercise("t-race-tilt")
    today = therapist.user.date_joined.date()
    plan_id = write_plan(
        therapist=therapist.user,
        patient=patient,
        items=[reps(tilt.pk)],
        start_date=today,
        review_date=None,
    ).plan_id
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            write_plan(
                therapist=therapist.user,
                patient=patient,
                items=[reps(tilt.pk, repetitions=n + 1)],
                start_date=today,
                review_date=None,
                plan_id=plan_id,
            )
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    numbers = sorted(PlanVersion.objects.filter(plan_id=plan_id).values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS + 2))
