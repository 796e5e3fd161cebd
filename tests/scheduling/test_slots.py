"""Tests for the pure slot engine (no Django, no database)."""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciaticare.scheduling.slots.free import earliest_slot, free_slots
from sciaticare.scheduling.slots.hours import Availability, DateException, WorkingHours
from sciaticare.scheduling.slots.rules import Policy, Refusal, Service, check_start, is_bookable
from sciaticare.scheduling.slots.spans import Interval, Slot
from sciaticare.scheduling.slots.wall_clock import local_ranges_utc

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
HAVANA = ZoneInfo("America/Havana")  # transitions at midnight: 00:00 -> 01:00, 01:00 -> 00:00
SANTIAGO = ZoneInfo("America/Santiago")  # 24:00 -> 23:00 the day before; 00:00 -> 01:00
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MONDAY = date(2026, 1, 5)  # a plain winter Monday in New York (UTC-5)
LONG_AGO = Policy(now=datetime(2025, 12, 1, tzinfo=UTC), horizon=timedelta(days=500))


def at(tz: ZoneInfo, day: date, hh: int, mm: int = 0, fold: int = 0) -> datetime:
    """A local wall-clock time as a UTC instant."""
    return datetime.combine(day, time(hh, mm), tzinfo=tz).replace(fold=fold).astimezone(UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def label(tz: ZoneInfo, instant: datetime) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def label_offset(tz: ZoneInfo, instant: datetime) -> str:
    return instant.astimezone(tz).strftime("%H:%M%z")


def whole_day(tz: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    return at(tz, day, 0), at(tz, day + DAY, 0)


def hours(*ranges: tuple[int, int]) -> list[tuple[time, time]]:
    """(9, 12) -> (09:00, 12:00); hours given as hh*100+mm when above 99; 24 -> 00:00 end."""

    def t(v: int) -> time:
        if v == 24:
            return time(0)
        return time(v // 100, v % 100) if v > 99 else time(v)

    return [(t(a), t(b)) for a, b in ranges]


def day_labels(  # noqa: PLR0913 (a test helper: each option defaults, tests name the one they vary)
    tz: ZoneInfo,
    day: date,
    weekly: Sequence[tuple[time, time]] = (),
    *,
    length: int = 60,
    buffer: int = 0,
    step: int = 15,
    busy: Sequence[tuple[int, int]] = (),
    time_off: Sequence[tuple[int, int]] = (),
    exceptions: Sequence[DateException] = (),
    policy: Policy = LONG_AGO,
    with_offset: bool = False,
) -> list[str]:
    """Slots on one local date; busy/time off given as local (hhmm, hhmm) pairs on that date."""

    def local(v: int) -> datetime:
        return at(tz, day, v // 100, v % 100)

    availability = Availability(
        tz,
        WorkingHours({day.weekday(): weekly}),
        exceptions=exceptions,
        time_off=[Interval(local(a), local(b)) for a, b in time_off],
    )
    slots = free_slots(
        availability,
        [Interval(local(a), local(b)) for a, b in busy],
        Service(timedelta(minutes=length), timedelta(minutes=buffer)),
        with_step(policy, step),
        *whole_day(tz, day),
    )
    for slot in slots:
        assert slot.end - slot.start == timedelta(minutes=length)
    fmt = label_offset if with_offset else label
    return [fmt(tz, s.start) for s in slots]


def with_step(policy: Policy, minutes: int) -> Policy:
    return dataclasses.replace(policy, step=timedelta(minutes=minutes))


# --- plain days -----------------------------------------------------------------------------

NINE_TO_NOON = hours((9, 12))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param(
            {"buffer": 15},
            ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00"],
            id="empty-day-buffer-may-run-past-closing",
        ),
        pytest.param(
            {"buffer": 15, "busy": [(1030, 1130)]},
            ["09:00", "09:15"],
            id="one-appointment-incl-its-buffer",
        ),
        pytest.param(
            {"buffer": 15, "busy": [(1100, 1200)]},
            ["09:00", "09:15", "09:30", "09:45"],
            id="own-buffer-must-not-reach-next-appointment",
        ),
        pytest.param(
            {"buffer": 0, "busy": [(1000, 1015)], "step": 15},
            ["09:00", "10:15", "10:30", "10:45", "11:00"],
            id="back-to-back-without-buffer",
        ),
        pytest.param(
            {"buffer": 15, "step": 30, "time_off": [(1000, 1100)]},
            ["09:00", "11:00"],
            id="time-off-buffer-may-run-into-it",
        ),
        pytest.param(
            {"step": 30, "policy": Policy(at(NEW_YORK, MONDAY, 8), min_notice=2 * HOUR)},
            ["10:00", "10:30", "11:00"],
            id="min-notice",
        ),
        pytest.param(
            {"step": 30, "policy": Policy(at(NEW_YORK, MONDAY, 7), horizon=3 * HOUR)},
            ["09:00", "09:30", "10:00"],
            id="horizon-inclusive",
        ),
        pytest.param(
            {"step": 30, "policy": Policy(at(NEW_YORK, MONDAY, 10, 10))},
            ["10:30", "11:00"],
            id="not-in-the-past",
        ),
        pytest.param(
            {"exceptions": [DateException(MONDAY)]},
            [],
            id="day-off-exception",
        ),
        pytest.param(
            {"step": 30, "exceptions": [DateException(MONDAY, hours((14, 16)), replaces=False)]},
            ["09:00", "09:30", "10:00", "10:30", "11:00", "14:00", "14:30", "15:00"],
            id="extra-hours-exception",
        ),
        pytest.param(
            {"step": 30, "exceptions": [DateException(MONDAY, hours((13, 15)))]},
            ["13:00", "13:30", "14:00"],
            id="replacement-hours-exception",
        ),
        pytest.param(
            {"length": 150, "exceptions": [DateException(MONDAY, hours((13, 15)))]},
            [],
            id="session-longer-than-range",
        ),
    ],
)
def test_plain_monday(kwargs, expected):
    assert day_labels(NEW_YORK, MONDAY, NINE_TO_NOON, **kwargs) == expected


@pytest.mark.parametrize(
    ("weekly", "step", "expected"),
    [
        pytest.param(
            hours((9, 11), (10, 12), (12, 13)),
            60,
            ["09:00", "10:00", "11:00", "12:00"],
            id="overlapping-and-touching-merge",
        ),
        pytest.param(
            hours((910, 1000), (1000, 1100)),
            30,
            ["09:10", "09:40"],
            id="grid-anchored-at-merged-range-start",
        ),
        pytest.param(
            hours((14, 15), (9, 10)),
            30,
            ["09:00", "14:00"],
            id="unsorted-ranges-each-own-grid",
        ),
        pytest.param(
            hours((22, 24)),
            30,
            ["22:00", "22:30", "23:00"],
            id="end-at-midnight",
        ),
    ],
)
def test_range_merging(weekly, step, expected):
    assert day_labels(NEW_YORK, MONDAY, weekly, step=step) == expected


def test_ranges_of_adjacent_days_are_not_merged():
    # Sunday 22:00-24:00 and Monday 00:00-02:00: a session never spans local midnight.
    sunday = MONDAY - DAY
    availability = Availability(NEW_YORK, WorkingHours({6: hours((22, 24)), 0: hours((0, 2))}))
    slots = free_slots(
        availability,
        [],
        Service(90 * MIN),
        with_step(LONG_AGO, 30),
        at(NEW_YORK, sunday, 0),
        at(NEW_YORK, MONDAY, 12),
    )
    assert [label(NEW_YORK, s.start) for s in slots] == ["22:00", "22:30", "00:00", "00:30"]
    assert check_start(at(NEW_YORK, sunday, 23), availability, [], Service(90 * MIN), LONG_AGO) == (
        Refusal.OUTSIDE_HOURS
    )


def test_multiple_exceptions_on_one_date_combine():
    availability = Availability(
        NEW_YORK,
        WorkingHours({0: NINE_TO_NOON}),
        exceptions=[
            DateException(MONDAY, hours((14, 15)), replaces=False),
            DateException(MONDAY, hours((16, 17)), replaces=True),
        ],
    )
    assert availability.local_ranges(MONDAY) == tuple(hours((14, 15), (16, 17)))
    assert availability.local_ranges(MONDAY + 7 * DAY) == tuple(NINE_TO_NOON)


def test_window_is_half_open_on_start():
    availability = Availability(NEW_YORK, WorkingHours({0: NINE_TO_NOON}))
    service = Service(HOUR)
    slots = free_slots(
        availability, [], service, LONG_AGO, at(NEW_YORK, MONDAY, 10), at(NEW_YORK, MONDAY, 11)
    )
    assert [label(NEW_YORK, s.start) for s in slots] == ["10:00", "10:15", "10:30", "10:45"]


def test_slots_are_utc_and_typed():
    availability = Availability(KOLKATA, WorkingHours({0: NINE_TO_NOON}))
    slots = free_slots(availability, [], Service(HOUR), LONG_AGO, *whole_day(KOLKATA, MONDAY))
    assert slots[0] == Slot(utc(2026, 1, 5, 3, 30), utc(2026, 1, 5, 4, 30))
    assert all(s.start.tzinfo is UTC and s.end.tzinfo is UTC for s in slots)


def test_an_interval_from_checked_utc_bounds_equals_a_validated_one():
    start, end = utc(2026, 1, 5, 9), utc(2026, 1, 5, 10)

    trusted = Interval.from_utc(start, end)

    assert trusted == Interval(start, end)
    assert (trusted.start, trusted.end) == (start, end)
    assert type(trusted) is Interval


def test_earliest_slot_skips_ahead_and_none_when_nothing():
    availability = Availability(
        NEW_YORK, WorkingHours({0: NINE_TO_NOON}), exceptions=[DateException(MONDAY)]
    )
    service = Service(HOUR)
    found = earliest_slot(
        availability,
        [],
        service,
        LONG_AGO,
        at(NEW_YORK, MONDAY, 0),
        at(NEW_YORK, MONDAY, 0) + 30 * DAY,
    )
    assert found == Slot(at(NEW_YORK, MONDAY + 7 * DAY, 9), at(NEW_YORK, MONDAY + 7 * DAY, 10))
    assert earliest_slot(availability, [], service, LONG_AGO, *whole_day(NEW_YORK, MONDAY)) is None


# --- check_start ----------------------------------------------------------------------------

REFUSAL_AVAILABILITY = Availability(
    NEW_YORK,
    WorkingHours({0: hours((9, 13))}),
    time_off=[Interval(at(NEW_YORK, MONDAY, 12), at(NEW_YORK, MONDAY, 13))],
)
REFUSAL_BUSY = [Interval(at(NEW_YORK, MONDAY, 10, 30), at(NEW_YORK, MONDAY, 11))]
REFUSAL_SERVICE = Service(HOUR, 15 * MIN)
REFUSAL_POLICY = Policy(at(NEW_YORK, MONDAY, 8), min_notice=30 * MIN, horizon=14 * DAY)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(at(NEW_YORK, MONDAY, 9), None, id="ok"),
        pytest.param(at(NEW_YORK, MONDAY, 11), None, id="ok-buffer-runs-into-time-off"),
        pytest.param(at(NEW_YORK, MONDAY, 7, 30), Refusal.PAST, id="past"),
        pytest.param(at(NEW_YORK, MONDAY, 8, 15), Refusal.BEFORE_MIN_NOTICE, id="min-notice"),
        pytest.param(at(NEW_YORK, MONDAY + 21 * DAY, 9), Refusal.BEYOND_HORIZON, id="horizon"),
        pytest.param(at(NEW_YORK, MONDAY + DAY, 9), Refusal.OUTSIDE_HOURS, id="no-hours-that-day"),
        pytest.param(at(NEW_YORK, MONDAY, 8, 45), Refusal.OUTSIDE_HOURS, id="before-opening"),
        pytest.param(at(NEW_YORK, MONDAY, 12, 30), Refusal.OUTSIDE_HOURS, id="runs-past-closing"),
        pytest.param(at(NEW_YORK, MONDAY, 9, 5), Refusal.NOT_ON_GRID, id="off-grid"),
        pytest.param(at(NEW_YORK, MONDAY, 11, 30), Refusal.TIME_OFF, id="time-off"),
        pytest.param(at(NEW_YORK, MONDAY, 10), Refusal.OVERLAP, id="overlap"),
        pytest.param(at(NEW_YORK, MONDAY, 10, 45), Refusal.OVERLAP, id="starts-inside-busy"),
        pytest.param(at(NEW_YORK, MONDAY, 9, 30), Refusal.IN_BUFFER, id="buffer-hits-next"),
        pytest.param(
            at(NEW_YORK, MONDAY, 9).astimezone(KOLKATA), None, id="any-aware-zone-accepted"
        ),
    ],
)
def test_check_start(start, expected):
    result = check_start(start, REFUSAL_AVAILABILITY, REFUSAL_BUSY, REFUSAL_SERVICE, REFUSAL_POLICY)
    assert result == expected
    assert is_bookable(
        start, REFUSAL_AVAILABILITY, REFUSAL_BUSY, REFUSAL_SERVICE, REFUSAL_POLICY
    ) is (expected is None)


def test_refusal_codes_are_stable_strings():
    assert {r.value for r in Refusal} == {
        "past",
        "before_min_notice",
        "beyond_horizon",
        "outside_hours",
        "not_on_grid",
        "time_off",
        "overlap",
        "in_buffer",
    }


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 1, 5, 9)  # noqa: DTZ001 - deliberately naive
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(naive, naive + HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        Policy(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        check_start(naive, REFUSAL_AVAILABILITY, [], REFUSAL_SERVICE, REFUSAL_POLICY)
    with pytest.raises(ValueError, match="timezone-aware"):
        free_slots(REFUSAL_AVAILABILITY, [], REFUSAL_SERVICE, REFUSAL_POLICY, naive, naive)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: WorkingHours({7: NINE_TO_NOON}),
        lambda: WorkingHours({0: hours((12, 9))}),
        lambda: WorkingHours({0: hours((9, 9))}),
        lambda: WorkingHours({0: [(time(9, tzinfo=UTC), time(12))]}),
        lambda: Interval(utc(2026, 1, 5, 10), utc(2026, 1, 5, 10)),
        lambda: Service(timedelta(0)),
        lambda: Service(HOUR, -MIN),
        lambda: Policy(utc(2026, 1, 1), step=timedelta(0)),
        lambda: Policy(utc(2026, 1, 1), min_notice=-MIN),
    ],
)
def test_invalid_inputs_raise(bad):
    with pytest.raises(ValueError, match=r"."):
        bad()


# --- DST ------------------------------------------------------------------------------------

SPRING_NY = date(2026, 3, 8)
FALL_NY = date(2026, 11, 1)
SPRING_LONDON = date(2026, 3, 29)
FALL_LONDON = date(2026, 10, 25)
FALL_LORD_HOWE = date(2026, 4, 5)  # 02:00 +11 -> 01:30 +10:30
SPRING_LORD_HOWE = date(2026, 10, 4)  # 02:00 +10:30 -> 02:30 +11
EARLY = hours((0, 5))


@pytest.mark.parametrize(
    ("tz", "day", "ranges", "expected"),
    [
        pytest.param(
            NEW_YORK,
            SPRING_NY,
            EARLY,
            [(utc(2026, 3, 8, 5), utc(2026, 3, 8, 9))],
            id="ny-spring-4h",
        ),
        pytest.param(
            NEW_YORK, FALL_NY, EARLY, [(utc(2026, 11, 1, 4), utc(2026, 11, 1, 10))], id="ny-fall-6h"
        ),
        pytest.param(
            NEW_YORK,
            SPRING_NY,
            hours((230, 6)),
            [(utc(2026, 3, 8, 7), utc(2026, 3, 8, 10))],
            id="ny-start-in-gap-moves-to-0300",
        ),
        pytest.param(
            NEW_YORK,
            SPRING_NY,
            hours((0, 230)),
            [(utc(2026, 3, 8, 5), utc(2026, 3, 8, 7))],
            id="ny-end-in-gap-moves-to-0300",
        ),
        pytest.param(NEW_YORK, SPRING_NY, hours((215, 245)), [], id="ny-range-inside-gap-is-empty"),
        pytest.param(
            NEW_YORK,
            FALL_NY,
            hours((130, 4)),
            [(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 9))],
            id="ny-ambiguous-start-first",
        ),
        pytest.param(
            NEW_YORK,
            FALL_NY,
            hours((0, 130)),
            [(utc(2026, 11, 1, 4), utc(2026, 11, 1, 6, 30))],
            id="ny-ambiguous-end-last",
        ),
        pytest.param(
            LONDON,
            SPRING_LONDON,
            EARLY,
            [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 4))],
            id="london-spring-4h",
        ),
        pytest.param(
            LONDON,
            FALL_LONDON,
            EARLY,
            [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 5))],
            id="london-fall-6h",
        ),
        pytest.param(
            LORD_HOWE,
            SPRING_LORD_HOWE,
            EARLY,
            [(utc(2026, 10, 3, 13, 30), utc(2026, 10, 3, 18))],
            id="lord-howe-spring-4h30",
        ),
        pytest.param(
            LORD_HOWE,
            FALL_LORD_HOWE,
            EARLY,
            [(utc(2026, 4, 4, 13), utc(2026, 4, 4, 18, 30))],
            id="lord-howe-fall-5h30",
        ),
        pytest.param(
            LORD_HOWE,
            SPRING_LORD_HOWE,
            hours((215, 4)),
            [(utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 17))],
            id="lord-howe-start-in-30min-gap",
        ),
        pytest.param(
            LORD_HOWE,
            FALL_LORD_HOWE,
            hours((0, 130)),
            # The clock falls back to 01:30 at 15:00 UTC: 01:30 is first shown at 14:30 UTC,
            # and the repeated half-hour after it is not working time.
            [(utc(2026, 4, 4, 13), utc(2026, 4, 4, 14, 30))],
            id="lord-howe-end-where-the-clock-falls-back",
        ),
        pytest.param(
            NEW_YORK,
            FALL_NY,
            hours((0, 1)),
            [(utc(2026, 11, 1, 4), utc(2026, 11, 1, 5))],
            id="new-york-end-where-the-clock-falls-back",
        ),
        pytest.param(
            KOLKATA,
            SPRING_NY,
            EARLY,
            [(utc(2026, 3, 7, 18, 30), utc(2026, 3, 7, 23, 30))],
            id="kolkata-5h",
        ),
        pytest.param(
            NEW_YORK,
            FALL_NY,
            hours((0, 24)),
            [(utc(2026, 11, 1, 4), utc(2026, 11, 2, 5))],
            id="ny-fall-whole-day-25h",
        ),
        pytest.param(
            NEW_YORK,
            SPRING_NY,
            hours((0, 24)),
            [(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))],
            id="ny-spring-whole-day-23h",
        ),
    ],
)
def test_dst_range_conversion(tz, day, ranges, expected):
    availability = Availability(tz, WorkingHours({day.weekday(): ranges}))
    assert local_ranges_utc(availability, day) == expected


@pytest.mark.parametrize(
    ("tz", "day", "step", "expected"),
    [
        pytest.param(
            NEW_YORK,
            SPRING_NY,
            30,
            [
                "00:00-0500",
                "00:30-0500",
                "01:00-0500",
                "01:30-0500",
                "03:00-0400",
                "03:30-0400",
                "04:00-0400",
            ],
            id="ny-spring",
        ),
        pytest.param(
            NEW_YORK,
            FALL_NY,
            30,
            [
                "00:00-0400",
                "00:30-0400",
                "01:00-0400",
                "01:30-0400",
                "01:00-0500",
                "01:30-0500",
                "02:00-0500",
                "02:30-0500",
                "03:00-0500",
                "03:30-0500",
                "04:00-0500",
            ],
            id="ny-fall-repeated-hour-offered-twice",
        ),
        pytest.param(
            LONDON,
            SPRING_LONDON,
            60,
            ["00:00+0000", "02:00+0100", "03:00+0100", "04:00+0100"],
            id="london-spring",
        ),
        pytest.param(
            LONDON,
            FALL_LONDON,
            60,
            ["00:00+0100", "01:00+0100", "01:00+0000", "02:00+0000", "03:00+0000", "04:00+0000"],
            id="london-fall",
        ),
        pytest.param(
            LORD_HOWE,
            SPRING_LORD_HOWE,
            60,
            ["00:00+1030", "01:00+1030", "02:30+1100", "03:30+1100"],
            id="lord-howe-spring-grid-keeps-real-spacing",
        ),
        pytest.param(
            LORD_HOWE,
            FALL_LORD_HOWE,
            60,
            ["00:00+1100", "01:00+1100", "01:30+1030", "02:30+1030", "03:30+1030"],
            id="lord-howe-fall",
        ),
        pytest.param(
            KOLKATA,
            SPRING_NY,
            60,
            ["00:00+0530", "01:00+0530", "02:00+0530", "03:00+0530", "04:00+0530"],
            id="kolkata-no-dst",
        ),
    ],
)
def test_dst_days_00_to_05(tz, day, step, expected):
    assert day_labels(tz, day, EARLY, step=step, with_offset=True) == expected


@pytest.mark.parametrize(
    ("tz", "day", "gap_start", "gap_end"),
    [
        (NEW_YORK, SPRING_NY, time(2), time(3)),
        (LONDON, SPRING_LONDON, time(1), time(2)),
        (LORD_HOWE, SPRING_LORD_HOWE, time(2), time(2, 30)),
    ],
)
@pytest.mark.parametrize("length", [15, 45, 60, 90])
def test_spring_forward_no_slot_in_gap_and_exact_durations(tz, day, gap_start, gap_end, length):
    availability = Availability(tz, WorkingHours({day.weekday(): EARLY}))
    service = Service(timedelta(minutes=length))
    policy = with_step(LONG_AGO, 5)
    slots = free_slots(availability, [], service, policy, *whole_day(tz, day))
    assert slots
    for slot in slots:
        assert slot.end - slot.start == service.length
        for instant in (slot.start, slot.end):
            wall = instant.astimezone(tz)
            # Round-trips: the wall time exists.
            assert wall.replace(tzinfo=None) == wall.astimezone(UTC).astimezone(tz).replace(
                tzinfo=None
            )
            assert not (wall.date() == day and gap_start <= wall.time() < gap_end)
        assert check_start(slot.start, availability, [], service, policy) is None


def test_fall_back_requested_start_is_resolved_by_instant():
    # 01:30 happens twice in New York on 2026-11-01; both instants are bookable slots.
    availability = Availability(NEW_YORK, WorkingHours({6: EARLY}))
    service = Service(HOUR)
    first = at(NEW_YORK, FALL_NY, 1, 30, fold=0)
    second = at(NEW_YORK, FALL_NY, 1, 30, fold=1)
    assert second - first == HOUR
    assert check_start(first, availability, [], service, LONG_AGO) is None
    assert check_start(second, availability, [], service, LONG_AGO) is None
    busy = [Interval(first, first + HOUR)]
    assert check_start(second, availability, busy, service, LONG_AGO) is None
    assert check_start(second - 30 * MIN, availability, busy, service, LONG_AGO) is (
        Refusal.OVERLAP
    )


def test_midnight_gap_day_starts_after_the_gap():
    # Havana 2026-03-08: 00:00 does not exist, the date starts at 01:00 -04.
    day = date(2026, 3, 8)
    availability = Availability(HAVANA, WorkingHours({6: hours((0, 3))}))
    assert local_ranges_utc(availability, day) == [(utc(2026, 3, 8, 5), utc(2026, 3, 8, 7))]


def test_repeated_midnight_hour_belongs_to_the_new_date_once():
    # Havana 2026-11-01: 01:00 -> 00:00, so 00:00-01:00 happens twice. Saturday's 24:00 end
    # stops at the FIRST midnight (the date boundary) so the two days never overlap.
    saturday, sunday = date(2026, 10, 31), date(2026, 11, 1)
    availability = Availability(HAVANA, WorkingHours({5: hours((22, 24)), 6: hours((0, 2))}))
    assert local_ranges_utc(availability, saturday) == [(utc(2026, 11, 1, 2), utc(2026, 11, 1, 4))]
    assert local_ranges_utc(availability, sunday) == [(utc(2026, 11, 1, 4), utc(2026, 11, 1, 7))]
    slots = free_slots(
        availability,
        [],
        Service(HOUR),
        with_step(LONG_AGO, 60),
        utc(2026, 10, 31),
        utc(2026, 11, 2),
    )
    assert [label_offset(HAVANA, s.start) for s in slots] == [
        "22:00-0400",
        "23:00-0400",
        "00:00-0400",
        "00:00-0500",
        "01:00-0500",
    ]


def test_fall_back_across_midnight_santiago():
    # Santiago 2026-04-05: at 24:00 -03 the clock goes back to 23:00 -04 on the 4th.
    saturday = date(2026, 4, 4)
    availability = Availability(SANTIAGO, WorkingHours({5: hours((2230, 24))}))
    assert local_ranges_utc(availability, saturday) == [
        (utc(2026, 4, 5, 1, 30), utc(2026, 4, 5, 4))
    ]


def test_date_that_runs_backwards_goose_bay_2009():
    # America/Goose_Bay, 2009-11-01 00:01 ADT -> 2009-10-31 23:01 AST: the wall-clock date
    # goes back. Instants after the first Sunday midnight belong to Sunday, even those whose
    # wall clock shows Saturday 23:xx again.
    goose_bay = ZoneInfo("America/Goose_Bay")
    saturday, sunday = date(2009, 10, 31), date(2009, 11, 1)
    availability = Availability(goose_bay, WorkingHours({5: hours((22, 24)), 6: hours((0, 2))}))
    assert local_ranges_utc(availability, saturday) == [(utc(2009, 11, 1, 1), utc(2009, 11, 1, 3))]
    assert local_ranges_utc(availability, sunday) == [(utc(2009, 11, 1, 3), utc(2009, 11, 1, 6))]
    service = Service(30 * MIN)
    policy = Policy(utc(2009, 1, 1), horizon=400 * DAY, step=30 * MIN)
    slots = free_slots(availability, [], service, policy, utc(2009, 10, 31), utc(2009, 11, 2))
    assert [s.start for s in slots] == [utc(2009, 11, 1, 1) + k * 30 * MIN for k in range(10)]
    assert label(goose_bay, slots[5].start) == "23:30"  # Saturday on the wall, owned by Sunday
    for slot in slots:
        assert check_start(slot.start, availability, [], service, policy) is None
    assert check_start(utc(2009, 11, 1, 2, 45), availability, [], service, policy) is (
        Refusal.OUTSIDE_HOURS  # would cross the date boundary
    )


# --- brute-force oracle for the documented conversion rules ---------------------------------


SCAN = 5 * MIN  # every transition in the tested zones falls on a 5-minute boundary


@cache
def _wall_runs(tz_key: str, day: date) -> tuple[list[datetime], list[list[datetime]], list[int]]:
    """Every 5th UTC minute around ``day`` with its (naive) local wall time, split into runs
    where the wall clock increases (a new run starts at each fall-back)."""
    tz = ZoneInfo(tz_key)
    first = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=15)
    instants = [first + i * SCAN for i in range((15 + 48 + 15) * 12)]
    walls = [u.astimezone(tz).replace(tzinfo=None) for u in instants]
    runs: list[list[datetime]] = [[walls[0]]]
    run_starts = [0]
    for i in range(1, len(walls)):
        if walls[i] < walls[i - 1]:
            runs.append([])
            run_starts.append(i)
        runs[-1].append(walls[i])
    return instants, runs, run_starts


def _first_reaching(tz: ZoneInfo, day: date, wall: datetime) -> datetime:
    """First instant whose wall clock shows ``wall`` or later (start rule)."""
    instants, runs, run_starts = _wall_runs(tz.key, day)
    for run, offset in zip(runs, run_starts, strict=True):
        i = bisect_left(run, wall)
        if i < len(run):
            assert offset + i > 0, "scan window too small"
            return instants[offset + i]
    raise AssertionError("scan window too small")


def _after_last_before(tz: ZoneInfo, day: date, wall: datetime) -> datetime:
    """The scan step after the last instant whose wall clock is before ``wall`` (end rule)."""
    instants, runs, run_starts = _wall_runs(tz.key, day)
    for run, offset in reversed(list(zip(runs, run_starts, strict=True))):
        i = bisect_left(run, wall)
        if i > 0:
            return instants[offset + i - 1] + SCAN
    raise AssertionError("scan window too small")


def oracle_ranges(availability: Availability, day: date) -> list[tuple[datetime, datetime]]:
    tz = availability.tz
    midnight = datetime.combine(day, time(0))
    lo = _first_reaching(tz, day, midnight)
    hi = _first_reaching(tz, day, midnight + DAY)
    spans = []
    for a, b in availability.local_ranges(day):
        start = max(lo, _first_reaching(tz, day, datetime.combine(day, a)))
        end_wall = midnight + DAY if b == time(0) else datetime.combine(day, b)
        end = min(hi, _after_last_before(tz, day, end_wall))
        if start < end:
            spans.append((start, end))
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def oracle_slots(availability, busy, service, policy, window_start, window_end):
    tz = availability.tz
    total = service.length + service.buffer_after
    first_day = window_start.astimezone(tz).date() - DAY
    last_day = window_end.astimezone(tz).date() + DAY
    out = []
    day = first_day
    while day <= last_day:
        for a, b in oracle_ranges(availability, day):
            s = a
            while s + service.length <= b:
                e = s + service.length
                if (
                    window_start <= s < window_end
                    and policy.now + policy.min_notice <= s <= policy.now + policy.horizon
                    and not any(t.start < e and s < t.end for t in availability.time_off)
                    and not any(x.start < s + total and s < x.end for x in busy)
                ):
                    out.append((s, e))
                s += policy.step
        day += DAY
    return out


# --- hypothesis properties ------------------------------------------------------------------

# Each zone with its own transition days in 2026 (and an ordinary day).
ZONE_DAYS = {
    NEW_YORK: [SPRING_NY, FALL_NY, date(2026, 6, 15)],
    LONDON: [SPRING_LONDON, FALL_LONDON, date(2026, 6, 15)],
    LORD_HOWE: [FALL_LORD_HOWE, SPRING_LORD_HOWE, date(2026, 6, 15)],
    KOLKATA: [SPRING_NY, FALL_NY, date(2026, 6, 15)],
    HAVANA: [date(2026, 3, 8), date(2026, 11, 1)],
    SANTIAGO: [date(2026, 4, 5), date(2026, 9, 6)],
}
QUARTERS = st.integers(0, 95)


@st.composite
def local_range(draw) -> tuple[time, time]:
    start = draw(QUARTERS)
    end = start + draw(st.integers(1, 40))
    return (
        time(start // 4, start % 4 * 15),
        time(0) if end >= 96 else time(end // 4, end % 4 * 15),
    )


# Ranges around the small hours, where the transitions are.
NIGHT = st.sampled_from(hours((0, 5), (1, 3), (130, 230), (2, 230), (0, 130), (215, 6), (0, 24)))
RANGES = st.lists(st.one_of(local_range(), NIGHT), max_size=3)
WHOLE_DAY = [(time(0), time(0))]


EXCEPTIONS = st.lists(st.tuples(st.integers(-1, 3), RANGES, st.booleans()), max_size=3)
FIVES = st.integers(-24 * 12, 4 * 24 * 12)  # offsets from the window start, in 5 minutes
TIME_OFF = st.lists(st.tuples(FIVES, st.integers(1, 12 * 12)), max_size=3)
BUSY = st.lists(st.tuples(FIVES, st.integers(1, 24)), max_size=15)
LENGTHS = st.sampled_from([15, 30, 45, 50, 60, 90])
BUFFERS = st.sampled_from([0, 5, 10, 15, 30])
NOTICES = st.sampled_from([timedelta(0), 30 * MIN, timedelta(0), 2 * HOUR, DAY])
HORIZONS = st.sampled_from([30 * DAY, 2 * DAY, DAY, 30 * DAY, 2 * HOUR])
WINDOWS = st.sampled_from([3 * DAY, 2 * DAY, DAY, 3 * DAY, 12 * HOUR, 2 * HOUR, 5 * MIN])
STEPS = st.sampled_from([5, 10, 15, 20, 30, 45, 60])


@st.composite
def scenarios(draw):
    tz = draw(st.sampled_from(list(ZONE_DAYS)))
    anchor = draw(st.sampled_from(ZONE_DAYS[tz])) + draw(st.integers(-2, 1)) * DAY
    if draw(st.booleans()):
        weekly = {wd: draw(RANGES) for wd in range(7)}
    else:
        weekly = dict.fromkeys(range(7), WHOLE_DAY)
    exceptions = [
        DateException(anchor + k * DAY, ranges, replaces)
        for k, ranges, replaces in draw(EXCEPTIONS)
    ]
    window_start = at(tz, anchor, 0) + draw(st.integers(-12 * 12, 12 * 12)) * 5 * MIN
    window_end = window_start + draw(WINDOWS) + draw(st.integers(0, 12)) * 5 * MIN

    def intervals(pairs: list[tuple[int, int]]) -> list[Interval]:
        return [
            Interval(window_start + k * 5 * MIN, window_start + (k + n) * 5 * MIN) for k, n in pairs
        ]

    time_off = intervals(draw(TIME_OFF))
    busy = intervals(draw(BUSY))
    service = Service(timedelta(minutes=draw(LENGTHS)), timedelta(minutes=draw(BUFFERS)))
    policy = Policy(
        now=window_start + draw(st.integers(-2 * 24 * 12, 12 * 12)) * 5 * MIN,
        min_notice=draw(NOTICES),
        horizon=draw(HORIZONS),
        step=timedelta(minutes=draw(STEPS)),
    )
    availability = Availability(tz, WorkingHours(weekly), exceptions, time_off)
    return availability, busy, service, policy, window_start, window_end


PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(scenarios())
def test_free_slots_match_brute_force_and_invariants(scenario):
    availability, busy, service, policy, window_start, window_end = scenario
    slots = free_slots(*scenario)
    assert [(s.start, s.end) for s in slots] == oracle_slots(*scenario)

    starts = [s.start for s in slots]
    assert starts == sorted(set(starts))  # sorted, distinct starts
    earliest = earliest_slot(*scenario)
    assert earliest == (slots[0] if slots else None)

    total = service.length + service.buffer_after
    tz = availability.tz
    ranges_by_day: dict[date, list[tuple[datetime, datetime]]] = {}

    def ranges_of(d: date) -> list[tuple[datetime, datetime]]:
        if d not in ranges_by_day:
            ranges_by_day[d] = oracle_ranges(availability, d)
        return ranges_by_day[d]

    for slot in slots:
        assert slot.start.tzinfo is UTC
        assert slot.end - slot.start == service.length
        assert window_start <= slot.start < window_end
        assert check_start(slot.start, availability, busy, service, policy) is None
        day = slot.start.astimezone(tz).date()
        inside = [
            (a, b)
            for d in (day - DAY, day, day + DAY)
            for a, b in ranges_of(d)
            if a <= slot.start and slot.end <= b
        ]
        assert len(inside) == 1
        assert not any(t.start < slot.end and slot.start < t.end for t in availability.time_off)
        assert not any(b.start < slot.start + total and slot.start < b.end for b in busy)


@PROPERTY_SETTINGS
@given(scenarios(), st.lists(st.integers(0, 3 * 24 * 60), max_size=25))
def test_check_start_agrees_with_free_slots(scenario, minutes):
    availability, busy, service, policy, window_start, window_end = scenario
    offered = {s.start for s in free_slots(*scenario)}
    probes = {window_start + m * MIN for m in minutes}
    sample = sorted(offered)[:: max(1, len(offered) // 40)]  # keep the example fast
    probes |= {s + d for s in sample for d in (timedelta(0), -5 * MIN, 5 * MIN, policy.step)}
    for start in probes:
        if not window_start <= start < window_end:
            continue
        refusal = check_start(start, availability, busy, service, policy)
        assert (refusal is None) == (start in offered), (start, refusal)


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_greedy_booking_never_double_books(scenario, data):
    availability, busy, service, policy, window_start, window_end = scenario
    booked: list[Interval] = []
    for _ in range(6):
        offered = free_slots(availability, busy + booked, service, policy, window_start, window_end)
        if not offered:
            break
        pick = data.draw(st.sampled_from(offered))
        assert check_start(pick.start, availability, busy + booked, service, policy) is None
        booked.append(Interval(pick.start, pick.end + service.buffer_after))
    for a, b in pairwise(sorted(booked, key=lambda i: i.start)):
        assert a.end <= b.start
    for new in booked:
        assert not any(old.start < new.end and new.start < old.end for old in busy)
