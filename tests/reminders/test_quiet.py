"""The quiet-hours rules (reminders/quiet.py), pure: whether a wall-clock time is quiet, when
the quiet hours end on the person's clock (across midnight and the clocks changing), and what
each kind of reminder does in them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.reminders.quiet import Step, is_quiet, quiet_ends, quiet_until, step

NIGHT = (time(22), time(8))
DAY = date(2026, 7, 14)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_night_quiet_hours_run_across_midnight(clock, quiet):
    assert is_quiet(datetime.combine(DAY, clock, LONDON), *NIGHT) is quiet


@pytest.mark.parametrize(
    ("clock", "quiet"), [(time(12, 59), False), (time(13), True), (time(14), False)]
)
def test_quiet_hours_within_one_day(clock, quiet):
    assert is_quiet(datetime.combine(DAY, clock, LONDON), time(13), time(14)) is quiet


@given(st.times())
def test_equal_times_are_no_quiet_hours(moment):
    assert not is_quiet(datetime.combine(DAY, moment, LONDON), time(7), time(7))


def test_in_the_evening_they_end_the_next_morning_and_after_midnight_the_same_morning():
    evening = datetime(2026, 7, 14, 23, 0, tzinfo=NEW_YORK)
    small_hours = datetime(2026, 7, 15, 3, 0, tzinfo=NEW_YORK)

    expected = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert quiet_ends(evening, *NIGHT) == expected
    assert quiet_ends(small_hours, *NIGHT) == expected


def test_on_the_night_the_clocks_go_back_the_end_is_still_eight_on_the_wall():
    # London, 25 October 2026: 02:00 BST becomes 01:00 GMT; the night is 11 hours long.
    evening = datetime(2026, 10, 24, 22, 30, tzinfo=LONDON)

    assert quiet_ends(evening, *NIGHT) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 08:00 GMT


def test_an_end_in_the_hour_the_clocks_skip_falls_an_hour_later():
    # London, 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:30 never shows on the wall.
    night = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)

    ends = quiet_ends(night, time(0), time(1, 30))

    assert ends == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST
    assert ends.astimezone(LONDON).time() == time(2, 30)


def test_not_quiet_means_no_end():
    assert quiet_until(datetime(2026, 7, 14, 12, 0, tzinfo=LONDON), *NIGHT) is None


MORNING = datetime(2026, 7, 15, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "channel", "expires_in", "expected"),
    [
        ("appointment", "email", timedelta(hours=20), Step.HOLD),
        ("appointment", "sms", timedelta(hours=20), Step.HOLD),
        ("appointment", "push", timedelta(minutes=30), Step.DROP),  # the session begins first
        ("exercise", "push", None, Step.HOLD),
        ("waitlist_offer", "email", timedelta(hours=1), Step.NOW),
        ("waitlist_offer", "sms", timedelta(hours=1), Step.DROP),
        ("waitlist_offer", "sms", timedelta(hours=3), Step.HOLD),
        ("waitlist_offer", "push", timedelta(hours=3), Step.HOLD),
        ("diary_nudge", "email", None, Step.DROP),
        ("diary_nudge", "sms", None, Step.DROP),
    ],
)
def test_what_each_kind_does_in_quiet_hours_that_end_in_an_hour(
    kind, channel, expires_in, expected
):
    now = MORNING - timedelta(hours=1)
    expires_at = None if expires_in is None else now + expires_in

    assert step(kind, channel, until=MORNING, expires_at=expires_at) is expected


@given(
    st.sampled_from(["appointment", "waitlist_offer", "diary_nudge", "exercise"]),
    st.sampled_from(["email", "sms", "push"]),
)
def test_outside_quiet_hours_everything_goes_now(kind, channel):
    assert step(kind, channel, until=None, expires_at=None) is Step.NOW
