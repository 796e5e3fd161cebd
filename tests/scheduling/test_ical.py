"""ical.py: calendars parsed back with icalendar keep their zones, DST offsets and statuses."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from sciaticare.scheduling import ical

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _event(uid: str, start: datetime, **fields) -> ical.SessionEvent:
    return ical.SessionEvent(
        uid=uid,
        start=start,
        end=start + timedelta(hours=1),
        summary="Massage with Ada Byrne",
        **fields,
    )


def _parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_a_london_session_keeps_its_summer_and_winter_offsets():
    summer = _event("a@test", datetime(2026, 7, 1, 10, 0, tzinfo=LONDON))
    winter = _event("b@test", datetime(2026, 12, 1, 10, 0, tzinfo=LONDON))

    parsed = _parse(ical.build_calendar([summer, winter], name="Sessions", stamp=STAMP))

    events = {str(e["UID"]): e for e in parsed.events}
    assert events["a@test"].start.utcoffset() == timedelta(hours=1)
    assert events["b@test"].start.utcoffset() == timedelta(0)
    assert events["a@test"].start.astimezone(UTC) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert events["b@test"].start.astimezone(UTC) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert events["a@test"].end - events["a@test"].start == timedelta(hours=1)


def test_the_zone_is_written_as_a_vtimezone_and_referenced_by_tzid():
    data = ical.build_calendar(
        [_event("a@test", datetime(2026, 7, 1, 10, 0, tzinfo=LONDON))], name="S", stamp=STAMP
    )

    parsed = _parse(data)

    assert [str(tz["TZID"]) for tz in parsed.timezones] == ["Europe/London"]
    assert b"DTSTART;TZID=Europe/London:20260701T100000" in data


def test_a_session_across_the_spring_change_keeps_its_real_length():
    # Clocks go forward at 01:00 UTC on 29 March 2026: 00:30–02:30 local is one hour long.
    start = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
    event = ical.SessionEvent(
        uid="dst@test", start=start, end=start.astimezone(UTC) + timedelta(hours=1), summary="x"
    )

    parsed = next(iter(_parse(ical.build_calendar([event], name="S", stamp=STAMP)).events))

    assert parsed.end.astimezone(UTC) - parsed.start.astimezone(UTC) == timedelta(hours=1)


def test_utc_times_are_written_as_utc():
    data = ical.build_calendar(
        [_event("u@test", datetime(2026, 7, 1, 9, 0, tzinfo=UTC))], name="S", stamp=STAMP
    )

    assert b"DTSTART:20260701T090000Z" in data
    assert next(iter(_parse(data).events)).start == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_fields_status_and_sequence_round_trip():
    event = _event(
        "c@test",
        datetime(2026, 7, 1, 10, 0, tzinfo=LONDON),
        location="Back Care Clinic, Didsbury, 1 Oxford Road",
        description="Sciatica relief massage, 60 minutes.",
        status="CANCELLED",
        sequence=1,
    )

    parsed = _parse(ical.build_calendar([event], name="My sessions", stamp=STAMP, method="PUBLISH"))

    (found,) = parsed.events
    assert str(found["SUMMARY"]) == "Massage with Ada Byrne"
    assert str(found["LOCATION"]) == "Back Care Clinic, Didsbury, 1 Oxford Road"
    assert str(found["STATUS"]) == "CANCELLED"
    assert int(found["SEQUENCE"]) == 1
    assert found.DTSTAMP == STAMP
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]) == ical.PRODID


def test_an_empty_calendar_is_still_a_valid_document():
    parsed = _parse(
        ical.build_calendar([], name="Nothing yet", stamp=STAMP, refresh=timedelta(hours=1))
    )

    assert parsed.name == "VCALENDAR"
    assert list(parsed.events) == []


def test_naive_times_are_refused():
    naive = datetime(2026, 7, 1, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        ical.SessionEvent(uid="n@test", start=naive, end=naive + timedelta(hours=1), summary="x")


def test_an_event_must_end_after_it_starts():
    start = datetime(2026, 7, 1, 10, tzinfo=LONDON)
    with pytest.raises(ValueError, match="end after"):
        ical.SessionEvent(uid="e@test", start=start, end=start, summary="x")
