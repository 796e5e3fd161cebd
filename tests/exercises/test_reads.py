"""Reading programmes (exercises/selectors/plans.py): who reads what (audited for a therapist),
the version in force, the patient's day in a fixed number of queries, the flags and when a
therapist's look clears them, the therapist's flagged clients, and adherence's inputs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import NotFound
from sciaticare.exercises.adherence import EVERY_DAY, Week, week_of
from sciaticare.exercises.models import PlanVersion
from sciaticare.exercises.response import FLAG_WINDOW_DAYS, Flag
from sciaticare.exercises.selectors import planned
from sciaticare.exercises.selectors import plans as selectors
from sciaticare.exercises.services.logs import log_exercise, pause_exercise
from sciaticare.exercises.services.plans import ItemInput, end_plan, enter_own_plan, write_plan
from sciaticare.scheduling.models import AppointmentStatus
from tests.exercises.conftest import dosed, reps, session
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TUESDAY = 1 << 1


def _plan(world: dict[str, Any], *items: ItemInput, days_ago: int = 10, **kw: Any) -> PlanVersion:
    return write_plan(
        therapist=world["people"]["therapist"],
        patient=kw.pop("patient", world["people"]["patient"]),
        items=list(items) or [reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"] - timedelta(days=days_ago),
        review_date=None,
        **kw,
    )


def _tick(world: dict[str, Any], plan_id: int, kind: str, days_ago: int = 0, **kw: Any) -> None:
    log_exercise(
        patient=kw.pop("patient", world["people"]["patient"]),
        plan_id=plan_id,
        exercise_id=world["exercises"][kind].pk,
        day=world["today"] - timedelta(days=days_ago),
        **{"done": True, **kw},
    )


# --- Who reads -------------------------------------------------------------------------------


def test_the_patient_and_the_treating_therapist_read_the_plans(world):
    people = world["people"]
    plan_id = _plan(world).plan_id

    for viewer in (people["patient"], people["therapist"]):
        assert [p.pk for p in selectors.plans_of(viewer=viewer, patient=people["patient"])] == [
            plan_id
        ]
        assert selectors.plan_view(viewer=viewer, plan_id=plan_id).plan.pk == plan_id
        assert [v.number for v in selectors.versions_of(viewer=viewer, plan_id=plan_id)] == [1]

    audited = AuditEvent.objects.filter(actor=people["therapist"], patient=people["patient"])
    assert sorted(audited.values_list("action", flat=True)) == [
        "exercise_plan.create",
        "exercise_plan.list",
        "exercise_plan.view",
        "exercise_plan.view",
    ]
    assert not AuditEvent.objects.filter(actor=people["patient"]).exists()


@pytest.mark.parametrize(
    "who", ["other_patient", "other_therapist", "clinic_admin", "other_clinic_admin", "site_admin"]
)
def test_nobody_else_reads_them(world, who):
    people = world["people"]
    plan_id = _plan(world).plan_id

    with pytest.raises(NotFound):
        selectors.plans_of(viewer=people[who], patient=people["patient"])
    for read in (selectors.plan_view, selectors.versions_of, planned.weekly_adherence):
        with pytest.raises(NotFound):
            read(viewer=people[who], plan_id=plan_id)
    assert not AuditEvent.objects.filter(actor=people[who]).exists()


# --- The version in force --------------------------------------------------------------------


def test_the_view_shows_the_version_in_force_and_the_one_to_come(world):
    ex = world["exercises"]
    first = _plan(world, reps(ex["tilt"].pk), reps(ex["slider"].pk), days_ago=10)
    _plan(world, dosed(ex["walk"]), days_ago=-5, plan_id=first.plan_id)
    pause_exercise(
        patient=world["people"]["patient"], plan_id=first.plan_id, exercise_id=ex["slider"].pk
    )
    _tick(world, first.plan_id, "tilt", spread_down_leg=True)

    view = selectors.plan_view(viewer=world["people"]["patient"], plan_id=first.plan_id)

    assert (view.version.number, view.upcoming.number if view.upcoming else None) == (1, 2)
    assert [i.exercise.pk for i in view.items] == [ex["tilt"].pk, ex["slider"].pk]
    assert view.paused == {ex["slider"].pk}
    assert view.flags == {ex["tilt"].pk: [Flag.SPREAD]}
    assert view.today == world["today"]


def test_before_its_start_the_view_shows_the_first_version_to_come(world):
    version = _plan(world, days_ago=-3)

    view = selectors.plan_view(viewer=world["people"]["patient"], plan_id=version.plan_id)

    assert (view.version.pk, view.upcoming) == (version.pk, None)


# --- Flags (the patient's day: test_day.py) ----------------------------------------------------


def test_spread_flags_at_once_and_worse_after_three(world):
    ex = world["exercises"]
    plan_id = _plan(world, reps(ex["tilt"].pk), reps(ex["slider"].pk)).plan_id
    patient = world["people"]["patient"]
    _tick(world, plan_id, "slider", days_ago=2, leg_pain="worse")
    _tick(world, plan_id, "slider", days_ago=1, leg_pain="worse")
    assert selectors.flags_for(patient=patient) == {}

    _tick(world, plan_id, "slider", leg_pain="worse")
    _tick(world, plan_id, "tilt", leg_pain="same", spread_down_leg=True)

    assert selectors.flags_for(patient=patient) == {
        (plan_id, ex["slider"].pk): [Flag.WORSE],
        (plan_id, ex["tilt"].pk): [Flag.SPREAD],
    }


def test_marks_older_than_the_flag_window_are_history(world):
    patient = world["people"]["patient"]
    own = enter_own_plan(
        patient=patient,
        prescriber="",
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"] - timedelta(days=100),
        review_date=None,
    )
    _tick(world, own.plan_id, "tilt", days_ago=FLAG_WINDOW_DAYS, spread_down_leg=True)
    assert selectors.flags_for(patient=patient) == {}

    _tick(world, own.plan_id, "tilt", days_ago=FLAG_WINDOW_DAYS - 1, spread_down_leg=True)
    assert selectors.flags_for(patient=patient) == {
        (own.plan_id, world["exercises"]["tilt"].pk): [Flag.SPREAD]
    }


def test_a_completed_session_with_the_plans_therapist_clears_the_flags(world, clock):
    plan_id = _plan(world).plan_id
    patient = world["people"]["patient"]
    _tick(world, plan_id, "tilt", days_ago=1, spread_down_leg=True)
    # A session booked, or with another therapist, does not count as the therapist's look.
    clock.at += timedelta(hours=10)
    session(world["therapist_profile"], patient, days_ago=8 / 24, status=AppointmentStatus.BOOKED)
    other = world["people"]["other_therapist"].therapist_profile
    session(other, patient, days_ago=5 / 24)
    assert selectors.flags_for(patient=patient) != {}

    session(world["therapist_profile"], patient, days_ago=2 / 24)
    assert selectors.flags_for(patient=patient) == {}

    # A mark written after the session flags again, even for a day before it.
    clock.at += timedelta(hours=1)
    _tick(world, plan_id, "tilt", days_ago=2, spread_down_leg=True)
    assert selectors.flags_for(patient=patient) == {
        (plan_id, world["exercises"]["tilt"].pk): [Flag.SPREAD]
    }


def test_a_new_version_starts_the_flags_afresh(world, clock):
    ex = world["exercises"]
    first = _plan(world, days_ago=10)
    _tick(world, first.plan_id, "tilt", days_ago=5, spread_down_leg=True)
    assert selectors.flags_for(patient=world["people"]["patient"])

    _plan(world, reps(ex["tilt"].pk), days_ago=2, plan_id=first.plan_id)

    assert selectors.flags_for(patient=world["people"]["patient"]) == {}


def test_the_patients_own_plan_flags_since_its_version_started(world):
    patient = world["people"]["patient"]
    own = enter_own_plan(
        patient=patient,
        prescriber="",
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"] - timedelta(days=5),
        review_date=None,
    )
    session(world["therapist_profile"], patient, days_ago=1 / 24)  # no therapist of its own

    _tick(world, own.plan_id, "tilt", days_ago=4, spread_down_leg=True)

    assert list(selectors.flags_for(patient=patient)) == [
        (own.plan_id, world["exercises"]["tilt"].pk)
    ]
    end_plan(actor=patient, plan_id=own.plan_id)
    assert selectors.flags_for(patient=patient) == {}


# --- The therapist's flagged clients ---------------------------------------------------------


def test_flagged_clients_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    people = world["people"]
    therapist = world["therapist_profile"]
    tilt = world["exercises"]["tilt"]
    plan_id = _plan(world).plan_id
    _tick(world, plan_id, "tilt", days_ago=1, spread_down_leg=True)
    upcoming = session(therapist, people["patient"], days_ago=-2, status=AppointmentStatus.BOOKED)
    session(therapist, people["patient"], days_ago=-9, status=AppointmentStatus.BOOKED)
    others = [PatientFactory() for _ in range(4)]
    for n, other in enumerate(others):
        session(therapist, other, days_ago=3 + n)
        other_plan = _plan(world, patient=other).plan_id
        _tick(world, other_plan, "tilt", days_ago=n, patient=other, leg_pain="same")

    with django_assert_num_queries(5 + 1):  # and the audit row for the one client shown
        listed = selectors.flagged_clients(therapist=people["therapist"])

    assert [
        (c.patient, c.plan_id, c.exercise, c.flags, c.marked_on, c.next_appointment) for c in listed
    ] == [
        (
            people["patient"],
            plan_id,
            tilt,
            (Flag.SPREAD,),
            world["today"] - timedelta(days=1),
            upcoming,
        )
    ]
    assert AuditEvent.objects.filter(
        action="exercise_plan.flags.view", actor=people["therapist"], patient=people["patient"]
    ).exists()
    for other in others:  # every client flagged: still six queries, the audit rows in one
        other_plan = selectors.plans_of(viewer=other, patient=other)[0].pk
        _tick(world, other_plan, "tilt", days_ago=6, patient=other, spread_down_leg=True)
    with django_assert_num_queries(5 + 1):  # the five clients' audit rows in one
        assert len(selectors.flagged_clients(therapist=people["therapist"])) == 5
    assert (
        AuditEvent.objects.filter(action="exercise_plan.flags.view", actor=people["therapist"])
        .values("patient")
        .distinct()
        .count()
        == 5
    )
    assert selectors.flagged_clients(therapist=people["other_therapist"]) == []


# --- Adherence's inputs ----------------------------------------------------------------------


def test_planned_and_done_between_two_days(world):
    ex = world["exercises"]
    today = world["today"]
    patient = world["people"]["patient"]
    first = _plan(world, reps(ex["tilt"].pk), days_ago=20)
    _plan(world, reps(ex["slider"].pk, days=TUESDAY), days_ago=6, plan_id=first.plan_id)
    _tick(world, first.plan_id, "tilt", days_ago=8)
    _tick(world, first.plan_id, "slider", days_ago=0)
    _tick(world, first.plan_id, "slider", days_ago=0, patient=patient)  # once

    spans = planned.planned_between(
        patient=patient, start=today - timedelta(days=10), end=today + timedelta(days=30)
    )
    done = planned.logs_between(patient=patient, start=today - timedelta(days=10), end=today)

    assert [(s.start, s.end, dict(s.days)) for s in spans[first.plan_id]] == [
        (today - timedelta(days=10), today - timedelta(days=7), {ex["tilt"].pk: EVERY_DAY}),
        (today - timedelta(days=6), today, {ex["slider"].pk: TUESDAY}),  # never past today
    ]
    assert done == {
        first.plan_id: {(ex["tilt"].pk, today - timedelta(days=8)), (ex["slider"].pk, today)}
    }


def test_weekly_adherence_of_a_plan(world):
    patient = world["people"]["patient"]
    today = world["today"]  # a Tuesday
    plan_id = _plan(world, reps(world["exercises"]["tilt"].pk), days_ago=8).plan_id  # Monday
    for days_ago in (8, 7, 5, 1, 0):
        _tick(world, plan_id, "tilt", days_ago=days_ago)
    _tick(world, plan_id, "tilt", days_ago=2, done=False)

    weeks = planned.weekly_adherence(viewer=world["people"]["therapist"], plan_id=plan_id)

    assert weeks == [Week(week_of(today) - timedelta(days=7), 7, 3), Week(week_of(today), 2, 2)]
    pause_exercise(patient=patient, plan_id=plan_id, exercise_id=world["exercises"]["tilt"].pk)
    assert planned.weekly_adherence(viewer=patient, plan_id=plan_id)[-1] == Week(
        week_of(today), 1, 1
    )
