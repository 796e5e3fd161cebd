"""Which parts of a therapist's own events count as busy (busy_times.busy_spans, pure)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from sciaticare.integrations.busy_times import OWN_UID_PREFIX, busy_spans
from sciaticare.integrations.caldav_client import event_text, fingerprint

LONDON = ZoneInfo("Europe/London")
#: When our event is written (its DTSTAMP): before the session, never its start.
WRITTEN = datetime(2026, 7, 1, 8, 30, 15, tzinfo=UTC)
WINDOW = {"start": datetime(2026, 7, 1, tzinfo=UTC), "end": datetime(2026, 8, 1, tzinfo=UTC)}


def _event(uid: str = "e", **props):
    event = icalendar.Event()
    event.add("uid", uid)
    for name, value in props.items():
        event.add(name, value)
    return event


def test_an_all_day_event_is_the_whole_day_on_the_therapists_clock():
    spans = busy_spans(
        [_event(dtstart=date(2026, 7, 10), dtend=date(2026, 7, 11))], zone=LONDON, **WINDOW
    )
    # 00:00 to 24:00 in London (BST) is 23:00 to 23:00 UTC.
    assert spans == [(datetime(2026, 7, 9, 23, tzinfo=UTC), datetime(2026, 7, 10, 23, tzinfo=UTC))]


def test_an_all_day_event_without_an_end_takes_its_day():
    (span,) = busy_spans([_event(dtstart=date(2026, 7, 10))], zone=LONDON, **WINDOW)
    assert span[1] - span[0] == timedelta(days=1)


def test_a_floating_time_is_read_on_the_therapists_clock_and_a_duration_counts():
    # A floating time (no zone) is what the event says: naive on purpose.
    floating = _event(dtstart=datetime(2026, 7, 10, 9), duration=timedelta(minutes=90))  # noqa: DTZ001
    assert busy_spans([floating], zone=LONDON, **WINDOW) == [
        (datetime(2026, 7, 10, 8, tzinfo=UTC), datetime(2026, 7, 10, 9, 30, tzinfo=UTC))
    ]


def test_free_cancelled_instant_and_our_own_events_do_not_count():
    at = datetime(2026, 7, 10, 9, tzinfo=UTC)
    ignored = [
        _event(dtstart=at, dtend=at + timedelta(hours=1), transp="TRANSPARENT"),
        _event(dtstart=at, dtend=at + timedelta(hours=1), status="CANCELLED"),
        _event(dtstart=at),  # an instant
        _event(f"{OWN_UID_PREFIX}7@example.org", dtstart=at, dtend=at + timedelta(hours=1)),
    ]
    assert busy_spans(ignored, zone=LONDON, own_host="example.org", **WINDOW) == []


def test_another_sites_sessions_count_as_busy():
    at = datetime(2026, 7, 10, 9, tzinfo=UTC)
    theirs = _event(f"{OWN_UID_PREFIX}7@demo.example", dtstart=at, dtend=at + timedelta(hours=1))
    assert busy_spans([theirs], zone=LONDON, own_host="example.org", **WINDOW) == [
        (at, at + timedelta(hours=1))
    ]


def test_spans_are_clipped_to_the_window():
    long = _event(dtstart=datetime(2026, 6, 30, tzinfo=UTC), dtend=datetime(2026, 7, 2, tzinfo=UTC))
    assert busy_spans([long], zone=LONDON, **WINDOW) == [
        (WINDOW["start"], datetime(2026, 7, 2, tzinfo=UTC))
    ]


def test_our_event_says_nothing_but_the_session_and_the_place_and_is_stable():
    text = event_text(
        uid=f"{OWN_UID_PREFIX}1@example.org",
        start=datetime(2026, 7, 10, 9, tzinfo=UTC),
        end=datetime(2026, 7, 10, 10, tzinfo=UTC),
        location="Clinic – Didsbury, 1 High St",
        zone=LONDON,
        stamped=WRITTEN,
    )
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert set(event) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "TRANSP"}
    assert str(event["summary"]) == "Sciaticare session"
    assert event["dtstart"].dt == datetime(2026, 7, 10, 10, tzinfo=LONDON)
    assert "BEGIN:VTIMEZONE" in text
    assert event["dtstamp"].dt == WRITTEN  # when it was written, not the session's start
    assert text == event_text(
        uid=f"{OWN_UID_PREFIX}1@example.org",
        start=datetime(2026, 7, 10, 9, tzinfo=UTC),
        end=datetime(2026, 7, 10, 10, tzinfo=UTC),
        location="Clinic – Didsbury, 1 High St",
        zone=LONDON,
        stamped=WRITTEN,
    )


def test_the_fingerprint_is_what_the_event_says_not_when_it_was_written():
    def text(stamped: datetime, hour: int = 9) -> str:
        return event_text(
            uid=f"{OWN_UID_PREFIX}1@example.org",
            start=datetime(2026, 7, 10, hour, tzinfo=UTC),
            end=datetime(2026, 7, 10, hour + 1, tzinfo=UTC),
            location="Clinic",
            zone=LONDON,
            stamped=stamped,
        )

    later = WRITTEN + timedelta(days=3)
    assert text(WRITTEN) != text(later)
    assert fingerprint(text(WRITTEN)) == fingerprint(text(later))
    assert fingerprint(text(WRITTEN)) != fingerprint(text(WRITTEN, hour=10))
