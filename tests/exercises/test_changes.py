"""What changed between two versions of a programme (exercises/changes.py, pure): table-driven,
and Hypothesis for the rules every answer keeps."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.exercises.changes import Change, ItemValues, Kind, VersionValues, changes

MON_WED_FRI = 0b0010101
REVIEW = date(2026, 8, 11)


def v(*items: ItemValues, review: date | None = REVIEW, note: str = "") -> VersionValues:
    return VersionValues(review_date=review, note=note, items=items)


TILT = ItemValues("tilt", repetitions=10, sets=2)
WALK = ItemValues("walk", minutes=15)
SLIDER = ItemValues("slider", repetitions=8)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(v(TILT), v(TILT), [], id="nothing changed"),
        pytest.param(
            v(TILT),
            v(TILT, WALK),
            [Change(Kind.ADDED, "walk", None, WALK)],
            id="one added",
        ),
        pytest.param(
            v(TILT, WALK),
            v(WALK),
            [Change(Kind.REMOVED, "tilt", TILT, None)],
            id="one taken out",
        ),
        pytest.param(
            v(TILT),
            v(ItemValues("tilt", repetitions=12, sets=2)),
            [Change(Kind.DOSE, "tilt", TILT, ItemValues("tilt", repetitions=12, sets=2))],
            id="more repetitions",
        ),
        pytest.param(
            v(WALK),
            v(ItemValues("walk", minutes=15, times_per_day=2)),
            [Change(Kind.DOSE, "walk", WALK, ItemValues("walk", minutes=15, times_per_day=2))],
            id="twice a day",
        ),
        pytest.param(
            v(TILT),
            v(ItemValues("tilt", repetitions=10, sets=2, days=MON_WED_FRI)),
            [
                Change(
                    Kind.DAYS,
                    "tilt",
                    TILT,
                    ItemValues("tilt", repetitions=10, sets=2, days=MON_WED_FRI),
                )
            ],
            id="fewer days",
        ),
        pytest.param(
            v(TILT),
            v(ItemValues("tilt", repetitions=12, sets=2, days=MON_WED_FRI)),
            [
                Change(
                    Kind.DOSE,
                    "tilt",
                    TILT,
                    ItemValues("tilt", repetitions=12, sets=2, days=MON_WED_FRI),
                ),
                Change(
                    Kind.DAYS,
                    "tilt",
                    TILT,
                    ItemValues("tilt", repetitions=12, sets=2, days=MON_WED_FRI),
                ),
            ],
            id="dose and days",
        ),
        pytest.param(
            v(TILT),
            v(ItemValues("tilt", repetitions=10, sets=2, instructions="Slowly")),
            [
                Change(
                    Kind.INSTRUCTIONS,
                    "tilt",
                    TILT,
                    ItemValues("tilt", repetitions=10, sets=2, instructions="Slowly"),
                )
            ],
            id="instructions",
        ),
        pytest.param(
            v(ItemValues("tilt", repetitions=10, sets=2, instructions="Slowly ")),
            v(ItemValues("tilt", repetitions=10, sets=2, instructions="Slowly")),
            [],
            id="spaces around instructions are no change",
        ),
        pytest.param(
            v(TILT),
            v(TILT, review=date(2026, 9, 1)),
            [Change(Kind.REVIEW, None, REVIEW, date(2026, 9, 1))],
            id="review date",
        ),
        pytest.param(
            v(TILT),
            v(TILT, review=None),
            [Change(Kind.REVIEW, None, REVIEW, None)],
            id="review date removed",
        ),
        pytest.param(
            v(TILT, note="Gently"),
            v(TILT, note="Gently, and walk"),
            [Change(Kind.NOTE, None, "Gently", "Gently, and walk")],
            id="note",
        ),
        pytest.param(
            v(TILT, WALK),
            v(WALK, TILT),
            [],
            id="order alone is no change",
        ),
        pytest.param(
            v(TILT, WALK, note="a"),
            v(SLIDER, ItemValues("walk", minutes=20), review=None, note="b"),
            [
                Change(Kind.REMOVED, "tilt", TILT, None),
                Change(Kind.ADDED, "slider", None, SLIDER),
                Change(Kind.DOSE, "walk", WALK, ItemValues("walk", minutes=20)),
                Change(Kind.REVIEW, None, REVIEW, None),
                Change(Kind.NOTE, None, "a", "b"),
            ],
            id="taken out first, then the new version's order, then review and note",
        ),
    ],
)
def test_changes(before, after, expected):
    assert changes(before, after) == expected


def test_a_first_version_has_no_changes():
    assert changes(None, v(TILT, WALK)) == []


items = st.builds(
    ItemValues,
    exercise=st.integers(1, 8),
    repetitions=st.integers(0, 3),
    sets=st.integers(1, 2),
    minutes=st.integers(0, 2),
    times_per_day=st.integers(1, 2),
    days=st.integers(1, 127),
)
versions = st.builds(
    lambda listed, review, note: v(
        *{i.exercise: i for i in listed}.values(), review=review, note=note
    ),
    st.lists(items, max_size=6),
    st.sampled_from([None, REVIEW]),
    st.sampled_from(["", "a"]),
)


@given(versions)
def test_a_version_against_itself_has_no_changes(version):
    assert changes(version, version) == []


@given(versions, versions)
def test_exercises_added_and_taken_out_are_the_difference_of_the_two_sets(before, after):
    found = changes(before, after)
    old = {i.exercise for i in before.items}
    new = {i.exercise for i in after.items}

    assert {c.exercise for c in found if c.kind == Kind.ADDED} == new - old
    assert {c.exercise for c in found if c.kind == Kind.REMOVED} == old - new
    changed = {c.exercise for c in found if c.kind in (Kind.DOSE, Kind.DAYS)}
    assert changed <= old & new
    # Each change is said once.
    assert len(found) == len(set(found))
