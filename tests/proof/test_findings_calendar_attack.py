"""Findings of the attack on the therapist's own calendar (CalDAV), each named by finding:

1. An event repeating every second without end was expanded in our process without bound: a
   "Read now" grew the web process to gigabytes and kept a thread busy after the request.
2. A server trickling a large answer left a thread and a socket alive per slot list, and every
   concurrent slot list started its own read.
3. Bookings beyond 62 days ignored the calendar: it was read 62 days ahead whatever the
   clinic's booking horizon.
4. An answer whose items had no calendar data counted as a good read and cleared the stored
   busy times.
"""

from __future__ import annotations

import resource
import threading
import time as time_module
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from sciaticare.integrations import busy_times, caldav_client
from sciaticare.integrations.models import BusyInterval, CalendarConnection
from sciaticare.integrations.services import calendars
from sciaticare.scheduling.models import BookingPolicy
from tests.integrations import test_calendar_sync as sync
from tests.integrations.test_calendar_sync import connect_calendar_for, on_day_at, slot_starts

world = sync.world  # the same therapist, location and patient as the calendar tests

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _busy() -> list[tuple[datetime, datetime]]:
    return list(BusyInterval.objects.order_by("start").values_list("start", "end"))


# --- 1. Repeating events are expanded lazily, within a cap --------------------------------------


def test_an_event_repeating_every_second_is_read_quickly_and_the_rest_counts_busy(
    client, world, own_calendar
):
    connection = connect_calendar_for(world, own_calendar)
    own_calendar.add_event(
        on_day_at(3, 12),
        on_day_at(3, 12) + timedelta(seconds=1),
        uid="every-second",
        extra="RRULE:FREQ=SECONDLY",
    )
    grown_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time_module.monotonic()
    assert calendars.read_calendar(connection_id=connection.pk, timeout=10.0)
    took = time_module.monotonic() - began
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - grown_before

    assert took < 3.0
    assert grown_kib < 50 * 1024  # the process's peak grew by less than 50 MB
    # One busy time (the occurrences merged as they come) from the first occurrence to the
    # window's end: what was not read is not offered.
    ((first, last),) = _busy()
    assert first == on_day_at(3, 12).astimezone(UTC)
    assert last >= timezone.now() + timedelta(days=60)
    connection.refresh_from_db()
    assert connection.read_error == busy_times.TOO_MANY_REPEATS
    assert connection.read_at is not None  # a good read: the busy times are known
    assert on_day_at(3, 9).isoformat() in slot_starts(client, world, 3)  # before the event: free
    assert slot_starts(client, world, 4) == []


def test_ten_thousand_adjacent_minutes_merge_into_one_busy_time(world, own_calendar):
    connection = connect_calendar_for(world, own_calendar)
    own_calendar.add_event(
        on_day_at(3, 9),
        on_day_at(3, 9, 1),
        uid="every-minute",
        extra="RRULE:FREQ=MINUTELY;COUNT=10000",
    )
    assert calendars.read_calendar(connection_id=connection.pk, timeout=10.0)

    assert _busy() == [
        (
            on_day_at(3, 9).astimezone(UTC),
            (on_day_at(3, 9) + timedelta(minutes=10000)).astimezone(UTC),
        )
    ]
    connection.refresh_from_db()
    assert connection.read_error == ""


def _repeating(rule: str, *, lasts: timedelta, begins: str = "20260301T090000Z") -> object:
    first = datetime.strptime(begins, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    event = icalendar.Event()
    event.add("uid", "r")
    event.add("dtstart", first)
    event.add("dtend", first + lasts)
    event.add("rrule", icalendar.vRecur.from_ical(rule))
    calendar = icalendar.Calendar()
    calendar.add_component(event)
    return calendar


WINDOW = {
    "start": datetime(2026, 3, 1, tzinfo=UTC),
    "end": datetime(2027, 3, 1, tzinfo=UTC),
    "zone": LONDON,
}


def test_too_many_separate_busy_times_stop_at_the_cap_and_the_rest_is_busy():
    found = busy_times.expanded_busy(
        [_repeating("FREQ=MINUTELY;COUNT=10000", lasts=timedelta(seconds=30))],
        max_busy_times=100,
        **WINDOW,
    )
    assert found.capped_at == datetime(2026, 3, 1, 10, 40, tzinfo=UTC)  # the 101st start
    assert len(found.spans) == 101
    assert found.spans[-1] == (found.capped_at, WINDOW["end"])


def test_a_daily_event_since_long_ago_is_walked_from_just_before_the_window():
    found = busy_times.expanded_busy(
        [_repeating("FREQ=DAILY", lasts=timedelta(hours=1), begins="19700101T090000Z")],
        max_occurrences=1000,
        **WINDOW,
    )
    assert found.capped_at is None
    assert len(found.spans) == 365
    assert found.spans[0] == (
        datetime(2026, 3, 1, 9, tzinfo=UTC),
        datetime(2026, 3, 1, 10, tzinfo=UTC),
    )


# --- 2. One read at a time, and a hard budget on the HTTP work itself ---------------------------


class _FakeServer:
    """A CalDAV server on loopback that answers every REPORT with `answer(handler)`; counts
    them."""

    def __init__(self, answer) -> None:
        self.reports = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_REPORT(self) -> None:
                fake.reports += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _trickle(length: int):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(207)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        try:
            for _ in range(length):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time_module.sleep(0.5)
        except OSError:
            return  # the client hung up: what we want

    return answer


@pytest.fixture
def pointed(world, own_calendar):
    """The connected calendar, and a way to point it at a fake server."""
    connection = connect_calendar_for(world, own_calendar)

    def at(server: _FakeServer) -> CalendarConnection:
        CalendarConnection.objects.filter(pk=connection.pk).update(
            server_url=server.url, calendar_url=server.url + "work/", read_attempted_at=None
        )
        return connection

    return at


def _calendar_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "caldav-call")


def test_a_trickling_answer_ends_the_read_and_its_thread_at_the_deadline(pointed):
    server = _FakeServer(_trickle(1_000_000))
    try:
        connection = pointed(server)
        began = time_module.monotonic()
        assert not calendars.read_calendar(connection_id=connection.pk, timeout=1.0)
        assert time_module.monotonic() - began < 2.0
        waited = time_module.monotonic()
        while _calendar_threads() and time_module.monotonic() - waited < 1.5:
            time_module.sleep(0.05)
        assert _calendar_threads() == 0  # the worker ended too, not only our wait
        connection.refresh_from_db()
        assert connection.read_error == caldav_client.TIMED_OUT
        assert connection.reading_since is None  # released
    finally:
        server.close()


def test_an_answer_announcing_a_hundred_megabytes_is_refused_at_once(pointed):
    server = _FakeServer(_trickle(100 * 1024 * 1024))
    try:
        connection = pointed(server)
        began = time_module.monotonic()
        assert not calendars.read_calendar(connection_id=connection.pk, timeout=5.0)
        assert time_module.monotonic() - began < 1.0
        connection.refresh_from_db()
        assert connection.read_error == caldav_client.TOO_LARGE
    finally:
        server.close()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refreshes_send_one_report(world, own_calendar, settings):
    connection = connect_calendar_for(world, own_calendar)
    server = _FakeServer(_trickle(1_000_000))
    CalendarConnection.objects.filter(pk=connection.pk).update(
        server_url=server.url, calendar_url=server.url + "work/", read_attempted_at=None
    )
    settings.CALENDAR_READ_TIMEOUT = 1.5
    failures: list[BaseException] = []

    def refresh() -> None:
        try:
            calendars.refresh_busy([world["therapist"].pk], now=timezone.now())
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    try:
        first = threading.Thread(target=refresh)
        first.start()
        while not server.reports:  # the first read is under way
            time_module.sleep(0.01)
        others = [threading.Thread(target=refresh) for _ in range(9)]
        for thread in others:
            # All nine while the first read is under way; a moment apart, as SQLite's shared
            # in-memory test database refuses two writers at once instead of waiting.
            thread.start()
            time_module.sleep(0.03)
        for thread in [first, *others]:
            thread.join(10)
    finally:
        server.close()
    assert failures == []
    assert server.reports == 1
    assert CalendarConnection.objects.get().reading_since is None


def test_a_stale_claim_does_not_stop_reads_for_ever(world, own_calendar):
    connection = connect_calendar_for(world, own_calendar)
    own_calendar.add_event(on_day_at(3, 11), on_day_at(3, 12), uid="dentist")
    CalendarConnection.objects.filter(pk=connection.pk).update(reading_since=timezone.now())
    assert not calendars.read_calendar(connection_id=connection.pk, timeout=5.0)
    assert _busy() == []

    long_ago = timezone.now() - calendars.READ_CLAIM_LASTS - timedelta(seconds=1)
    CalendarConnection.objects.filter(pk=connection.pk).update(reading_since=long_ago)
    assert calendars.read_calendar(connection_id=connection.pk, timeout=5.0)
    assert len(_busy()) == 1


# --- 3. The calendar is read as far ahead as bookings go ----------------------------------------


def test_the_calendar_is_read_as_far_ahead_as_the_clinic_takes_bookings(world, own_calendar):
    BookingPolicy.objects.create(clinic=world["location"].clinic, horizon_days=200)
    own_calendar.add_event(on_day_at(150, 11), on_day_at(150, 12), uid="far-off")
    connection = connect_calendar_for(world, own_calendar)
    calendars.read_calendar(connection_id=connection.pk, timeout=5.0)
    assert _busy() == [(on_day_at(150, 11).astimezone(UTC), on_day_at(150, 12).astimezone(UTC))]


def test_a_booking_horizon_beyond_a_year_is_refused(world):
    policy = BookingPolicy(clinic=world["location"].clinic, horizon_days=366)
    with pytest.raises(ValidationError, match="365 days"):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


# --- 4. Items that cannot be read fail the read ---------------------------------------------------


def _without_calendar_data(handler: BaseHTTPRequestHandler) -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        b"<D:response><D:href>/work/a.ics</D:href><D:propstat>"
        b'<D:prop><D:getetag>"1"</D:getetag></D:prop>'
        b"<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
        b"</D:multistatus>"
    )
    handler.send_response(207)
    handler.send_header("Content-Type", "application/xml")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_items_without_calendar_data_fail_the_read_and_keep_the_stored_times(
    world, own_calendar, pointed
):
    own_calendar.add_event(on_day_at(3, 11), on_day_at(3, 12), uid="dentist")
    connection = CalendarConnection.objects.get()
    assert calendars.read_calendar(connection_id=connection.pk, timeout=5.0)
    server = _FakeServer(_without_calendar_data)
    try:
        pointed(server)
        stored = _busy()
        assert len(stored) == 1
        assert not calendars.read_calendar(connection_id=connection.pk, timeout=5.0)
    finally:
        server.close()
    assert server.reports == 1
    assert _busy() == stored
    connection.refresh_from_db()
    assert connection.read_error == caldav_client.UNREADABLE
