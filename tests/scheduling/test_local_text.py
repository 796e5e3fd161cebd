"""The slot list's times as text (`local_text`, kept per instant and zone) are exactly what
converting each instant to the location's zone and writing it gives, on both sides of a
clock change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.scheduling.selectors.calendars import local_text

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")


@pytest.mark.parametrize(
    ("moment", "zone", "text"),
    [
        # London leaves summer time at 01:00 UTC on 2026-10-25.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/London", "2026-10-25T01:30:00+01:00"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "Europe/London", "2026-10-25T01:30:00+00:00"),
        (datetime(2026, 12, 7, 9, 15, tzinfo=UTC), "America/New_York", "2026-12-07T04:15:00-05:00"),
        (datetime(2026, 12, 7, 9, 15, tzinfo=UTC), "Asia/Kolkata", "2026-12-07T14:45:00+05:30"),
    ],
)
def test_known_times(moment: datetime, zone: str, text: str) -> None:
    assert local_text(moment, zone) == text
    assert local_text(moment, zone) == text  # and again, from what was kept


@given(
    minutes=st.integers(min_value=0, max_value=3 * 366 * 24 * 4),
    zone=st.sampled_from(ZONES),
)
def test_as_converting_each_time(minutes: int, zone: str) -> None:
    moment = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * minutes)
    assert local_text(moment, zone) == moment.astimezone(ZoneInfo(zone)).isoformat()
