"""Charts render for empty, one-point and long histories (pure geometry)."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.outcomes import charts

DAY = date(2026, 1, 1)


def test_an_empty_chart_has_axes_and_says_so():
    chart = charts.line_chart([charts.Series("Back", [], "back")])

    assert chart.empty
    assert chart.lines == []
    assert [label for _, label in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]


def test_one_point_is_drawn_in_the_middle():
    chart = charts.line_chart([charts.Series("Back", [(DAY, 5)], "back")])

    assert not chart.empty
    ((_, _, points),) = chart.lines
    x, y = map(float, points.split(","))
    assert x == pytest.approx(
        charts.LEFT + (charts.WIDTH - charts.LEFT - charts.RIGHT) / 2, abs=0.1
    )
    assert y == pytest.approx(
        charts.TOP + (charts.HEIGHT - charts.TOP - charts.BOTTOM) / 2, abs=0.1
    )


def test_three_years_of_daily_points_draw_one_thinned_line_without_dots():
    points = [(DAY + timedelta(days=i), (i % 11)) for i in range(3 * 365)]

    chart = charts.line_chart(
        [charts.Series("Back", points, "back")],
        markers=[charts.Marker(DAY + timedelta(days=40), "Session")],
    )

    assert len(chart.lines) == 1
    assert chart.dots == []
    drawn = [tuple(map(float, pair.split(","))) for pair in chart.lines[0][2].split()]
    assert len(drawn) <= charts.MAX_DRAWN
    assert drawn[0][0] == charts.LEFT
    assert drawn[-1][0] == charts.WIDTH - charts.RIGHT
    heights = {y for _, y in drawn}  # the worst (10) and the best (0) days are still drawn
    assert charts.TOP in heights
    assert charts.HEIGHT - charts.BOTTOM in heights
    assert chart.x_ticks[0][1] == "Jan 2026"
    assert len(chart.markers) == 1


@pytest.mark.parametrize(
    ("count", "limit", "whole"),
    [(0, 300, True), (1, 300, True), (300, 300, True), (301, 300, False), (3 * 365, 10, False)],
)
def test_thinning_keeps_short_series_whole_and_caps_long_ones(count, limit, whole):
    points = [(DAY + timedelta(days=i), float(i % 7)) for i in range(count)]

    kept = charts.thinned(points, limit)

    assert (kept == points) is whole
    assert len(kept) <= limit


def test_a_single_flare_up_day_survives_thinning():
    points = [(DAY + timedelta(days=i), 3.0) for i in range(3 * 365)]
    points[500] = (points[500][0], 10.0)

    assert points[500] in charts.thinned(points)


@given(
    st.lists(st.integers(0, 10), max_size=2000),
    st.integers(4, 400),
)
def test_thinning_keeps_ends_extremes_and_order(values, limit):
    points = [(DAY + timedelta(days=i), float(v)) for i, v in enumerate(values)]

    kept = charts.thinned(points, limit)

    assert len(kept) <= limit
    assert kept == points or len(points) > limit
    assert kept == sorted(kept)
    assert set(kept) <= set(points)
    if points:
        assert (kept[0], kept[-1]) == (points[0], points[-1])
        assert max(v for _, v in kept) == max(values)
        assert min(v for _, v in kept) == min(values)


@given(st.lists(st.integers(0, 10), max_size=1200), st.integers(4, 400))
def test_thinning_keeps_the_first_lowest_and_highest_of_each_run(values, limit):
    """The definition, written plainly: each run's first lowest and first highest point."""
    points = [(DAY + timedelta(days=i), float(v)) for i, v in enumerate(values)]
    count, runs = len(points), (limit - 2) // 2
    expected = set(range(count)) if count <= limit else {0, count - 1}
    for run in range(runs if count > limit else 0):
        indexes = range(run * count // runs, (run + 1) * count // runs)
        expected |= {min(indexes, key=values.__getitem__), max(indexes, key=values.__getitem__)}

    assert charts.thinned(points, limit) == [points[i] for i in sorted(expected)]


def test_bands_and_threshold_are_placed_on_the_scale():
    chart = charts.line_chart(
        [charts.Series("ODI", [(DAY, 40)], "score")],
        y_max=100,
        bands=[charts.BandIn(0, 20, "minimal"), charts.BandIn(20, 40, "moderate")],
        threshold=(30, "meaningful change"),
    )

    (top1, h1, _), (top2, _h2, _) = chart.bands
    assert top1 > top2  # "minimal" sits lower on the chart
    assert chart.threshold is not None
    assert top2 < chart.threshold[0] < top1 + h1


@given(
    st.lists(
        st.tuples(st.dates(min_value=DAY, max_value=date(2030, 1, 1)), st.integers(0, 10)),
        max_size=80,
    )
)
def test_every_point_stays_inside_the_plot(points):
    chart = charts.line_chart([charts.Series("Back", points, "back")])

    for _, _, drawn in chart.lines:
        for pair in drawn.split():
            x, y = map(float, pair.split(","))
            assert charts.LEFT <= x <= charts.WIDTH - charts.RIGHT
            assert charts.TOP <= y <= charts.HEIGHT - charts.BOTTOM


@pytest.mark.parametrize(("span", "step"), [(10, 2), (24, 4), (100, 20), (9, 3), (7, 2), (13, 3)])
def test_tick_steps_are_whole_numbers(span, step):
    assert charts.whole_step(span) == step


def test_rmdq_chart_ticks_are_whole_numbers_and_the_line_is_the_verdicts():
    from sciaticare.intake.scoring.instruments import INSTRUMENTS
    from sciaticare.outcomes.selectors import InstrumentProgress

    rmdq = INSTRUMENTS["rmdq"]
    progress = InstrumentProgress(rmdq, 12, 8, None, [(DAY, 12.0), (DAY + timedelta(days=28), 8.0)])

    chart = progress.chart

    assert [label for _, label in chart.y_ticks] == ["0", "4", "8", "12", "16", "20", "24"]
    assert chart.threshold is not None
    # 12 - min(5, 30 % of 12) = 8.4: drawn between the ticks for 8 and 12, nearer to 8.
    ticks = {label: y for y, label in chart.y_ticks}
    assert ticks["12"] < chart.threshold[0] < ticks["8"]
    assert chart.threshold[0] == pytest.approx(
        ticks["8"] - (ticks["8"] - ticks["12"]) * 0.1, abs=0.2
    )
    assert chart.threshold[1] == "meaningful change (3.6 points)"
    assert progress.threshold_text == "8.4 or less (3.6 points: 30 % of 12)"


def test_date_ticks_are_evenly_spread_and_the_last_never_crowds_the_one_before():
    # A last date appended after a rounded step sat on the one before it (UX finding 7).
    first = date(2026, 1, 1)
    for span in range(1, 400):
        ticks = charts.date_ticks(first, first + timedelta(days=span))
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(ticks)]
        assert ticks[0] == first
        assert ticks[-1] == first + timedelta(days=span)
        assert len(ticks) <= 4
        assert max(gaps) - min(gaps) <= 1, (span, ticks)


def test_the_meaningful_change_line_is_named_in_the_legend_not_on_the_data():
    from django.template.loader import render_to_string

    chart = charts.line_chart(
        [charts.Series("RMDQ", [(date(2026, 1, 1), 12), (date(2026, 2, 1), 8)], "score")],
        y_max=24,
        threshold=(9, "meaningful change (3 points)"),
    )
    html = render_to_string(
        "outcomes/_chart.html", {"chart": chart, "id": "c", "title": "t", "description": "d"}
    )

    svg, caption = html.split("</svg>")
    assert "meaningful change (3 points)</text>" not in svg
    assert "Meaningful change (3 points)" in caption
