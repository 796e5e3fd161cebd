"""Line charts as SVG geometry: pain over time with session markers, and questionnaire scores
with their interpretation bands and the MCID line. Pure, no Django; templates draw the result.

Coordinates are in a fixed viewBox (the SVG scales to any screen width); x is time, y the score
(higher drawn higher). Empty and one-point series are valid: an empty chart still has its axes.
Long series are thinned for drawing only (:func:`thinned`); the numbers behind a chart are
shown elsewhere in full. The words and days on a chart are in the page's language
(``core.translation``, ``core.display``); its coordinates never are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from sciaticare.core import display
from sciaticare.core.translation import gettext, language

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28
#: Most points drawn per line. The plot is 592 units wide: three years of daily entries would
#: put two points on every unit, which no screen can show and every page would have to carry.
MAX_DRAWN = 300


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float]]
    css: str  # e.g. "back", "leg"


@dataclass(frozen=True)
class Marker:
    """A session on the time axis, with its immediate drop in pain if recorded."""

    day: date
    label: str


@dataclass(frozen=True)
class BandIn:
    low: float
    high: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (css, label, "x,y x,y …")
    dots: list[tuple[str, float, float, str]] = field(default_factory=list)  # (css, x, y, title)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    markers: list[tuple[float, str]] = field(default_factory=list)
    bands: list[tuple[float, float, str]] = field(default_factory=list)  # (y top, height, label)
    threshold: tuple[float, str] | None = None  # (y, label): the MCID line
    empty: bool = True
    first: date | None = None
    last: date | None = None


#: Tick steps people read easily; a scale's step is the first that divides its span into 6
#: steps or fewer (RMDQ 0-24 → 4, ODI 0-100 → 20, pain 0-10 → 2).
_NICE_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 50, 100)


@lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    # Parsed once: parsing the name was most of a day's or a number's cost (a chart writes
    # up to 60 days), and the dashboard's chart is drawn on every visit.
    return Locale.parse(code)


def number(value: float) -> str:
    """A score for people: at most one decimal, none when whole, in the page's language
    ("8.4", "8,4"; "7", never "7.0" or 8.3999999)."""
    return format_decimal(round(value, 1), format="0.#", locale=_locale(display.locale()))


def _day(day: date, style: str) -> str:
    """``core.display.day`` (the same patterns), with the locale parsed once."""
    patterns = display.DAY_STYLES[style]
    pattern = patterns.get(language(), patterns["en"])
    return format_date(day, pattern, locale=_locale(display.locale()))


def _tick_day(day: date, long_span: bool) -> str:
    """A date under the time axis: "5 Dec" ("5 dic"); "Dec 2026" ("dic 2026") over long spans."""
    if long_span:
        return format_date(day, "MMM y", locale=_locale(display.locale()))
    return _day(day, "day_month")


def whole_step(span: float, most: int = 6) -> int:
    """A whole-number tick step for an integer scale spanning ``span`` (never 4.8 or 9.6)."""
    for step in _NICE_STEPS:
        if span % step == 0 and span / step <= most:
            return step
    return max(1, math.ceil(span / most))


def date_ticks(first: date, last: date, count: int = 4) -> list[date]:
    """Dates evenly spread from first to last. Four: on a phone a date label is a sixth of the
    chart wide, and a last date appended after a rounded step once sat on the one before."""
    span = (last - first).days
    if span <= 0:
        return [first]
    count = min(count, span + 1)
    return list(
        dict.fromkeys(first + timedelta(days=round(i * span / (count - 1))) for i in range(count))
    )


def thinned(
    points: Sequence[tuple[date, float]], limit: int = MAX_DRAWN
) -> list[tuple[date, float]]:
    """The points of a date-sorted series worth drawing: all of them up to ``limit``.

    Beyond it, the series is cut into runs of consecutive points and each run keeps its lowest
    and its highest point, in date order, plus the first and last point of the series; so the
    line keeps its envelope (a flare-up, a good day) though not every wiggle. At most
    ``limit`` points come back.
    """
    if len(points) <= limit:
        return list(points)
    runs, count = (limit - 2) // 2, len(points)
    values = [v for _, v in points]
    kept = {0, count - 1}
    for run in range(runs):
        start, stop = run * count // runs, (run + 1) * count // runs
        window = values[start:stop]
        # list.index finds the first lowest and first highest, as min/max with a key would.
        kept.add(start + window.index(min(window)))
        kept.add(start + window.index(max(window)))
    return [points[i] for i in sorted(kept)]


def _dot_titles() -> Callable[[str, float, date], str]:
    """A point's tooltip, "Back pain 6 on 5 Dec 2026", for one chart: its words looked up once,
    each day and value written once (two lines share their days; a dashboard chart has up to
    120 dots)."""
    # Translators: a point's tooltip on a chart: "Back pain 6 on 5 Dec 2026".
    words = gettext("%(series)s %(value)s on %(day)s")
    days: dict[date, str] = {}
    values: dict[float, str] = {}

    def title(series: str, value: float, day: date) -> str:
        if day not in days:
            days[day] = _day(day, "medium")
        if value not in values:
            values[value] = number(value)
        return words % {"series": series, "value": values[value], "day": days[day]}

    return title


def line_chart(
    series: Sequence[Series],
    *,
    y_max: float = 10,
    y_min: float = 0,
    markers: Sequence[Marker] = (),
    bands: Sequence[BandIn] = (),
    threshold: tuple[float, str] | None = None,
    y_step: float = 2,
) -> Chart:
    chart = Chart()
    # Each series sorted once; its ends and the markers bound the time axis (three years of
    # days made a list of every day only to take its min and max; issue 7).
    ordered_series = [(s, sorted(s.points)) for s in series]
    days = [p[i][0] for _, p in ordered_series if p for i in (0, -1)] + [m.day for m in markers]
    first, last = (min(days), max(days)) if days else (None, None)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(((last - first).days if first and last else 0), 1)

    def x(day: date) -> float:
        assert first is not None
        offset = (day - first).days
        return round(LEFT + (plot_w * offset / span if (last - first).days else plot_w / 2), 1)  # type: ignore[operator]

    def y(value: float) -> float:
        value = min(max(value, y_min), y_max)
        return round(TOP + plot_h * (1 - (value - y_min) / (y_max - y_min)), 1)

    tick = y_min
    while tick <= y_max + 1e-9:
        chart.y_ticks.append((y(tick), number(tick)))
        tick += y_step
    for band in bands:
        top, bottom = y(band.high), y(band.low)
        chart.bands.append((top, round(bottom - top, 1), band.label))
    if threshold is not None:
        chart.threshold = (y(threshold[0]), threshold[1])
    if first is None or last is None:
        return chart
    chart.empty, chart.first, chart.last = False, first, last
    long_span = (last - first).days >= 300
    chart.x_ticks = [(x(d), _tick_day(d, long_span)) for d in date_ticks(first, last)]
    dot_title = _dot_titles()
    for s, ordered in ordered_series:
        if ordered:
            drawn = thinned(ordered)
            ys = {v: y(v) for v in {v for _, v in drawn}}  # a handful of pain levels
            chart.lines.append((s.css, s.label, " ".join([f"{x(d)},{ys[v]}" for d, v in drawn])))
            if len(ordered) <= 60:  # dots only where they stay readable
                chart.dots += [(s.css, x(d), y(v), dot_title(s.label, v, d)) for d, v in ordered]
    chart.markers = [(x(m.day), m.label) for m in markers]
    return chart
