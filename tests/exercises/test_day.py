"""The patient's day (exercises/selectors/day.py): the exercises planned today in the active
programmes with the day's tick, the pause and the flags — in ONE query however long the history
(the dashboard's budget), with the same flags as ``plans.flags_for``."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import ExerciseLog, LegPain, PlanVersion
from sciaticare.exercises.response import Flag
from sciaticare.exercises.selectors import plans as selectors
from sciaticare.exercises.selectors.day import today
from sciaticare.exercises.services.logs import log_exercise, pause_exercise
from sciaticare.exercises.services.plans import ItemInput, end_plan, enter_own_plan, write_plan
from tests.exercises.conftest import dosed, reps, session

pytestmark = pytest.mark.django_db

TUESDAY = 1 << 1


def _plan(world: dict[str, Any], *items: ItemInput, days_ago: int = 10, **kw: Any) -> PlanVersion:
    return write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=list(items) or [reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"] - timedelta(days=days_ago),
        review_date=None,
        **kw,
    )


def _tick(world: dict[str, Any], plan_id: int, kind: str, days_ago: int = 0, **kw: Any) -> None:
    log_exercise(
        patient=world["people"]["patient"],
        plan_id=plan_id,
        exercise_id=world["exercises"][kind].pk,
        day=world["today"] - timedelta(days=days_ago),
        **{"done": True, **kw},
    )


def _today(world: dict[str, Any]) -> list[Any]:
    return today(patient=world["people"]["patient"], day=world["today"])


def test_today_lists_the_exercises_planned_on_the_day_with_their_state(world):
    ex = world["exercises"]
    assert world["today"].weekday() == 1  # a Tuesday
    plan_id = _plan(
        world,
        reps(ex["tilt"].pk),
        ItemInput(ex["walk"].pk, minutes=20, days=EVERY_DAY & ~TUESDAY),
        reps(ex["slider"].pk, days=TUESDAY),
    ).plan_id
    _tick(world, plan_id, "tilt", leg_pain="better")
    _tick(world, plan_id, "slider", done=False)
    pause_exercise(patient=world["people"]["patient"], plan_id=plan_id, exercise_id=ex["slider"].pk)
    ended = enter_own_plan(
        patient=world["people"]["patient"],
        prescriber="",
        items=[dosed(ex["walk"])],
        start_date=world["today"],
        review_date=None,
    )
    end_plan(actor=world["people"]["patient"], plan_id=ended.plan_id)

    listed = _today(world)

    assert [(i.plan_id, i.exercise.pk, i.done, i.leg_pain, i.paused) for i in listed] == [
        (plan_id, ex["tilt"].pk, True, "better", False),
        (plan_id, ex["slider"].pk, False, "", True),
    ]
    assert today(patient=world["people"]["other_patient"], day=world["today"]) == []


def test_today_takes_one_query_whatever_the_history(world, django_assert_num_queries):
    ex = world["exercises"]
    plan_id = _plan(world, reps(ex["tilt"].pk), reps(ex["slider"].pk), days_ago=3 * 365).plan_id
    for n in range(1, 8):  # versions over the years
        _plan(
            world,
            reps(ex["tilt"].pk, repetitions=n + 1),
            reps(ex["slider"].pk),
            days_ago=3 * 365 - 100 * n,
            plan_id=plan_id,
        )
    ExerciseLog.objects.bulk_create(
        ExerciseLog(
            plan_id=plan_id,
            exercise=ex[kind],
            date=world["today"] - timedelta(days=n),
            done=n % 3 != 0,
            leg_pain=("better", "same", "worse")[n % 3] if n % 3 else "",
        )
        for n in range(1, 3 * 365)
        for kind in ("tilt", "slider")
    )
    _tick(world, plan_id, "tilt", spread_down_leg=True)

    with django_assert_num_queries(1):
        listed = _today(world)

    assert [(i.item.repetitions, i.done, i.flags) for i in listed] == [
        (8, True, (Flag.SPREAD,)),
        (10, None, ()),
    ]


def test_nothing_planned_is_one_query_and_an_empty_day(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert _today(world) == []


def test_the_version_in_force_is_listed_not_one_to_come_nor_an_ended_plan(world):
    ex = world["exercises"]
    first = _plan(world, reps(ex["tilt"].pk, repetitions=5), days_ago=20)
    _plan(world, reps(ex["tilt"].pk, repetitions=6), days_ago=5, plan_id=first.plan_id)
    _plan(world, reps(ex["slider"].pk), days_ago=-3, plan_id=first.plan_id)  # in 3 days
    later = _plan(world, reps(ex["slider"].pk), days_ago=-1)  # a plan not started yet
    ended = _plan(world, dosed(ex["walk"]))
    end_plan(actor=world["people"]["therapist"], plan_id=ended.plan_id)

    listed = _today(world)

    assert [(i.plan_id, i.exercise.pk, i.item.repetitions) for i in listed] == [
        (first.plan_id, ex["tilt"].pk, 6)
    ]
    assert later.plan_id not in {i.plan_id for i in listed}


def test_newest_plan_first_then_the_programmes_order(world):
    ex = world["exercises"]
    older = _plan(world, reps(ex["slider"].pk), reps(ex["tilt"].pk))
    newer = enter_own_plan(
        patient=world["people"]["patient"],
        prescriber="Dr Shah",
        items=[reps(ex["walk"].pk, repetitions=0, minutes=15)],
        start_date=world["today"],
        review_date=None,
    )

    assert [(i.plan_id, i.exercise.pk) for i in _today(world)] == [
        (newer.plan_id, ex["walk"].pk),
        (older.plan_id, ex["slider"].pk),
        (older.plan_id, ex["tilt"].pk),
    ]


def test_worse_three_times_running_flags_and_a_better_between_does_not(world):
    plan_id = _plan(world, reps(world["exercises"]["tilt"].pk)).plan_id
    for days_ago, pain in ((4, "worse"), (3, "worse"), (2, "better"), (1, "worse")):
        _tick(world, plan_id, "tilt", days_ago=days_ago, leg_pain=pain)
    assert _today(world)[0].flags == ()

    _tick(world, plan_id, "tilt", leg_pain="worse")

    assert _today(world)[0].flags == ()  # worse, better, worse, worse: a run of two
    _tick(world, plan_id, "tilt", days_ago=2, leg_pain="worse")  # the better day corrected
    assert _today(world)[0].flags == (Flag.WORSE,)


def test_the_therapists_completed_session_clears_the_flags_of_the_day(world, clock):
    plan_id = _plan(world).plan_id
    patient = world["people"]["patient"]
    _tick(world, plan_id, "tilt", days_ago=1, spread_down_leg=True)
    assert _today(world)[0].flags == (Flag.SPREAD,)

    clock.at += timedelta(hours=2)
    session(world["therapist_profile"], patient, days_ago=1 / 24)

    assert _today(world)[0].flags == ()


@pytest.mark.parametrize("seed", range(6))
def test_the_days_flags_are_those_of_flags_for(world, seed):
    """Whatever the history, the one query finds the flags the therapist's reads find."""
    rng = random.Random(seed)
    ex = world["exercises"]
    kinds = ("tilt", "slider", "walk")
    plan_id = _plan(world, *(dosed(ex[k]) for k in kinds), days_ago=40).plan_id
    if rng.random() < 0.5:
        _plan(world, *(dosed(ex[k]) for k in kinds), days_ago=rng.randint(1, 30), plan_id=plan_id)
    ExerciseLog.objects.bulk_create(
        ExerciseLog(
            plan_id=plan_id,
            exercise=ex[kind],
            date=world["today"] - timedelta(days=n),
            done=(done := rng.random() < 0.8),
            leg_pain=rng.choice(["", *LegPain.values]) if done else "",
            spread_down_leg=done and rng.random() < 0.03,
        )
        for n in range(40)
        for kind in kinds
    )
    if rng.random() < 0.5:
        session(world["therapist_profile"], world["people"]["patient"], days_ago=rng.randint(1, 30))

    found = selectors.flags_for(patient=world["people"]["patient"], day=world["today"])

    assert {(i.plan_id, i.exercise.pk): list(i.flags) for i in _today(world) if i.flags} == found


def test_every_day_and_weekday_masks(world):
    ex = world["exercises"]
    plan_id = _plan(
        world,
        reps(ex["tilt"].pk, days=EVERY_DAY),
        reps(ex["slider"].pk, days=EVERY_DAY & ~TUESDAY),
    ).plan_id
    pause_exercise(patient=world["people"]["patient"], plan_id=plan_id, exercise_id=ex["tilt"].pk)

    assert [(i.exercise.pk, i.paused, i.done) for i in _today(world)] == [
        (ex["tilt"].pk, True, None)
    ]
