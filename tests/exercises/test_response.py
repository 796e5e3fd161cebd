"""Pain on days an exercise was done against days it was not, and the flags
(exercises/response.py, pure): table-driven cases, then properties."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.exercises.response import (
    MIN_DAYS,
    WORSE_RUN,
    Comparison,
    Flag,
    Mark,
    flags,
    pain_on_days,
)

START = date(2026, 3, 2)


def day(n: int) -> date:
    return START + timedelta(days=n)


# --- Table-driven ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "done", "pain", "expected"),
    [
        # Nothing logged in the diary: nothing to compare.
        (range(10), range(5), {}, Comparison(0, 0, None, None)),
        # Five days each side: 2 on days done, 4 on days not done.
        (
            range(10),
            range(5),
            {**dict.fromkeys(range(5), 2), **dict.fromkeys(range(5, 10), 4)},
            Comparison(5, 5, 2.0, 4.0),
        ),
        # Days without a diary entry count on neither side.
        (range(10), range(5), {0: 3, 1: 5, 7: 6}, Comparison(2, 1, 4.0, 6.0)),
        # A day done that was not planned is a day done; a day neither planned nor done is
        # nothing.
        ([1], [2], {1: 7, 2: 3, 3: 9}, Comparison(1, 1, 3.0, 7.0)),
        # Medians, not means: one bad day does not move them.
        (range(6), range(3), {0: 1, 1: 1, 2: 10, 3: 5, 4: 5, 5: 5}, Comparison(3, 3, 1.0, 5.0)),
    ],
)
def test_pain_on_days(planned, done, pain, expected):
    found = pain_on_days(
        planned=[day(n) for n in planned],
        done=[day(n) for n in done],
        pain={day(n): p for n, p in pain.items()},
    )

    assert found == expected


@pytest.mark.parametrize(
    ("days_done", "days_not_done", "difference"),
    [
        (MIN_DAYS, MIN_DAYS, -2.0),
        (MIN_DAYS - 1, MIN_DAYS, None),  # too few days on one side says nothing
        (MIN_DAYS, MIN_DAYS - 1, None),
        (12, 9, -2.0),
    ],
)
def test_the_difference_needs_enough_days_on_both_sides(days_done, days_not_done, difference):
    comparison = Comparison(days_done, days_not_done, 3.0, 5.0)

    assert comparison.enough is (difference is not None)
    assert comparison.difference == difference


def mark(n: int, leg_pain: str = "", spread: bool = False) -> Mark:
    return Mark(day(n), leg_pain, spread)


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([], []),
        ([mark(0, "same"), mark(1, "better")], []),
        ([mark(0, "same", spread=True)], [Flag.SPREAD]),
        ([mark(0, spread=True)], [Flag.SPREAD]),  # spread without a word on pain still counts
        ([mark(0, "worse"), mark(1, "worse")], []),
        ([mark(0, "worse"), mark(1, "worse"), mark(2, "worse")], [Flag.WORSE]),
        # Days without a mark neither break nor extend a run...
        ([mark(0, "worse"), mark(4, "worse"), mark(9, "worse")], [Flag.WORSE]),
        ([mark(0, "worse"), mark(1), mark(2, "worse"), mark(3, "worse")], [Flag.WORSE]),
        # ...but a "same" or "better" does break it.
        ([mark(0, "worse"), mark(1, "worse"), mark(2, "same"), mark(3, "worse")], []),
        ([mark(0, "worse"), mark(1, "better"), mark(2, "worse"), mark(3, "worse")], []),
        # A run counts by day, whatever order the marks come in.
        ([mark(2, "worse"), mark(0, "worse"), mark(1, "worse")], [Flag.WORSE]),
        ([mark(2, "worse"), mark(1, "same"), mark(0, "worse"), mark(3, "worse")], []),
        # Both: the spread first.
        (
            [mark(0, "worse"), mark(1, "worse"), mark(2, "worse", spread=True)],
            [Flag.SPREAD, Flag.WORSE],
        ),
        # A run that ended still flags: the therapist has not looked since.
        (
            [mark(0, "worse"), mark(1, "worse"), mark(2, "worse"), mark(3, "better")],
            [Flag.WORSE],
        ),
    ],
)
def test_flags(marks, expected):
    assert flags(marks) == expected


# --- Properties ------------------------------------------------------------------------------

offsets = st.integers(0, 60)
pains = st.integers(0, 10)


@given(
    planned=st.sets(offsets),
    done=st.sets(offsets),
    pain=st.dictionaries(offsets, pains),
)
def test_no_day_counts_on_both_sides_and_the_medians_are_of_the_right_days(planned, done, pain):
    found = pain_on_days(
        planned=[day(n) for n in planned],
        done=[day(n) for n in done],
        pain={day(n): p for n, p in pain.items()},
    )

    done_side = [n for n in done if n in pain]
    not_done_side = [n for n in planned - done if n in pain]
    assert not set(done_side) & set(not_done_side)
    assert found.days_done == len(done_side)
    assert found.days_not_done == len(not_done_side)
    assert found.days_done + found.days_not_done <= len(pain)
    assert found.median_done == (median(pain[n] for n in done_side) if done_side else None)
    assert found.median_not_done == (
        median(pain[n] for n in not_done_side) if not_done_side else None
    )
    if found.difference is not None:
        assert found.enough
        assert -10 <= found.difference <= 10


@given(
    planned=st.sets(offsets),
    done=st.sets(offsets),
    pain=st.dictionaries(offsets, pains),
)
def test_repeating_a_day_changes_nothing(planned, done, pain):
    once = pain_on_days(
        planned=[day(n) for n in planned],
        done=[day(n) for n in done],
        pain={day(n): p for n, p in pain.items()},
    )
    twice = pain_on_days(
        planned=[day(n) for n in [*planned, *planned]],
        done=[day(n) for n in [*done, *done]],
        pain={day(n): p for n, p in pain.items()},
    )

    assert once == twice


marks = st.lists(
    st.builds(
        Mark,
        day=offsets.map(day),
        leg_pain=st.sampled_from(["", "better", "same", "worse"]),
        spread_down_leg=st.booleans(),
    ),
    max_size=30,
    unique_by=lambda m: m.day,  # one mark a day per exercise (ExerciseLog's key)
)


def worse_run(listed: list[Mark]) -> bool:
    """The rule said another way: among the days with a word on pain, in day order, some
    ``WORSE_RUN`` in a row say worse."""
    said = [m.leg_pain for m in sorted(listed, key=lambda m: m.day) if m.leg_pain]
    return any(
        said[i : i + WORSE_RUN] == ["worse"] * WORSE_RUN for i in range(len(said) - WORSE_RUN + 1)
    )


@given(listed=marks)
def test_spread_flag_whenever_a_mark_spreads(listed):
    assert (Flag.SPREAD in flags(listed)) is any(m.spread_down_leg for m in listed)


@given(listed=marks)
def test_worse_flag_iff_a_run_of_worse_among_the_days_marked(listed):
    assert (Flag.WORSE in flags(listed)) is worse_run(listed)


@given(listed=marks, data=st.data())
def test_flags_do_not_depend_on_the_order_of_the_marks_and_come_most_serious_first(listed, data):
    shuffled = data.draw(st.permutations(listed))

    found = flags(listed)

    assert flags(shuffled) == found
    assert found == sorted(found, key=[Flag.SPREAD, Flag.WORSE].index)
    assert len(set(found)) == len(found)


@given(listed=marks, quiet_days=st.sets(offsets))
def test_unmarked_days_never_change_the_worse_flag(listed, quiet_days):
    # The marks on even days, days with no word on pain and no spread between them on odd days.
    spaced = [Mark(START + (m.day - START) * 2, m.leg_pain, m.spread_down_leg) for m in listed]
    quiet = [Mark(day(2 * n + 1), "", False) for n in quiet_days]

    assert (Flag.WORSE in flags([*spaced, *quiet])) is (Flag.WORSE in flags(listed))
