"""The directory's outcome term (issue 7): median relief shrunk towards the overall mean by
patient count, and its reason line. Table-driven, with properties."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    Candidate,
    PatientFit,
    outcome_reason,
    outcome_relief,
    outcome_term,
    score,
)

MIN = DEFAULT_WEIGHTS.outcome_min_patients
PRIOR = DEFAULT_WEIGHTS.outcome_prior_relief
relief = st.floats(-10, 10, allow_nan=False)
prior = st.floats(0, 10, allow_nan=False)


@pytest.mark.parametrize(
    ("median", "patients", "prior_relief", "expected"),
    [
        (None, 50, None, PRIOR),  # unknown: the prior stands
        (4.0, 9, None, PRIOR),  # below the threshold: the prior stands
        (4.0, 10, 2.0, 3.0),  # (10 * 4 + 10 * 2) / 20
        (4.0, 30, 2.0, 3.5),  # (30 * 4 + 10 * 2) / 40
        (2.0, 10, 2.0, 2.0),  # the median at the mean: no move
        (0.0, 10, 2.0, 1.0),
    ],
)
def test_outcome_relief_is_shrunk_towards_the_overall_mean(
    median, patients, prior_relief, expected
):
    assert outcome_relief(median, patients, prior_relief=prior_relief) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("median", "patients", "line"),
    [
        (2.5, 12, "patients report a median 2.5-point drop in pain (12 patients)"),
        (2.5, 9, None),
        (0.0, 40, None),
        (-1.0, 40, None),
        (None, 40, None),
    ],
)
def test_outcome_reason_states_what_patients_report(median, patients, line):
    assert outcome_reason(median, patients) == line


@given(relief, prior, st.integers(MIN, 5_000), st.integers(1, 5_000))
def test_more_patients_with_the_same_median_move_further_from_the_mean(median, mean, n, more):
    fewer = abs(outcome_relief(median, n, prior_relief=mean) - mean)
    many = abs(outcome_relief(median, n + more, prior_relief=mean) - mean)

    assert many >= fewer - 1e-9
    if abs(median - mean) > 1e-6:
        assert many > fewer


@given(relief, prior, st.integers(0, 5_000))
def test_shrunk_relief_lies_between_the_mean_and_the_median(median, mean, n):
    shrunk = outcome_relief(median, n, prior_relief=mean)

    assert min(median, mean) - 1e-9 <= shrunk <= max(median, mean) + 1e-9
    assert 0.0 <= outcome_term(median, n, prior_relief=mean) <= 1.0


def _candidate(**outcome: Any) -> Candidate:
    """A plain candidate 1 km away, with the given outcome fields."""
    return Candidate(
        distance_km=1.0,
        radius_km=10.0,
        sciatica_years=2,
        experience_years=4,
        licence_verified_on=None,
        review_count=0,
        review_mean=None,
        modalities=frozenset(),
        **outcome,
    )


@given(st.one_of(st.none(), relief), st.integers(0, 500))
def test_score_uses_the_outcome_term(median, n):
    ranked = score(_candidate(outcome_median_relief=median, outcome_patients=n), PatientFit())

    assert ranked.terms["outcome"] == outcome_term(median, n)
    line = outcome_reason(median, n)
    assert (
        (line in ranked.reasons)
        if line
        else not any("patients report" in r for r in ranked.reasons)
    )


@given(st.one_of(st.none(), relief), st.integers(0, 500), st.floats(0, 1))
def test_a_stored_outcome_term_is_used_as_it_is_and_the_reason_still_comes_from_the_figures(
    median, n, stored
):
    # The search table keeps the term the SQL ranked by; the page's score must use that one.
    candidate = _candidate(
        outcome_median_relief=median, outcome_patients=n, outcome_term_stored=stored
    )

    ranked = score(candidate, PatientFit())

    assert ranked.terms["outcome"] == stored
    line = outcome_reason(median, n)
    if line:
        assert line in ranked.reasons


@pytest.mark.parametrize("stored", [-0.01, 1.01, float("nan")])
def test_a_stored_outcome_term_outside_0_to_1_is_refused(stored):
    with pytest.raises(ValueError, match="outcome_term_stored"):
        _candidate(outcome_term_stored=stored)
