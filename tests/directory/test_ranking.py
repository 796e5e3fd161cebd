import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    MODALITIES,
    Candidate,
    PatientFit,
    Weights,
    bayesian_mean,
    rank,
    score,
)

NO_NEEDS = PatientFit(pregnant=False, gentle_pressure=False)


def candidate(**changes) -> Candidate:
    base = Candidate(
        distance_km=4.2,
        radius_km=25.0,
        sciatica_years=8,
        experience_years=12,
        licence_verified_on=date(2026, 3, 1),
        review_count=40,
        review_mean=4.8,
        modalities=frozenset({"swedish", "deep_tissue"}),
        next_available_days=None,
        outcome_median_relief=None,
        outcome_patients=0,
    )
    return dataclasses.replace(base, **changes)


def test_modality_codes_are_the_documented_seven():
    assert set(MODALITIES) == {
        "swedish",
        "deep_tissue",
        "trigger_point",
        "myofascial_release",
        "neuromuscular",
        "sports",
        "prenatal",
    }


def test_default_weights_sum_to_one():
    assert sum(DEFAULT_WEIGHTS.term_weights().values()) == pytest.approx(1.0)


@given(
    radius=st.floats(min_value=1.0, max_value=500.0),
    near_fraction=st.floats(min_value=0.0, max_value=1.0),
    far_fraction=st.floats(min_value=0.0, max_value=1.0),
    sciatica_years=st.integers(min_value=0, max_value=40),
    review_count=st.integers(min_value=0, max_value=500),
    review_mean=st.floats(min_value=1.0, max_value=5.0),
    verified=st.booleans(),
    next_days=st.none() | st.floats(min_value=0.0, max_value=60.0),
    pregnant=st.booleans(),
)
def test_nearer_wins_all_else_equal(
    radius,
    near_fraction,
    far_fraction,
    sciatica_years,
    review_count,
    review_mean,
    verified,
    next_days,
    pregnant,
):
    near_km, far_km = sorted((radius * near_fraction, radius * far_fraction))
    if near_km == far_km:
        far_km = near_km + 0.1
    common = {
        "radius_km": radius,
        "sciatica_years": sciatica_years,
        "review_count": review_count,
        "review_mean": review_mean,
        "licence_verified_on": date(2026, 3, 1) if verified else None,
        "next_available_days": next_days,
    }
    near = candidate(distance_km=near_km, **common)
    far = candidate(distance_km=far_km, **common)
    fit = PatientFit(pregnant=pregnant, gentle_pressure=False)

    assert score(near, fit).score >= score(far, fit).score
    # Keys chosen so that the key tie-break would favour the farther one.
    ordered = rank([("b-near", near), ("a-far", far)], fit)
    assert [key for key, _ in ordered] == ["b-near", "a-far"]


def test_strictly_nearer_scores_strictly_higher_within_the_radius():
    assert (
        score(candidate(distance_km=2.0), NO_NEEDS).score
        > score(candidate(distance_km=3.0), NO_NEEDS).score
    )


def test_one_five_star_review_ranks_below_forty_reviews_at_4_8():
    lucky = candidate(review_count=1, review_mean=5.0)
    proven = candidate(review_count=40, review_mean=4.8)
    ordered = rank([("lucky", lucky), ("proven", proven)], NO_NEEDS)
    assert [key for key, _ in ordered] == ["proven", "lucky"]
    assert score(proven, NO_NEEDS).terms["reviews"] > score(lucky, NO_NEEDS).terms["reviews"]


@pytest.mark.parametrize(
    ("count", "mean", "expected"),
    [
        (0, None, 4.3),  # nothing to average: the prior
        (1, 5.0, (5.0 + 10 * 4.3) / 11),  # 4.364
        (40, 4.8, (40 * 4.8 + 10 * 4.3) / 50),  # 4.70
        (10, 3.0, (10 * 3.0 + 10 * 4.3) / 20),  # 3.65
    ],
)
def test_bayesian_mean_worked_examples(count, mean, expected):
    assert bayesian_mean(count, mean, prior_mean=4.3, prior_weight=10) == pytest.approx(expected)


def test_review_prior_can_be_set_per_call():
    c = candidate(review_count=0, review_mean=None)
    low = score(c, NO_NEEDS, prior_mean=3.0)
    high = score(c, NO_NEEDS, prior_mean=5.0)
    assert low.terms["reviews"] == pytest.approx(0.5)
    assert high.terms["reviews"] == pytest.approx(1.0)
    assert high.score > low.score


def test_verified_licence_beats_unverified():
    verified = candidate(licence_verified_on=date(2026, 3, 1))
    unverified = candidate(licence_verified_on=None)
    assert score(verified, NO_NEEDS).score > score(unverified, NO_NEEDS).score
    assert "licence not yet verified" in score(unverified, NO_NEEDS).reasons


def test_reasons_in_plain_words():
    ranked = score(candidate(next_available_days=1.5), NO_NEEDS)
    assert ranked.reasons == (
        "4.2 km away",
        "treats sciatica for 8 years",
        "12 years in practice",
        "licence verified 1 Mar 2026",
        "4.8★ from 40 reviews",
        "free within 2 days",
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sciatica_years": 1}, "treats sciatica for 1 year"),
        ({"review_count": 1, "review_mean": 5.0}, "5.0★ from 1 review"),
        ({"review_count": 0, "review_mean": None}, "no reviews yet"),
        ({"next_available_days": 0.25}, "free within a day"),
        ({"next_available_days": 1.0}, "free within 1 day"),
        ({"distance_km": 0.35}, "0.3 km away"),
        ({"distance_km": 4.4, "whole_km": True}, "4 km away"),
        ({"distance_km": 4.6, "whole_km": True}, "5 km away"),
    ],
)
def test_reason_wording_edge_cases(changes, reason):
    assert reason in score(candidate(**changes), NO_NEEDS).reasons


def test_no_experience_means_no_experience_reason():
    reasons = score(candidate(sciatica_years=0, experience_years=0), NO_NEEDS).reasons
    assert not any("sciatica" in r or "in practice" in r for r in reasons)


def test_pregnant_person_is_matched_with_prenatal_massage():
    pregnant = PatientFit(pregnant=True, gentle_pressure=False)
    prenatal = candidate(modalities=frozenset({"swedish", "prenatal"}))
    other = candidate(modalities=frozenset({"swedish", "deep_tissue"}))

    assert "offers prenatal massage" in score(prenatal, pregnant).reasons
    assert "offers prenatal massage" not in score(other, pregnant).reasons
    assert [k for k, _ in rank([("other", other), ("prenatal", prenatal)], pregnant)] == [
        "prenatal",
        "other",
    ]
    # Not pregnant: prenatal massage is neither a reason nor an advantage.
    assert "offers prenatal massage" not in score(prenatal, NO_NEEDS).reasons
    assert score(prenatal, NO_NEEDS).score == score(other, NO_NEEDS).score


@pytest.mark.parametrize(
    ("modalities", "suited"),
    [
        ({"swedish"}, True),
        ({"myofascial_release"}, True),
        ({"deep_tissue", "sports"}, False),
        ({"trigger_point"}, False),
    ],
)
def test_gentle_pressure_precaution_favours_gentle_techniques(modalities, suited):
    fit = PatientFit(pregnant=False, gentle_pressure=True)
    ranked = score(candidate(modalities=frozenset(modalities)), fit)
    assert ("gentle techniques suited to your precautions" in ranked.reasons) is suited
    assert ranked.terms["fit"] == (1.0 if suited else 0.0)


def test_preferred_modalities_are_named():
    fit = PatientFit(preferred_modalities=frozenset({"trigger_point", "sports"}))
    ranked = score(candidate(modalities=frozenset({"trigger_point", "swedish"})), fit)
    assert "offers techniques you asked for: Trigger point therapy" in ranked.reasons


def test_outcomes_count_only_from_ten_patients():
    nine = candidate(outcome_median_relief=4.0, outcome_patients=9)
    ten = candidate(outcome_median_relief=2.5, outcome_patients=10)
    unknown = candidate()

    assert not any("patients report" in r for r in score(nine, NO_NEEDS).reasons)
    assert score(nine, NO_NEEDS).score == score(unknown, NO_NEEDS).score
    assert "patients report a median 2.5-point drop in pain (10 patients)" in (
        score(ten, NO_NEEDS).reasons
    )


def test_outcomes_are_shrunk_towards_the_prior():
    w = DEFAULT_WEIGHTS
    ten = score(candidate(outcome_median_relief=4.0, outcome_patients=10), NO_NEEDS)
    hundred = score(candidate(outcome_median_relief=4.0, outcome_patients=100), NO_NEEDS)
    # (10·4.0 + 10·1.5) / 20 = 2.75 points; (100·4.0 + 10·1.5) / 110 = 3.77 points
    assert ten.terms["outcome"] == pytest.approx(2.75 / w.outcome_full_points)
    assert hundred.terms["outcome"] == pytest.approx((415 / 110) / w.outcome_full_points)
    assert hundred.score > ten.score


def test_unknown_soonness_scores_the_same_for_everyone_and_a_free_slot_helps():
    a = score(candidate(next_available_days=None), NO_NEEDS)
    b = score(candidate(next_available_days=None, distance_km=4.2), NO_NEEDS)
    soon = score(candidate(next_available_days=2.0), NO_NEEDS)
    later = score(candidate(next_available_days=20.0), NO_NEEDS)
    assert a.score == b.score
    assert soon.score > later.score > a.score


@given(
    distance=st.floats(min_value=0.0, max_value=1000.0),
    radius=st.floats(min_value=0.0, max_value=500.0),
    years=st.integers(min_value=0, max_value=60),
    count=st.integers(min_value=0, max_value=10_000),
    mean=st.floats(min_value=1.0, max_value=5.0),
    relief=st.none() | st.floats(min_value=-10.0, max_value=10.0),
    patients=st.integers(min_value=0, max_value=10_000),
    days=st.none() | st.floats(min_value=0.0, max_value=365.0),
    modalities=st.frozensets(st.sampled_from(sorted(MODALITIES))),
    fit=st.builds(
        PatientFit,
        pregnant=st.booleans(),
        gentle_pressure=st.booleans(),
        preferred_modalities=st.frozensets(st.sampled_from(sorted(MODALITIES))),
    ),
)
def test_score_and_every_term_stay_between_0_and_1(
    distance, radius, years, count, mean, relief, patients, days, modalities, fit
):
    c = Candidate(
        distance_km=distance,
        radius_km=radius,
        sciatica_years=years,
        experience_years=years,
        licence_verified_on=None,
        review_count=count,
        review_mean=mean if count else None,
        modalities=modalities,
        next_available_days=days,
        outcome_median_relief=relief,
        outcome_patients=patients,
    )
    ranked = score(c, fit)
    assert 0.0 <= ranked.score <= 1.0
    assert all(0.0 <= v <= 1.0 for v in ranked.terms.values())
    assert 0 <= ranked.percent <= 100


def test_ties_are_ordered_by_distance_then_key_and_repeatably():
    same = candidate()
    farther = candidate(distance_km=30.0)  # beyond the radius: distance term 0
    farthest = candidate(distance_km=40.0)  # also 0, same score as farther
    entries = [(3, same), (1, same), (7, farthest), (2, same), (5, farther)]

    ordered = rank(entries, NO_NEEDS)

    assert [key for key, _ in ordered] == [1, 2, 3, 5, 7]
    assert rank(list(reversed(entries)), NO_NEEDS) == ordered
    scores = [ranked.score for _, ranked in ordered]
    assert scores == sorted(scores, reverse=True)


def test_a_zero_weight_switches_a_term_off():
    only_distance = Weights(
        distance=1.0,
        sciatica=0,
        experience=0,
        licence=0,
        reviews=0,
        fit=0,
        soonness=0,
        outcome=0,
    )
    ranked = score(candidate(distance_km=5.0, radius_km=20.0), NO_NEEDS, only_distance)
    assert ranked.score == pytest.approx(0.75)


@pytest.mark.parametrize(
    "changes",
    [
        {"distance_km": -1.0},
        {"review_mean": 5.5},
        {"review_count": -1},
        {"sciatica_years": -2},
        {"modalities": frozenset({"reiki"})},
        {"next_available_days": -1.0},
    ],
)
def test_nonsense_candidates_are_rejected(changes):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        candidate(**changes)


@pytest.mark.parametrize(
    "changes",
    [{"distance": -0.1}, {"prior_mean": 6.0}, {"soonness_half_days": 0.0}],
)
def test_nonsense_weights_are_rejected(changes):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Weights(**changes)
