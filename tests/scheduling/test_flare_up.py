"""Which slot a flare-up books across the plan (pure rule)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.scheduling.flare_up import DEFAULT_TOLERANCE, PlanOption, choose, later_by, soonest

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("preferred_in", "backup_in", "winner"),
    [
        (timedelta(days=1), timedelta(days=3), 0),
        (timedelta(days=3), timedelta(days=1), 0),  # exactly the two-day tolerance: preferred
        (timedelta(days=3, hours=1), timedelta(days=1), 1),
        (None, timedelta(days=5), 1),
    ],
)
def test_preferred_wins_within_tolerance(preferred_in, backup_in, winner):
    options = [
        PlanOption(0, 10, T0 + preferred_in if preferred_in is not None else None),
        PlanOption(1, 11, T0 + backup_in),
    ]

    assert choose(options).rank == winner


def test_nothing_free_anywhere():
    assert choose([PlanOption(0, 1, None), PlanOption(1, 2, None)]) is None


@given(st.lists(st.one_of(st.none(), st.integers(0, 60 * 24 * 14)), min_size=1, max_size=4))
def test_the_choice_is_never_later_than_the_soonest_plus_tolerance(minutes):
    options = [
        PlanOption(rank, 100 + rank, None if m is None else T0 + timedelta(minutes=m))
        for rank, m in enumerate(minutes)
    ]
    chosen = choose(options)
    known = [o.earliest for o in options if o.earliest is not None]

    if not known:
        assert chosen is None
    else:
        assert chosen is not None
        assert chosen.earliest is not None
        assert chosen.earliest <= min(known) + DEFAULT_TOLERANCE


@pytest.mark.parametrize(
    ("preferred_in", "backup_in", "soonest_rank"),
    [
        (timedelta(days=1, hours=2), timedelta(0), 1),  # Sun 6 Dec vs Sat 5 Dec 08:00
        (timedelta(0), timedelta(days=1), 0),
        (timedelta(0), timedelta(0), 0),  # a tie: the preferred therapist
        (None, timedelta(days=5), 1),
    ],
)
def test_soonest_is_the_earliest_across_the_plan_whatever_choose_suggests(
    preferred_in, backup_in, soonest_rank
):
    options = [
        PlanOption(0, 10, T0 + preferred_in if preferred_in is not None else None),
        PlanOption(1, 11, T0 + backup_in),
    ]

    assert soonest(options).rank == soonest_rank
    assert soonest(options).earliest == min(o.earliest for o in options if o.earliest)


@pytest.mark.parametrize(
    ("chosen", "earliest", "label"),
    [
        (date(2026, 12, 6), date(2026, 12, 5), "1 day later"),
        (date(2026, 12, 5), date(2026, 12, 5), "later the same day"),
        (date(2026, 12, 7), date(2026, 12, 5), "2 days later"),
    ],
)
def test_later_by_counts_calendar_days(chosen, earliest, label):
    assert later_by(chosen, earliest) == label
