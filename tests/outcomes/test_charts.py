"""Charts render for empty, one-point and long histories (pure geometry)."""

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


def test_three_years_of_daily_points_draw_one_line_without_dots():
    points = [(DAY + timedelta(days=i), (i % 11)) for i in range(3 * 365)]

    chart = charts.line_chart(
        [charts.Series("Back", points, "back")],
        markers=[charts.Marker(DAY + timedelta(days=40), "Session")],
    )

    assert len(chart.lines) == 1
    assert chart.dots == []
    assert len(chart.lines[0][2].split()) == 3 * 365
    assert chart.x_ticks[0][1] == "Jan 2026"
    assert len(chart.markers) == 1


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
