"""The patient's ticks (exercises/services/logs.py): one row per plan, exercise and day whatever
the replays, the days a tick may be for, what a tick may say, pauses, and concurrent first
ticks (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections

from sciaticare.accounts.services import set_time_zone
from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.exercises.models import ExerciseLog, PausedExercise, PlanVersion
from sciaticare.exercises.services.logs import (
    log_exercise,
    pause_exercise,
    record_exercise,
    resume_exercise,
)
from sciaticare.exercises.services.plans import end_plan, write_plan
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.exercises.conftest import exercise, reps, session
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _plan(
    world: dict[str, Any], *kinds: str, start_days_ago: int = 10, **kwargs: Any
) -> PlanVersion:
    ex = world["exercises"]
    return write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=[reps(ex[k].pk) for k in kinds or ("tilt",)],
        start_date=world["today"] - timedelta(days=start_days_ago),
        review_date=None,
        **kwargs,
    )


def _log(world: dict[str, Any], plan_id: int, kind: str = "tilt", **kwargs: Any) -> ExerciseLog:
    values = {"day": world["today"], "done": True}
    return log_exercise(
        patient=world["people"]["patient"],
        plan_id=plan_id,
        exercise_id=world["exercises"][kind].pk,
        **{**values, **kwargs},
    )


def _fields(error: Invalid) -> set[str]:
    return {field for field, _ in error.errors}


def test_a_tick_replayed_or_tapped_twice_is_one_row(world):
    plan_id = _plan(world).plan_id

    first = _log(world, plan_id, leg_pain="better")
    again = _log(world, plan_id, leg_pain="better")  # an offline queue sent twice

    assert first.pk == again.pk
    assert ExerciseLog.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="exercise.log").count() == 1


def test_a_second_tick_of_the_day_changes_the_row(world):
    plan_id = _plan(world).plan_id
    _, created = record_exercise(
        patient=world["people"]["patient"],
        plan_id=plan_id,
        exercise_id=world["exercises"]["tilt"].pk,
        day=world["today"],
        done=False,
    )

    log, created_again = record_exercise(
        patient=world["people"]["patient"],
        plan_id=plan_id,
        exercise_id=world["exercises"]["tilt"].pk,
        day=world["today"],
        done=True,
        leg_pain="worse",
        spread_down_leg=True,
    )

    assert (created, created_again) == (True, False)
    stored = ExerciseLog.objects.get()
    assert (stored.pk, stored.done, stored.leg_pain, stored.spread_down_leg) == (
        log.pk,
        True,
        "worse",
        True,
    )
    assert list(
        AuditEvent.objects.order_by("pk")
        .filter(action__startswith="exercise.log")
        .values_list("action", flat=True)
    ) == ["exercise.log", "exercise.log.update"]


def test_ticks_of_different_days_and_exercises_are_rows_of_their_own(world):
    plan_id = _plan(world, "tilt", "slider").plan_id

    _log(world, plan_id)
    _log(world, plan_id, day=world["today"] - timedelta(days=1))
    _log(world, plan_id, "slider")

    assert ExerciseLog.objects.count() == 3


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"done": False, "leg_pain": "worse"}, "leg_pain"),
        ({"done": False, "spread_down_leg": True}, "leg_pain"),
        ({"leg_pain": "awful"}, "leg_pain"),
        ({"day_offset": 1}, "date"),
        ({"day_offset": -11}, "date"),  # before the plan started
        ({"year": 1999}, "date"),
    ],
)
def test_what_a_tick_may_not_say(world, values, field):
    plan_id = _plan(world).plan_id
    values = dict(values)
    day = world["today"] + timedelta(days=values.pop("day_offset", 0))
    if "year" in values:
        day = day.replace(year=values.pop("year"))

    with pytest.raises(Invalid) as invalid:
        _log(world, plan_id, day=day, **values)

    assert field in _fields(invalid.value)
    assert not ExerciseLog.objects.exists()


def test_the_day_is_the_patients_own(world, clock):
    """At 11:00 UTC it is already tomorrow in Auckland: a tick for that day is today's there,
    and the day after is still the future."""
    set_time_zone(user=world["people"]["patient"], time_zone="Pacific/Auckland")
    clock.at = datetime(2026, 7, 14, 13, 0, tzinfo=UTC)  # 01:00 on the 15th in Auckland
    plan_id = _plan(world).plan_id
    auckland_today = world["today"] + timedelta(days=1)

    _log(world, plan_id, day=auckland_today)
    with pytest.raises(Invalid):
        _log(world, plan_id, day=auckland_today + timedelta(days=1))


def test_an_exercise_counts_only_on_days_its_version_was_in_force(world):
    first = _plan(world, "tilt", start_days_ago=10)
    write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=[reps(world["exercises"]["slider"].pk)],
        start_date=world["today"] - timedelta(days=3),
        review_date=None,
        plan_id=first.plan_id,
    )

    _log(world, first.plan_id, "tilt", day=world["today"] - timedelta(days=4))
    _log(world, first.plan_id, "slider", day=world["today"] - timedelta(days=3))
    for kind, days_ago in [("tilt", 3), ("tilt", 0), ("slider", 4), ("walk", 0)]:
        with pytest.raises(Invalid) as invalid:
            _log(world, first.plan_id, kind, day=world["today"] - timedelta(days=days_ago))
        assert _fields(invalid.value) == {"exercise"}


def test_no_tick_after_the_plan_ended(world, clock):
    plan_id = _plan(world).plan_id
    end_plan(actor=world["people"]["therapist"], plan_id=plan_id)
    _log(world, plan_id)  # the day it ended (a morning's tick sent later)
    clock.at += timedelta(days=1)

    with pytest.raises(Invalid) as invalid:
        _log(world, plan_id, day=world["today"] + timedelta(days=1))

    assert _fields(invalid.value) == {"date"}


@pytest.mark.parametrize("who", ["other_patient", "therapist"])
def test_only_the_patient_ticks_their_plan(world, who):
    plan_id = _plan(world).plan_id

    with pytest.raises(NotFound):
        log_exercise(
            patient=world["people"][who],
            plan_id=plan_id,
            exercise_id=world["exercises"]["tilt"].pk,
            day=world["today"],
            done=True,
        )
    with pytest.raises(NotFound):
        pause_exercise(
            patient=world["people"][who], plan_id=plan_id, exercise_id=world["exercises"]["tilt"].pk
        )


def test_pause_and_resume(world):
    patient, tilt = world["people"]["patient"], world["exercises"]["tilt"].pk
    plan_id = _plan(world, "tilt", "slider").plan_id

    pause_exercise(patient=patient, plan_id=plan_id, exercise_id=tilt)
    pause_exercise(patient=patient, plan_id=plan_id, exercise_id=tilt)
    assert list(PausedExercise.objects.values_list("exercise_id", flat=True)) == [tilt]
    resume_exercise(patient=patient, plan_id=plan_id, exercise_id=tilt)
    resume_exercise(patient=patient, plan_id=plan_id, exercise_id=tilt)

    assert not PausedExercise.objects.exists()
    assert list(
        AuditEvent.objects.order_by("pk")
        .filter(action__in=["exercise.pause", "exercise.resume"])
        .values_list("action", flat=True)
    ) == ["exercise.pause", "exercise.resume"]
    with pytest.raises(Invalid):
        pause_exercise(patient=patient, plan_id=plan_id, exercise_id=world["exercises"]["walk"].pk)
    end_plan(actor=world["people"]["therapist"], plan_id=plan_id)
    with pytest.raises(Invalid):
        pause_exercise(patient=patient, plan_id=plan_id, exercise_id=tilt)


# --- Concurrency -----------------------------------------------------------------------------

TAPS = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a race of writers needs PostgreSQL")
def test_simultaneous_first_ticks_of_a_day_make_one_row() -> None:
    therapist = TherapistProfileFactory(location=LocationFactory(clinic=ClinicFactory()))
    patient = PatientFactory()
    session(therapist, patient, days_ago=1)
    tilt = exercise("t-race-tick")
    from django.utils import timezone

    today = timezone.localdate()
    plan_id = write_plan(
        therapist=therapist.user,
        patient=patient,
        items=[reps(tilt.pk)],
        start_date=today,
        review_date=None,
    ).plan_id
    barrier = threading.Barrier(TAPS)
    failures: list[BaseException] = []

    def tap(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            log_exercise(
                patient=patient,
                plan_id=plan_id,
                exercise_id=tilt.pk,
                day=today,
                done=True,
                leg_pain=("better", "same", "worse")[n % 3],
            )
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(TAPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert ExerciseLog.objects.filter(plan_id=plan_id).count() == 1
