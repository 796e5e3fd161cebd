"""The shared time helpers: stored instants, however a driver hands them over, made UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.core.time import as_utc, day_bounds, is_time_zone, local_day, parse_utc


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-08 07:00:00",  # SQLite: UTC without an offset
        "2026-03-08 07:00:00+00",  # PostgreSQL in a UTC session
        "2026-03-08 07:00:00+00:00",
        "2026-03-08 02:00:00-05:00",  # any other offset is normalised
    ],
)
def test_stored_instants_parse_to_utc(text):
    parsed = parse_utc(text)
    assert parsed == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 8, 7),  # noqa: DTZ001 - what SQLite's driver hands over
        datetime(2026, 3, 8, 7, tzinfo=UTC),
        datetime(2026, 3, 8, 2, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_instants_are_made_utc(moment):
    made = as_utc(moment)
    assert made == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert made.tzinfo is UTC


def test_no_instant_stays_none():
    assert as_utc(None) is None


# --- A person's own day ------------------------------------------------------------------------


# (zone, instant in UTC, the date a clock in that zone shows): the cases, both
# daylight-saving changes of London (last Sundays of March and October 2026: 29 March, 25
# October) and New York (second Sunday of March, first of November: 8 March, 1 November), and
# the zones furthest from UTC each way.
OWN_DAYS = [
    ("Europe/London", datetime(2026, 7, 14, 23, 30, tzinfo=UTC), date(2026, 7, 15)),  # 00:30 BST
    ("America/New_York", datetime(2026, 1, 15, 1, 0, tzinfo=UTC), date(2026, 1, 14)),  # 20:00 EST
    ("America/New_York", datetime(2026, 7, 15, 0, 0, tzinfo=UTC), date(2026, 7, 14)),  # 20:00 EDT
    ("Europe/London", datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 28)),  # GMT
    ("Europe/London", datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),  # before 01:00
    ("Europe/London", datetime(2026, 3, 29, 23, 30, tzinfo=UTC), date(2026, 3, 30)),  # BST now
    ("Europe/London", datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # BST
    ("Europe/London", datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # GMT again
    ("America/New_York", datetime(2026, 3, 8, 4, 30, tzinfo=UTC), date(2026, 3, 7)),  # 23:30 EST
    ("America/New_York", datetime(2026, 3, 9, 3, 30, tzinfo=UTC), date(2026, 3, 8)),  # 23:30 EDT
    ("America/New_York", datetime(2026, 11, 1, 3, 30, tzinfo=UTC), date(2026, 10, 31)),  # EDT
    ("America/New_York", datetime(2026, 11, 2, 4, 30, tzinfo=UTC), date(2026, 11, 1)),  # EST
    ("Pacific/Kiritimati", datetime(2026, 6, 15, 10, 30, tzinfo=UTC), date(2026, 6, 16)),  # +14
    ("Pacific/Pago_Pago", datetime(2026, 6, 16, 10, 30, tzinfo=UTC), date(2026, 6, 15)),  # −11
    ("UTC", datetime(2026, 6, 16, 0, 0), date(2026, 6, 16)),  # noqa: DTZ001 - SQLite's naive UTC
]


@pytest.mark.parametrize(("zone", "moment", "day"), OWN_DAYS)
def test_a_persons_day_is_the_date_their_clock_shows(zone, moment, day):
    assert local_day(moment, zone) == day


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Pacific/Kiritimati", date(2026, 6, 16), 24),
        ("Pacific/Pago_Pago", date(2026, 6, 15), 24),
    ],
)
def test_a_day_lasts_23_or_25_hours_when_the_clocks_change(zone, day, hours):
    start, end = day_bounds(day, zone)
    assert end - start == timedelta(hours=hours)
    assert local_day(start, zone) == day
    assert local_day(end - timedelta(microseconds=1), zone) == day


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("Europe/London", True),
        ("America/New_York", True),
        ("UTC", True),
        ("Mars/Olympus_Mons", False),
        ("", False),
        ("../../etc/passwd", False),
        ("europe/london", False),
        (None, False),
        (42, False),
    ],
)
def test_only_iana_names_are_time_zones(name, known):
    assert is_time_zone(name) is known


ZONES = [
    "Europe/London",
    "America/New_York",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kathmandu",
    "UTC",
]


@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_every_instant_falls_inside_its_own_local_day(zone, moment):
    day = local_day(moment, zone)
    start, end = day_bounds(day, zone)
    assert start <= moment < end
    assert day == moment.astimezone(ZoneInfo(zone)).date()
    assert abs((day - moment.date()).days) <= 1
