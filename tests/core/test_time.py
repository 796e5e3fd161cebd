"""The shared time helpers: stored instants, however a driver hands them over, made UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sciaticare.core.time import as_utc, parse_utc


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-08 07:00:00",  # SQLite: UTC without an offset
        "2026-03-08 07:00:00+00",  # PostgreSQL in a UTC session
        "2026-03-08 07:00:00+00:00",
        "2026-03-08 02:00:00-05:00",  # any other offset is normalised
    ],
)
def test_stored_instants_parse_to_utc(text):
    parsed = parse_utc(text)
    assert parsed == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 8, 7),  # noqa: DTZ001 - what SQLite's driver hands over
        datetime(2026, 3, 8, 7, tzinfo=UTC),
        datetime(2026, 3, 8, 2, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_instants_are_made_utc(moment):
    made = as_utc(moment)
    assert made == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert made.tzinfo is UTC


def test_no_instant_stays_none():
    assert as_utc(None) is None
