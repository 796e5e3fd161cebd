"""Adherence to a home programme (exercises/adherence.py, pure): table-driven cases, then
properties that hold for any plan and any ticks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.exercises.adherence import (
    ADHERENT_FROM,
    EVERY_DAY,
    Span,
    Week,
    adherent,
    on_days,
    overall,
    planned_sessions,
    version_spans,
    week_of,
    weekly,
    without_paused,
)

MONDAY = date(2026, 3, 2)  # a Monday
MON, TUE, WED, THU, FRI, SAT, SUN = (1 << n for n in range(7))


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


# --- Table-driven ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "weekday", "expected"),
    [
        (EVERY_DAY, 0, True),
        (EVERY_DAY, 6, True),
        (MON, 0, True),
        (MON, 1, False),
        (SUN, 6, True),
        (SUN, 5, False),
        (MON | WED | FRI, 2, True),
        (MON | WED | FRI, 3, False),
    ],
)
def test_on_days_reads_bit_0_as_monday(mask, weekday, expected):
    assert on_days(mask, day(weekday)) is expected


@pytest.mark.parametrize(
    ("spans", "planned"),
    [
        ([Span(day(0), day(6), {"walk": EVERY_DAY})], 7),
        ([Span(day(0), day(13), {"walk": MON | WED | FRI})], 6),
        ([Span(day(0), day(6), {"walk": EVERY_DAY, "tilt": SAT | SUN})], 9),
        ([Span(day(2), day(2), {"walk": MON})], 0),  # a Wednesday only
        # Two spans planning the same exercise on the same day plan it once.
        ([Span(day(0), day(3), {"walk": EVERY_DAY}), Span(day(3), day(6), {"walk": EVERY_DAY})], 7),
        ([], 0),
    ],
)
def test_planned_sessions(spans, planned):
    assert len(planned_sessions(spans)) == planned


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        # Planned: walk every weekday of one week (5 sessions).
        ([], [Week(MONDAY, 5, 0)]),
        ([("walk", day(0)), ("walk", day(1))], [Week(MONDAY, 5, 2)]),
        # Monday's walk moved to Saturday counts for the week...
        ([("walk", day(5))], [Week(MONDAY, 5, 1)]),
        # ...but never past what was planned: 7 walks of 5 planned is 100 %.
        ([("walk", day(n)) for n in range(7)], [Week(MONDAY, 5, 5)]),
        # Ticks of an exercise that was not planned, or of another week, count for nothing.
        ([("tilt", day(0)), ("walk", day(7))], [Week(MONDAY, 5, 0)]),
        # The same tick twice is one session.
        ([("walk", day(0)), ("walk", day(0))], [Week(MONDAY, 5, 1)]),
    ],
)
def test_weekly(done, expected):
    planned = planned_sessions([Span(day(0), day(6), {"walk": MON | TUE | WED | THU | FRI})])

    assert weekly(planned=planned, done=done) == expected


def test_weekly_lists_weeks_oldest_first_and_only_planned_ones():
    planned = planned_sessions(
        [Span(day(14), day(20), {"walk": MON}), Span(day(0), day(6), {"walk": MON})]
    )

    weeks = weekly(planned=planned, done=[("walk", day(0)), ("walk", day(8))])

    assert weeks == [Week(day(0), 1, 1), Week(day(14), 1, 0)]  # nothing planned in week 2


@pytest.mark.parametrize(
    ("weeks", "share", "is_adherent"),
    [
        ([], None, None),
        ([Week(MONDAY, 10, 7)], 0.7, True),
        ([Week(MONDAY, 10, 6)], 0.6, False),
        ([Week(MONDAY, 10, 10), Week(day(7), 10, 4)], 0.7, True),
        ([Week(MONDAY, 4, 1), Week(day(7), 6, 0)], 0.1, False),
    ],
)
def test_overall_and_adherent(weeks, share, is_adherent):
    assert overall(weeks) == pytest.approx(share) if share is not None else overall(weeks) is None
    assert adherent(weeks) is is_adherent


def test_a_week_starts_on_monday():
    assert [week_of(day(n)) for n in (0, 3, 6, 7)] == [MONDAY, MONDAY, MONDAY, day(7)]


@pytest.mark.parametrize(
    ("versions", "window", "expected"),
    [
        # One version: from its start, within the window.
        ([(day(2), {"a": 1})], (day(0), day(9)), [(day(2), day(9), {"a": 1})]),
        ([(day(2), {"a": 1})], (day(5), day(9)), [(day(5), day(9), {"a": 1})]),
        # A newer version ends the one before the day before it starts.
        (
            [(day(0), {"a": 1}), (day(4), {"b": 1})],
            (day(0), day(9)),
            [(day(0), day(3), {"a": 1}), (day(4), day(9), {"b": 1})],
        ),
        # Written the same day: the newer one holds the whole time.
        ([(day(0), {"a": 1}), (day(0), {"b": 1})], (day(0), day(9)), [(day(0), day(9), {"b": 1})]),
        # A newer version that starts earlier replaces the older one from its own start.
        ([(day(5), {"a": 1}), (day(3), {"b": 1})], (day(0), day(9)), [(day(3), day(9), {"b": 1})]),
        # Not started by the window's end: nothing.
        ([(day(10), {"a": 1})], (day(0), day(9)), []),
    ],
)
def test_version_spans(versions, window, expected):
    spans = version_spans(versions, start=window[0], end=window[1])

    assert [(s.start, s.end, dict(s.days)) for s in spans] == expected


@pytest.mark.parametrize(
    ("paused", "expected"),
    [
        ({}, [(day(0), day(9), {"a": 1, "b": 1})]),
        ({"a": day(4)}, [(day(0), day(3), {"a": 1, "b": 1}), (day(4), day(9), {"b": 1})]),
        ({"a": day(0)}, [(day(0), day(9), {"b": 1})]),
        ({"a": day(-3)}, [(day(0), day(9), {"b": 1})]),
        ({"a": day(20)}, [(day(0), day(9), {"a": 1, "b": 1})]),
        ({"a": day(0), "b": day(0)}, []),
        (
            {"a": day(3), "b": day(6)},
            [
                (day(0), day(2), {"a": 1, "b": 1}),
                (day(3), day(5), {"b": 1}),
            ],
        ),
        ({"c": day(3)}, [(day(0), day(9), {"a": 1, "b": 1})]),  # not in the plan
    ],
)
def test_without_paused(paused, expected):
    spans = without_paused([Span(day(0), day(9), {"a": 1, "b": 1})], paused)

    assert [(s.start, s.end, dict(s.days)) for s in spans] == expected


# --- Properties ------------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
masks = st.integers(min_value=1, max_value=EVERY_DAY)
keys = st.sampled_from(["walk", "tilt", "slider"])


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(days)
    return Span(
        start,
        start + timedelta(days=draw(st.integers(0, 120))),
        draw(st.dictionaries(keys, masks, min_size=1)),
    )


def ticks(near: date) -> st.SearchStrategy[list[tuple[str, date]]]:
    offsets = st.integers(-10, 130).map(lambda n: near + timedelta(days=n))
    return st.lists(st.tuples(keys, offsets), max_size=60)


@given(span=spans())
def test_planned_sessions_are_the_days_of_the_mask_in_the_span(span):
    length = (span.end - span.start).days + 1
    expected = sum(
        sum(1 for n in range(length) if mask >> (span.start + timedelta(days=n)).weekday() & 1)
        for mask in span.days.values()
    )

    assert len(planned_sessions([span])) == expected
    # And by a count that does not walk the days: whole weeks, then the rest.
    whole, rest = divmod(length, 7)
    counted = 0
    for mask in span.days.values():
        counted += whole * mask.bit_count()
        first = span.start.weekday()
        counted += sum(mask >> ((first + n) % 7) & 1 for n in range(rest))
    assert counted == expected


@given(data=st.data(), plan=st.lists(spans(), min_size=1, max_size=3))
def test_ratio_is_between_0_and_1_and_weeks_add_up(data, plan):
    planned = planned_sessions(plan)
    done = data.draw(ticks(plan[0].start))

    weeks = weekly(planned=planned, done=done)

    assert all(0 <= w.ratio <= 1 for w in weeks)
    assert all(0 <= w.done <= w.planned for w in weeks)
    assert sum(w.planned for w in weeks) == len(planned)
    assert all(w.start.weekday() == 0 for w in weeks)
    assert [w.start for w in weeks] == sorted({week_of(d) for _, d in planned})
    share = overall(weeks)
    assert (share is None) == (not planned)
    assert share is None or 0 <= share <= 1


@given(data=st.data(), plan=st.lists(spans(), min_size=1, max_size=3))
def test_ticking_more_never_lowers_a_week_and_ticks_beyond_the_plan_never_raise_it(data, plan):
    planned = planned_sessions(plan)
    done = data.draw(ticks(plan[0].start))
    extra = data.draw(ticks(plan[0].start))
    before = {w.start: w for w in weekly(planned=planned, done=done)}

    after = {w.start: w for w in weekly(planned=planned, done=done + extra)}

    assert after.keys() == before.keys()
    assert all(after[s].done >= before[s].done for s in before)
    # Ticks of an exercise in a week that planned none of it change nothing.
    planned_weeks = {(key, week_of(d)) for key, d in planned}
    beyond = [(k, d) for k, d in extra if (k, week_of(d)) not in planned_weeks]
    assert weekly(planned=planned, done=done + beyond) == list(before.values())


@given(data=st.data(), plan=st.lists(spans(), min_size=1, max_size=3))
def test_ticking_every_planned_session_is_full_adherence(data, plan):
    planned = planned_sessions(plan)
    extra = data.draw(ticks(plan[0].start))

    weeks = weekly(planned=planned, done=[*planned, *extra])

    assert all(w.ratio == 1 for w in weeks)
    assert adherent(weeks) is (True if planned else None)
    assert ADHERENT_FROM <= 1


@st.composite
def versions(draw: st.DrawFn) -> list[tuple[date, dict[str, int]]]:
    first = draw(days)
    return [
        (first + timedelta(days=draw(st.integers(-20, 60))), draw(st.dictionaries(keys, masks)))
        for _ in range(draw(st.integers(1, 4)))
    ]


@given(listed=versions(), window_start=st.integers(-30, 30), length=st.integers(0, 120))
def test_each_day_of_the_window_is_held_by_the_newest_started_version(listed, window_start, length):
    start = listed[0][0] + timedelta(days=window_start)
    end = start + timedelta(days=length)

    found = version_spans(listed, start=start, end=end)

    held: dict[date, object] = {}
    for span in found:
        assert start <= span.start <= span.end <= end
        for n in range((span.end - span.start).days + 1):
            today = span.start + timedelta(days=n)
            assert today not in held  # spans never overlap
            held[today] = span.days
    for n in range(length + 1):
        today = start + timedelta(days=n)
        started = [days_ for first, days_ in listed if first <= today]
        assert held.get(today) == (started[-1] if started else None)


@given(span=spans(), data=st.data())
def test_pausing_takes_out_exactly_the_paused_days(span, data):
    paused = data.draw(
        st.dictionaries(keys, st.integers(-10, 130).map(lambda n: span.start + timedelta(days=n)))
    )

    cut = without_paused([span], paused)

    expected = {
        (key, d) for key, d in planned_sessions([span]) if key not in paused or d < paused[key]
    }
    assert planned_sessions(cut) == expected
    assert all(s.days for s in cut)
