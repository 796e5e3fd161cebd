import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.outcomes.response import (
    HONEST_PROMPT,
    NO_BASELINE_NOTE,
    WeeklyRelief,
    baseline_median,
    immediate_relief,
    lasting_relief,
    meaningful_threshold,
    needs_clinician_review,
    recent_relief,
    responder,
)

FIRST = date(2026, 3, 10)  # first session


def day(offset: int) -> date:
    return FIRST + timedelta(days=offset)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(7, 4, 3), (5, 5, 0), (3, 6, -3), (None, 4, None), (7, None, None), (None, None, None)],
)
def test_immediate_relief_is_before_minus_after(before, after, expected):
    assert immediate_relief(before, after) == expected


def test_immediate_relief_rejects_scores_off_the_scale():
    with pytest.raises(ValueError, match="0-10"):
        immediate_relief(11, 4)


# NRS: meaningful change is >= 2 points or >= 30 % (Ostelo 2008).
@pytest.mark.parametrize(
    ("baseline", "latest", "points", "percent", "is_responder"),
    [
        (8, 6, 2, 25.0, True),  # exactly 2 points, only 25 %
        (8, 6.1, 1.9, 23.75, False),  # just under 2 points and under 30 %
        (5, 3.5, 1.5, 30.0, True),  # exactly 30 %, under 2 points
        (3.5, 2.45, 1.05, 30.0, True),  # exactly 30 %, though floats give 29.999999999999993
        (8.2, 6.2, 2, 24.39, True),  # exactly 2 points, though floats give 1.9999999999999991
        (5, 3.6, 1.4, 28.0, False),  # under both
        (4, 6, -2, -50.0, False),  # worse
        (0, 0, 0, None, False),  # no pain to begin with: no percentage
        (10, 7, 3, 30.0, True),
    ],
)
def test_nrs_responder_at_the_mcid_boundaries(baseline, latest, points, percent, is_responder):
    result = responder(baseline, latest, mcid_points=2, mcid_percent=30)
    assert result.improvement_points == pytest.approx(points)
    if percent is None:
        assert result.improvement_percent is None
    else:
        assert result.improvement_percent == pytest.approx(percent, abs=0.01)
    assert result.is_responder is is_responder


@pytest.mark.parametrize(
    ("baseline", "latest", "is_responder"),
    [(40, 30, True), (40, 31, False), (20, 14, True), (20, 15, False)],
)
def test_odi_responder_by_10_points_or_30_percent(baseline, latest, is_responder):
    odi = INSTRUMENTS["odi"]
    result = responder(
        baseline,
        latest,
        mcid_points=odi.mcid_points,
        mcid_percent=odi.mcid_percent,
        lower_is_better=True,
    )
    assert result.is_responder is is_responder


def test_peg_has_only_a_percentage_threshold():
    peg = INSTRUMENTS["peg"]
    assert peg.mcid_points is None
    assert responder(5, 3.5, mcid_points=None, mcid_percent=peg.mcid_percent).is_responder
    assert not responder(5, 3.6, mcid_points=None, mcid_percent=peg.mcid_percent).is_responder


def test_higher_is_better_scales_count_a_rise_as_improvement():
    result = responder(10, 15, mcid_points=5, mcid_percent=None, lower_is_better=False)
    assert result.improvement_points == 5
    assert result.improvement_percent == pytest.approx(50.0)
    assert result.is_responder


@pytest.mark.parametrize(
    ("code", "baseline", "score", "change", "by"),
    [
        # RMDQ 12: 30 % is 3.6 points, nearer than 5, so the line is at 8.4 (it was drawn at 7).
        ("rmdq", 12, 8.4, 3.6, "percent"),
        ("rmdq", 20, 15, 5, "points"),
        ("nrs-back", 5, 3.5, 1.5, "percent"),
        ("nrs-back", 8, 6, 2, "points"),
        ("odi", 60, 50, 10, "points"),
        ("odi", 20, 14, 6, "percent"),
        ("peg", 6, 4.2, 1.8, "percent"),
        # A baseline of 0 has no percent threshold: the points one remains.
        ("rmdq", 0, -5, 5, "points"),
    ],
)
def test_the_threshold_line_is_the_nearer_of_points_and_percent(code, baseline, score, change, by):
    instrument = INSTRUMENTS[code]

    line = meaningful_threshold(
        baseline, mcid_points=instrument.mcid_points, mcid_percent=instrument.mcid_percent
    )

    assert line is not None
    assert line.score == pytest.approx(score)
    assert line.change == pytest.approx(change)
    assert line.by == by


def test_rmdq_12_to_8_is_meaningful_and_below_the_line():
    rmdq = INSTRUMENTS["rmdq"]
    mcid = {"mcid_points": rmdq.mcid_points, "mcid_percent": rmdq.mcid_percent}

    line = meaningful_threshold(12, **mcid)

    assert responder(12, 8, **mcid).is_responder
    assert line is not None
    assert line.score >= 8


def test_no_threshold_without_an_mcid():
    assert meaningful_threshold(5, mcid_points=None, mcid_percent=None) is None
    assert meaningful_threshold(0, mcid_points=None, mcid_percent=30) is None


@given(
    baseline=st.integers(0, 100),
    latest=st.integers(0, 100),
    points=st.one_of(st.none(), st.integers(1, 20)),
    percent=st.one_of(st.none(), st.sampled_from([10, 25, 30, 50])),
    lower_is_better=st.booleans(),
)
def test_the_verdict_is_meaningful_exactly_when_the_score_reaches_the_line(
    baseline, latest, points, percent, lower_is_better
):
    if points is None and percent is None:
        return
    verdict = responder(
        baseline,
        latest,
        mcid_points=points,
        mcid_percent=percent,
        lower_is_better=lower_is_better,
    ).is_responder
    line = meaningful_threshold(
        baseline, mcid_points=points, mcid_percent=percent, lower_is_better=lower_is_better
    )
    if line is None:
        assert not verdict
        return
    # Integer scores and thresholds in tenths: compare in tenths to stay clear of float noise.
    reached = (
        round(latest * 10) <= round(line.score * 10)
        if lower_is_better
        else round(latest * 10) >= round(line.score * 10)
    )
    assert verdict is reached


def test_responder_needs_a_threshold():
    with pytest.raises(ValueError, match="at least one"):
        responder(8, 4, mcid_points=None, mcid_percent=None)


def test_baseline_is_the_median_of_the_seven_days_before_the_first_session():
    entries = [
        (day(-8), 10.0),  # too early
        (day(-7), 6.0),
        (day(-3), 7.0),
        (day(-1), 8.0),
        (day(0), 1.0),  # session day: after, not baseline
    ]
    assert baseline_median(entries, FIRST) == 7.0


def test_missing_baseline_gives_no_lasting_relief_figures():
    entries = [(day(-10), 7.0), (day(0), 5.0), (day(8), 4.0)]
    assert baseline_median(entries, FIRST) is None
    assert lasting_relief(entries, FIRST) == []
    assert "No lasting-relief figures" in NO_BASELINE_NOTE


def test_lasting_relief_gives_weekly_medians_and_their_drop_from_baseline():
    entries = [
        (day(-6), 7.0),
        (day(-2), 8.0),  # baseline median 7.5
        (day(0), 6.0),
        (day(3), 5.0),
        (day(6), 7.0),  # week 1: median 6
        (day(7), 4.0),
        (day(13), 5.0),  # week 2: median of two entries 4.5
        # no entries in week 3: left out
        (day(22), 3.0),
        (day(21), 2.0),
        (day(27), 2.5),  # week 4: median 2.5
    ]
    assert lasting_relief(entries, FIRST) == [
        WeeklyRelief(week_start=day(0), median=6.0, change_from_baseline=1.5),
        WeeklyRelief(week_start=day(7), median=4.5, change_from_baseline=3.0),
        WeeklyRelief(week_start=day(21), median=2.5, change_from_baseline=5.0),
    ]


def test_lasting_relief_reports_worse_weeks_as_negative_relief():
    entries = [(day(-1), 4.0), (day(2), 6.0)]
    assert lasting_relief(entries, FIRST) == [
        WeeklyRelief(week_start=day(0), median=6.0, change_from_baseline=-2.0)
    ]


@given(
    st.dictionaries(st.integers(-30, 120), st.integers(0, 10), max_size=120),
    st.integers(1, 4),
)
def test_recent_relief_is_the_last_weeks_of_lasting_relief(pains, weeks):
    entries = [(day(offset), float(pain)) for offset, pain in sorted(pains.items())]

    assert recent_relief(entries, FIRST, weeks) == lasting_relief(entries, FIRST)[-weeks:]


def test_recent_relief_skips_weeks_without_entries():
    entries = [(day(-1), 6.0), (day(1), 5.0), (day(8), 4.0), (day(30), 2.0), (day(31), 3.0)]

    assert recent_relief(entries, FIRST, 2) == [
        WeeklyRelief(week_start=day(7), median=4.0, change_from_baseline=2.0),
        WeeklyRelief(week_start=day(28), median=2.5, change_from_baseline=3.5),
    ]
    with pytest.raises(ValueError, match="at least 1"):
        recent_relief(entries, FIRST, 0)


@pytest.mark.parametrize(
    ("sessions", "weeks", "improved", "expected"),
    [
        (5, 0.0, False, False),
        (6, 0.0, False, True),
        (6, 0.0, True, False),
        (1, 5.9, False, False),
        (1, 6.0, False, True),
        (1, 6.0, True, False),
        (5, 5.9, False, False),
        (12, 10.0, False, True),
    ],
)
def test_needs_clinician_review_after_6_sessions_or_6_weeks_without_meaningful_change(
    sessions, weeks, improved, expected
):
    assert needs_clinician_review(sessions, weeks, improved) is expected


def test_honest_prompt_says_what_clinical_md_says_and_never_cure():
    text = HONEST_PROMPT.lower()
    assert "short-term relief" in text
    assert "exercise" in text
    assert "does not treat the cause" in text
    assert "never replaces a medical assessment" in text
    assert "review" in text
    assert not re.search(r"\bcur(e|es|ed|ing|ative)\b", text)


def test_the_review_prompt_counts_a_30_percent_weekly_drop_as_meaningful():
    from sciaticare.outcomes.selectors import course_needs_review

    sessions = [FIRST + timedelta(weeks=n) for n in range(6)]
    # Baseline 5, week median 3.5: 1.5 points is under 2 but is 30 % of 5.
    weeks = [WeeklyRelief(week_start=day(35), median=3.5, change_from_baseline=1.5)]

    assert not course_needs_review(sessions, weeks, [])
    assert course_needs_review(sessions, [WeeklyRelief(day(35), 4.0, 1.0)], [])
