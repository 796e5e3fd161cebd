"""Which slot a flare-up books across the plan (pure rule)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.scheduling.flare_up import DEFAULT_TOLERANCE, PlanOption, choose

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
