"""Patterns and focus suggestions for the therapist brief (pure rules, docs/clinical.md)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.intake import brief
from sciaticare.intake.bodymap import REGIONS


@pytest.mark.parametrize(
    ("regions", "worse_with", "codes"),
    [
        (["left_top_of_foot", "left_big_toe"], [], ["L5"]),
        (["right_calf", "right_sole_heel", "right_little_toe"], [], ["S1"]),
        (["left_shin"], [], ["L4", "L5"]),
        (["right_buttock"], ["sitting"], ["piriformis"]),
        (["right_buttock"], ["walking"], []),
        (["left_lower_back"], [], []),
        (
            ["right_shin", "right_top_of_foot", "right_big_toe", "right_calf"],
            [],
            ["L5", "L4", "S1"],
        ),
    ],
)
def test_patterns(regions, worse_with, codes):
    assert [p.code for p in brief.patterns(regions, worse_with=worse_with)] == codes


def test_focus_for_buttock_and_calf_includes_gluteals_and_calf():
    muscles = [f.muscles for f in brief.focus(["left_buttock", "left_calf"], [])]

    assert "Gluteus maximus and medius" in muscles
    assert "Calf (gastrocnemius, soleus)" in muscles


def test_trigger_point_suggestions_are_labelled_tradition():
    suggestions = brief.focus(["left_lower_back", "left_side_of_thigh"], [])

    by_name = {f.muscles: f for f in suggestions}
    assert by_name["Quadratus lumborum"].tradition
    assert by_name["Gluteus minimus"].tradition
    assert "Travell" in by_name["Quadratus lumborum"].source
    assert not by_name["Lumbar paraspinals (erector spinae, multifidus)"].tradition


def test_a_possible_clot_removes_every_leg_suggestion():
    suggestions = brief.focus(
        ["left_back_of_thigh", "left_calf", "left_lower_back"], ["no_massage_affected_leg"]
    )

    muscles = {f.muscles for f in suggestions}
    assert "Hamstrings" not in muscles
    assert "Calf (gastrocnemius, soleus)" not in muscles
    assert "Lumbar paraspinals (erector spinae, multifidus)" in muscles


def test_saddle_is_a_red_flag_region():
    assert brief.saddle_marked(["groin_saddle"])
    assert not brief.saddle_marked(["left_buttock"])


@given(st.lists(st.sampled_from(sorted(REGIONS)), unique=True))
def test_no_suggestion_ever_targets_the_saddle_and_leg_focus_respects_a_clot(regions):
    with_clot = brief.focus(regions, ["no_massage_affected_leg"])

    assert all("saddle" not in f.muscles.lower() for f in brief.focus(regions, []))
    assert {f.muscles for f in with_clot} <= {
        "Lumbar paraspinals (erector spinae, multifidus)",
        "Quadratus lumborum",
        "Gluteus maximus and medius",
        "Piriformis and deep hip rotators",
    }
