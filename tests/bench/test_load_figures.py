"""bench/load.py's reading of the machine: CPU per request, per second, and the open loop's pace."""

import time

import pytest

from bench.load import TICKS_PER_SECOND, CpuWatch, Figures, Sample, Ticks, cpu_ms, pace

TICK_MS = 1000.0 / TICKS_PER_SECOND


def ticks(busy: int, total: int = 1000) -> Ticks:
    return Ticks(stolen=0, busy=busy, total=total)


@pytest.mark.parametrize(
    ("busy_before", "busy_after", "requests", "expected"),
    [
        (0, 100, 100, TICK_MS),  # a tick of CPU per request
        (10, 60, 25, 2 * TICK_MS),
        (5, 5, 10, float("nan")),  # no busy ticks: unknown, not free
        (0, 100, 0, float("nan")),  # no requests
    ],
)
def test_cpu_ms_per_request(busy_before, busy_after, requests, expected):
    got = cpu_ms(ticks(busy_before), ticks(busy_after), requests)
    assert got == pytest.approx(expected, nan_ok=True)


def answered(at: float) -> Sample:
    return Sample("search", due=at - 0.01, ms=10.0, ok=True, status=200)


def test_each_second_counts_the_answers_that_ended_in_it():
    # Three answers in the first second, one in the second; ten and four busy ticks.
    figures = Figures(
        "open", [answered(t) for t in (100.2, 100.5, 100.9, 101.5)], 2.0,
        readings=[(100.0, ticks(0)), (101.0, ticks(9)), (102.0, ticks(13))],
    )  # fmt: skip
    first, second = (float(ms) for ms in figures.cpu_by_second().split())
    assert first == pytest.approx(round(3 * TICK_MS, 1))
    assert second == pytest.approx(round(4 * TICK_MS, 1))


def test_pace_sets_the_offered_load_against_what_the_machine_served_at_its_pace():
    best = Figures("best", [answered(1.0)] * 300, 1.0, cpu=6.0)  # 300 req/s at 6 ms
    slower = Figures("open", [], 1.0, cpu=7.5)  # the same mix now costs a quarter more
    line = pace(best, slower, offered=240.0)
    assert "about 240 req/s" in line  # 300 × 6 / 7.5
    assert "100%" in line  # 80 % of the maximum was all the slower machine had


def test_the_watch_reads_the_machine_when_the_block_ends_too():
    with CpuWatch() as watch:
        time.sleep(0.05)  # shorter than the watch's second: only its first and last readings
    (began, _), (ended, _) = watch.readings
    assert 0.04 <= ended - began < 1.0
