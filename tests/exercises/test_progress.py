"""Reading how a patient keeps up their programme (exercises.selectors.progress): the spans of
each version, the days done, adherence per week, flags with their day, who may read it, and a
query count that does not grow with the history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import NotFound
from sciaticare.exercises.adherence import EVERY_DAY, Week
from sciaticare.exercises.response import Flag
from sciaticare.exercises.selectors.progress import (
    FlagSeen,
    adherence_in_windows,
    progress_for,
)
from sciaticare.intake.models import IntakeShare
from tests.directory.factories import TherapistProfileFactory
from tests.exercises.insight_factories import exercise, log, pause, plan, version
from tests.factories import AppointmentFactory, PatientFactory, TherapistFactory

MONDAY = date(2026, 11, 2)
#: Sunday 15 November 2026, noon in London (UTC then): the end of the second week.
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
MON_WED_FRI = 0b0010101


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def two_versions(db, clock):
    """Version 1 (2 Nov): A every day. Version 2 (9 Nov): A Mon/Wed/Fri, B every day."""
    patient = PatientFactory(time_zone="Europe/London")
    a, b = exercise("Knee to chest"), exercise("Nerve slider")
    made = plan(patient, [(a, EVERY_DAY)], start=MONDAY)
    version(made, [(a, MON_WED_FRI), (b, EVERY_DAY)], start=MONDAY + timedelta(days=7))
    return patient, made, a, b


def test_each_version_plans_until_the_next_one_starts(two_versions):
    patient, made, a, b = two_versions
    log(made, a, [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)])
    # Week 2: A on Monday and on Tuesday (not planned: it counts for its week, up to 3);
    # B Monday to Thursday.
    log(made, a, [date(2026, 11, 9), date(2026, 11, 10)])
    log(made, b, _days(date(2026, 11, 9), date(2026, 11, 12)))

    found = progress_for(viewer=patient, patient=patient)

    assert found.weeks == [Week(MONDAY, 7, 3), Week(date(2026, 11, 9), 3 + 7, 2 + 4)]
    assert found.overall == pytest.approx(9 / 17)
    assert [e.name for e in found.exercises] == ["Knee to chest", "Nerve slider"]
    knee = found.exercises[0]
    assert len(knee.planned) == 7 + 3
    assert knee.done == frozenset(
        [*_days(MONDAY, MONDAY + timedelta(days=2)), date(2026, 11, 9), date(2026, 11, 10)]
    )
    assert found.plans[0].first_start == MONDAY
    assert found.plans[0].current_start == date(2026, 11, 9)


def test_nothing_is_planned_after_today_or_from_the_day_the_programme_ended(db, clock):
    patient = PatientFactory(time_zone="Europe/London")
    a = exercise()
    # Ended on Thursday 5 November in the afternoon: planned Monday to Wednesday.
    plan(
        patient,
        [(a, EVERY_DAY)],
        start=MONDAY,
        ended_at=datetime(2026, 11, 5, 15, 0, tzinfo=UTC),
    )
    future = plan(patient, [(a, EVERY_DAY)], start=date(2026, 11, 13))

    found = progress_for(viewer=patient, patient=patient)

    assert found.weeks == [Week(MONDAY, 3, 0), Week(date(2026, 11, 9), 3, 0)]
    assert [h.active for h in found.plans] == [False, True]
    assert found.plans[1].plan_id == future.pk


def test_a_paused_exercise_is_not_planned_from_the_day_it_was_paused(two_versions):
    patient, made, _, b = two_versions
    pause(made, b, datetime(2026, 11, 12, 8, 0, tzinfo=UTC))

    found = progress_for(viewer=patient, patient=patient)

    slider = next(e for e in found.exercises if e.exercise_id == b.pk)
    assert slider.paused_on == date(2026, 11, 12)
    assert sorted(slider.planned) == _days(date(2026, 11, 9), date(2026, 11, 11))
    assert found.weeks[-1] == Week(date(2026, 11, 9), 3 + 3, 0)


def test_flags_come_first_with_the_day_of_the_mark_that_raised_them(two_versions):
    patient, made, a, b = two_versions
    # Before the current version: not counted (the therapist looked again since).
    log(made, a, [MONDAY], spread=True)
    log(made, b, [date(2026, 11, 10)], spread=True, leg_pain="worse")
    log(made, b, [date(2026, 11, 11)], done=False)  # no mark: neither breaks nor extends
    log(made, b, [date(2026, 11, 12), date(2026, 11, 13)], leg_pain="worse")

    found = progress_for(viewer=patient, patient=patient)

    first = found.exercises[0]
    assert first.exercise_id == b.pk
    assert first.flags == [
        FlagSeen(Flag.SPREAD, date(2026, 11, 10)),
        FlagSeen(Flag.WORSE, date(2026, 11, 13)),
    ]
    assert found.exercises[1].flags == []
    assert [e.exercise_id for e in found.flagged] == [b.pk]


def test_an_ended_programme_raises_no_flag(db, clock):
    patient = PatientFactory()
    a = exercise()
    made = plan(
        patient, [(a, EVERY_DAY)], start=MONDAY, ended_at=datetime(2026, 11, 10, tzinfo=UTC)
    )
    log(made, a, [MONDAY], spread=True)

    assert progress_for(viewer=patient, patient=patient).flagged == []


def test_a_treating_therapist_reads_it_audited_and_nobody_else_does(two_versions):
    patient, *_ = two_versions
    profile = TherapistProfileFactory()
    AppointmentFactory(patient=patient, therapist=profile)
    shared = TherapistFactory()
    IntakeShare.objects.create(patient=patient, therapist=shared, email=shared.email)

    found = progress_for(viewer=profile.user, patient=patient)

    assert len(found.weeks) == 2
    assert AuditEvent.objects.filter(
        actor=profile.user, patient=patient, action="exercise_plan.progress.view"
    ).exists()
    for outsider in (PatientFactory(), TherapistFactory(), shared):
        with pytest.raises(NotFound):
            progress_for(viewer=outsider, patient=patient)
    assert not AuditEvent.objects.filter(
        action="exercise_plan.progress.view", actor=shared
    ).exists()
    # The patient's own read is not an access by someone else.
    progress_for(viewer=patient, patient=patient)
    assert not AuditEvent.objects.filter(actor=patient).exists()


def _history(patient, days: int) -> None:
    a, b, c = exercise(), exercise(), exercise(timed=True)
    start = NOW.date() - timedelta(days=days)
    made = plan(patient, [(a, EVERY_DAY), (b, MON_WED_FRI)], start=start)
    version(made, [(a, EVERY_DAY), (c, EVERY_DAY)], start=start + timedelta(days=days // 2))
    pause(made, c, NOW - timedelta(days=1))
    other = plan(patient, [(b, EVERY_DAY)], start=start + timedelta(days=3))
    log(made, a, _days(start, NOW.date())[::2], leg_pain="better")
    log(other, b, _days(start, NOW.date())[::3])


def test_the_number_of_queries_does_not_grow_with_the_history(db, clock, django_assert_num_queries):
    week, years = PatientFactory(), PatientFactory()
    _history(week, 7)
    _history(years, 3 * 365)

    # Versions, their exercises, pauses, logs, and for the flags the items in force and the
    # window's marks (none here).
    with django_assert_num_queries(6):
        short = progress_for(viewer=week, patient=week)
    with django_assert_num_queries(6):
        long = progress_for(viewer=years, patient=years)

    assert len(short.weeks) <= 2
    assert len(long.weeks) >= 150


def test_adherence_in_windows_takes_each_patients_days_only(db, clock):
    first, second, without = PatientFactory(), PatientFactory(), PatientFactory()
    a = exercise()
    one = plan(first, [(a, EVERY_DAY)], start=MONDAY)
    log(one, a, _days(MONDAY, MONDAY + timedelta(days=4)))
    two = plan(second, [(a, MON_WED_FRI)], start=MONDAY)
    log(two, a, [MONDAY])

    found = adherence_in_windows(
        {
            "first": (first.pk, MONDAY, MONDAY + timedelta(days=6)),
            "first, later": (first.pk, MONDAY + timedelta(days=3), MONDAY + timedelta(days=9)),
            "second": (second.pk, MONDAY + timedelta(days=7), MONDAY + timedelta(days=13)),
            "without": (without.pk, MONDAY, MONDAY + timedelta(days=6)),
        }
    )

    assert found == {
        "first": [Week(MONDAY, 7, 5)],
        # Thursday to Sunday, then Monday to Wednesday: done on Thursday and Friday only.
        "first, later": [Week(MONDAY, 4, 2), Week(date(2026, 11, 9), 3, 0)],
        "second": [Week(date(2026, 11, 9), 3, 0)],
    }
