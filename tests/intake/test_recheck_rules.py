"""The pure rule of what a booking asks first (intake/recheck.py): nothing within a day of the
red flags being answered, the one-tap re-check for an intake under four weeks old, the whole
intake past that. No Django needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sciaticare.intake.recheck import (
    FRESH_FOR,
    VALID_FOR,
    Needed,
    is_fresh,
    is_valid,
    needed_before_booking,
)

quiet = settings(database=None, deadline=None)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
H, D = timedelta(hours=1), timedelta(days=1)
# Ages up to twice the validity, to the second.
ages = st.integers(0, int(2 * VALID_FOR.total_seconds())).map(lambda s: timedelta(seconds=s))


def _needed(intake_age: timedelta | None, answered_age: timedelta | None = None) -> Needed:
    return needed_before_booking(
        intake_at=None if intake_age is None else NOW - intake_age,
        answered_at=None if answered_age is None else NOW - answered_age,
        now=NOW,
    )


def test_the_windows_are_a_day_and_four_weeks():
    assert timedelta(days=1) == FRESH_FOR
    assert timedelta(weeks=4) == VALID_FOR


@pytest.mark.parametrize(
    ("intake_age", "answered_age", "needed"),
    [
        # No intake in an open episode (none yet, or a new episode begun): the whole intake.
        (None, None, Needed.INTAKE),
        (None, H, Needed.INTAKE),
        # Saved within the day: nothing to ask.
        (timedelta(0), None, Needed.NOTHING),
        (D - timedelta(seconds=1), None, Needed.NOTHING),
        # A day old: the re-check, up to four weeks.
        (D, None, Needed.RECHECK),
        (3 * 7 * D, None, Needed.RECHECK),
        (VALID_FOR - timedelta(seconds=1), None, Needed.RECHECK),
        # ... unless it was re-checked within the day.
        (3 * 7 * D, 2 * H, Needed.NOTHING),
        (3 * 7 * D, D - timedelta(seconds=1), Needed.NOTHING),
        (3 * 7 * D, D, Needed.RECHECK),
        (10 * D, 3 * D, Needed.RECHECK),
        # Four weeks and over: the whole intake, whatever the re-checks.
        (VALID_FOR, None, Needed.INTAKE),
        (VALID_FOR, H, Needed.INTAKE),
        (VALID_FOR + timedelta(seconds=1), timedelta(0), Needed.INTAKE),
        (52 * 7 * D, H, Needed.INTAKE),
        # A re-check recorded before the intake (an older revision's) counts as the intake.
        (2 * H, 3 * D, Needed.NOTHING),
        (3 * D, 5 * D, Needed.RECHECK),
        # A clock a little behind the intake's time: still fresh.
        (-H, None, Needed.NOTHING),
    ],
)
def test_what_a_booking_asks_first(intake_age, answered_age, needed):
    assert _needed(intake_age, answered_age) is needed


@quiet
@given(ages, st.one_of(st.none(), ages))
def test_the_whole_intake_exactly_when_it_is_four_weeks_old(intake_age, answered_age):
    """A re-check never extends an intake's four weeks."""
    outcome = _needed(intake_age, answered_age)
    assert (outcome is Needed.INTAKE) == (intake_age >= VALID_FOR)
    assert (outcome is Needed.INTAKE) == (not is_valid(NOW - intake_age, NOW))


@quiet
@given(ages, st.one_of(st.none(), ages))
def test_nothing_is_asked_exactly_when_red_flags_were_answered_within_the_day(
    intake_age, answered_age
):
    outcome = _needed(intake_age, answered_age)
    latest = intake_age if answered_age is None else min(intake_age, answered_age)
    if intake_age < VALID_FOR:
        assert (outcome is Needed.NOTHING) == (latest < FRESH_FOR)
        assert (outcome is Needed.NOTHING) == is_fresh(NOW - latest, NOW)


@quiet
@given(ages, st.one_of(st.none(), ages), st.integers(0, 10**7))
def test_waiting_never_asks_less(intake_age, answered_age, wait_seconds):
    """As time passes the answer only moves on: nothing → re-check → whole intake."""
    order = [Needed.NOTHING, Needed.RECHECK, Needed.INTAKE]
    intake_at = NOW - intake_age
    answered_at = None if answered_age is None else NOW - answered_age
    before = needed_before_booking(intake_at=intake_at, answered_at=answered_at, now=NOW)
    later = needed_before_booking(
        intake_at=intake_at,
        answered_at=answered_at,
        now=NOW + timedelta(seconds=wait_seconds),
    )
    assert order.index(later) >= order.index(before)


@quiet
@given(ages, ages)
def test_answering_again_never_asks_more(intake_age, answered_age):
    """A re-check can only shorten what is asked, never lengthen it."""
    order = [Needed.NOTHING, Needed.RECHECK, Needed.INTAKE]
    assert order.index(_needed(intake_age, answered_age)) <= order.index(_needed(intake_age))
