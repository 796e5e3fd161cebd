"""A therapist's own calendar, both ways, against a real CalDAV server (Radicale on loopback,
tests/caldav_server.py): its busy times hide slots and refuse bookings, our sessions appear in
it (without the patient), move and disappear with the appointment, and a server gone away
turns into "unknown since" and no slots, never a 500 or an unprotected slot."""

from __future__ import annotations

import json
import socket
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from sciaticare.core import display
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.integrations import sealed
from sciaticare.integrations.models import BusyInterval, CalendarConnection, CalendarEvent
from sciaticare.integrations.services import calendars
from sciaticare.scheduling.models import WorkingHours
from sciaticare.scheduling.services import booking, changes
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def on_day_at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def world(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    location = LocationFactory(time_zone="Europe/London", name="Didsbury", address="1 High St")
    therapist = TherapistProfileFactory(location=location)
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    patient = PatientFactory(first_name="Zebedee", last_name="Quill")
    make_intake(patient)
    return {"therapist": therapist, "location": location, "patient": patient}


def connect_calendar_for(world, own_calendar) -> CalendarConnection:
    return calendars.connect_calendar(
        therapist=world["therapist"],
        server_url=own_calendar.server.url,
        username=own_calendar.username,
        password=own_calendar.password,
    ).connection


def slot_starts(client, world, day: int) -> list[str]:
    start = on_day_at(day, 0).isoformat()
    end = on_day_at(day + 1, 0).isoformat()
    response = client.get(
        f"/api/v1/therapists/{world['therapist'].pk}/slots", {"start": start, "end": end}
    )
    assert response.status_code == 200
    return [slot["start"] for slot in response.json()]


def _book_api(client, world, start: datetime):
    client.force_login(world["patient"])
    body = {"therapist": world["therapist"].pk, "start": start.isoformat()}
    return client.post("/api/v1/appointments", json.dumps(body), content_type="application/json")


def test_an_external_event_hides_the_slot_and_booking_it_is_refused(client, world, own_calendar):
    connect_calendar_for(world, own_calendar)
    assert on_day_at(3, 11).isoformat() in slot_starts(client, world, 3)

    own_calendar.add_event(on_day_at(3, 11), on_day_at(3, 12), uid="dentist-1")
    CalendarConnection.objects.update(read_attempted_at=None)  # the next list reads again

    offered = slot_starts(client, world, 3)
    assert on_day_at(3, 11).isoformat() not in offered
    assert on_day_at(3, 10, 30).isoformat() not in offered  # its session would run into it
    assert on_day_at(3, 13).isoformat() in offered
    refused = _book_api(client, world, on_day_at(3, 11))
    assert refused.status_code == 409
    assert refused.json()["code"] == "slot_taken"
    # Only start and end are kept: never the event's title.
    assert list(BusyInterval.objects.values_list("start", "end")) == [
        (on_day_at(3, 11).astimezone(UTC), on_day_at(3, 12).astimezone(UTC))
    ]


def test_recurring_all_day_free_and_cancelled_events(client, world, own_calendar):
    own_calendar.add_event(
        on_day_at(2, 9), on_day_at(2, 10), uid="standup", extra="RRULE:FREQ=DAILY;COUNT=3"
    )
    day = (timezone.localdate() + timedelta(days=6)).isoformat()
    own_calendar.add_event(
        date.fromisoformat(day), date.fromisoformat(day) + timedelta(days=1), uid="holiday"
    )
    own_calendar.add_event(
        on_day_at(5, 14), on_day_at(5, 15), uid="maybe", extra="TRANSP:TRANSPARENT"
    )
    own_calendar.add_event(on_day_at(5, 11), on_day_at(5, 12), uid="off", extra="STATUS:CANCELLED")
    connect_calendar_for(world, own_calendar)

    for repeat in (2, 3, 4):  # every occurrence of the recurring event
        assert on_day_at(repeat, 9).isoformat() not in slot_starts(client, world, repeat)
    assert on_day_at(5, 9).isoformat() in slot_starts(client, world, 5)  # after its last
    assert slot_starts(client, world, 6) == []  # the all-day event, on the therapist's clock
    five = slot_starts(client, world, 5)
    assert on_day_at(5, 14).isoformat() in five  # free time
    assert on_day_at(5, 11).isoformat() in five  # cancelled


def test_a_booking_appears_in_the_calendar_without_the_patient(
    client, world, own_calendar, django_capture_on_commit_callbacks
):
    connect_calendar_for(world, own_calendar)
    with django_capture_on_commit_callbacks(execute=True):
        assert _book_api(client, world, on_day_at(3, 10)).status_code == 201

    (event,) = own_calendar.events()
    assert str(event["summary"]) == "Sciaticare session"
    assert "Didsbury" in str(event["location"])
    assert event["dtstart"].dt == on_day_at(3, 10)
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event["dtend"].dt == on_day_at(3, 11)
    text = event.to_ical().decode()
    assert "Zebedee" not in text
    assert "Quill" not in text
    assert str(event["uid"]).startswith("sciaticare-appointment-")
    # DTSTAMP is when it was written (RFC 5545), not the session's start.
    stamp = event["dtstamp"].dt
    assert stamp.utcoffset() == timedelta(0)
    assert abs(stamp - timezone.now()) < timedelta(minutes=1)
    # Our own event does not block its own slot twice, nor anything else, on the next read.
    calendars.read_calendar(
        connection_id=CalendarConnection.objects.get().pk, timeout=5.0, now=timezone.now()
    )
    assert BusyInterval.objects.count() == 0


def test_writing_again_after_success_sends_nothing(world, own_calendar, monkeypatch):
    connect_calendar_for(world, own_calendar)
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=on_day_at(3, 10)
    )
    calendars.write_appointment_event(appointment_id=appointment.pk)
    etag = CalendarEvent.objects.get().etag

    def refuse(*args, **kwargs):
        raise AssertionError("nothing should be sent")

    monkeypatch.setattr(calendars.caldav_client, "put_event", refuse)
    # Later: a new DTSTAMP, but the event says the same, so nothing is sent.
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    calendars.write_appointment_event(appointment_id=appointment.pk)
    assert CalendarEvent.objects.get().etag == etag
    assert len(own_calendar.events()) == 1


def test_reschedule_moves_the_event_and_cancel_removes_it(
    world, own_calendar, django_capture_on_commit_callbacks
):
    connect_calendar_for(world, own_calendar)
    with django_capture_on_commit_callbacks(execute=True):
        first = booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=on_day_at(3, 10)
        )
    with django_capture_on_commit_callbacks(execute=True):
        moved = changes.reschedule_appointment(
            user=world["patient"], appointment_id=first.pk, new_start=on_day_at(4, 14)
        )
    (event,) = own_calendar.events()
    assert event["dtstart"].dt == on_day_at(4, 14)

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=world["patient"], appointment_id=moved.pk)
    assert own_calendar.events() == []


def test_a_server_gone_away_makes_busy_times_unknown_not_a_500(
    client, world, own_calendar, monkeypatch, settings
):
    connection = connect_calendar_for(world, own_calendar)
    assert connection.read_error == ""
    connected_at = timezone.now()
    own_calendar.server.stop()

    # Within the sync interval the last read still counts, even though a new one fails.
    soon = connected_at + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: soon)
    assert on_day_at(3, 10).isoformat() in slot_starts(client, world, 3)
    assert "could not be reached" in CalendarConnection.objects.get().read_error

    # After it, nothing is offered or booked until a read succeeds.
    later = connected_at + timedelta(seconds=settings.CALENDAR_SYNC_SECONDS + 60)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert slot_starts(client, world, 3) == []
    # The API tells "unknown" from "no free time" by a header, the body unchanged.
    read_at = CalendarConnection.objects.get().read_at
    unknown = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")
    assert unknown.json() == []
    stale_from = read_at + timedelta(seconds=settings.CALENDAR_SYNC_SECONDS)
    assert datetime.fromisoformat(unknown["Sciaticare-Busy-Times-Unknown-Since"]) == stale_from
    refused = _book_api(client, world, on_day_at(3, 10))
    assert refused.status_code == 409
    assert refused.json()["code"] == "busy_times_unknown"
    with pytest.raises(Conflict):
        booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=on_day_at(3, 11)
        )

    client.force_login(world["patient"])
    booking_page = client.get(reverse("scheduling:book", args=[world["therapist"].pk]))
    assert booking_page.status_code == 200
    assert "could not be checked just now" in booking_page.content.decode()

    client.force_login(world["therapist"].user)
    page = client.get(reverse("integrations:calendar"))
    assert page.status_code == 200
    since = (connected_at + timedelta(seconds=settings.CALENDAR_SYNC_SECONDS)).astimezone(
        ZoneInfo(world["therapist"].user.time_zone)
    )
    assert f"unknown since {since:%H:%M} (local time)" in page.content.decode()
    assert "could not be reached" in page.content.decode()
    # The last good read stays shown beside the stale moment, with what to do.
    read = read_at.astimezone(ZoneInfo(world["therapist"].user.time_zone))
    assert f"Last read successfully at {read:%H:%M} (local time)" in page.content.decode()
    assert "Clients can't book you until your calendar answers again" in page.content.decode()
    assert "disconnect the calendar to open your times again" in page.content.decode()
    week = client.get(reverse("scheduling:week"))
    assert week.status_code == 200
    assert "unknown since" in week.content.decode()
    assert client.post(reverse("integrations:calendar_read")).status_code == 302

    # Back again: the next slot list reads it and offers times.
    own_calendar.server.start()
    monkeypatch.setattr(timezone, "now", lambda: later + timedelta(minutes=2))
    assert on_day_at(3, 10).isoformat() in slot_starts(client, world, 3)
    known = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")
    assert "Sciaticare-Busy-Times-Unknown-Since" not in known


def test_a_failed_write_is_shown_and_never_blocks_the_booking(
    client, world, own_calendar, django_capture_on_commit_callbacks
):
    connect_calendar_for(world, own_calendar)
    own_calendar.server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        assert _book_api(client, world, on_day_at(3, 10)).status_code == 201
    assert "could not be reached" in CalendarEvent.objects.get().error

    client.force_login(world["therapist"].user)
    assert (
        "Sessions not yet in your calendar"
        in client.get(reverse("integrations:calendar")).content.decode()
    )
    own_calendar.server.start()
    calendars.sync_calendar(connection_id=CalendarConnection.objects.get().pk)
    assert CalendarEvent.objects.get().error == ""
    assert len(own_calendar.events()) == 1


def test_the_app_password_is_stored_encrypted(world, own_calendar):
    connect_calendar_for(world, own_calendar)
    with db.cursor() as cursor:
        cursor.execute("SELECT password_encrypted FROM integrations_calendarconnection")
        (stored,) = cursor.fetchone()
    assert own_calendar.password not in stored
    assert calendars.decrypt(stored) == own_calendar.password


def test_keys_rotate(world, own_calendar, settings):
    settings.INTEGRATIONS_SEALING_KEYS = ["old key"]
    token = calendars.encrypt("secret")
    settings.INTEGRATIONS_SEALING_KEYS = ["new key", "old key"]
    assert calendars.decrypt(token) == "secret"
    assert calendars.decrypt(calendars.encrypt("secret")) == "secret"
    settings.INTEGRATIONS_SEALING_KEYS = ["new key"]
    with pytest.raises(sealed.InvalidToken):
        calendars.decrypt(token)


def test_wrong_password_or_private_address_is_refused_and_nothing_stored(
    world, own_calendar, settings
):
    with pytest.raises(Invalid, match="refused the user name"):
        calendars.connect_calendar(
            therapist=world["therapist"],
            server_url=own_calendar.server.url,
            username=own_calendar.username,
            password="wrong",
        )
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(Invalid) as refused:
        calendars.connect_calendar(
            therapist=world["therapist"],
            server_url=own_calendar.server.url,
            username=own_calendar.username,
            password=own_calendar.password,
        )
    assert refused.value.code == "calendar_address_refused"
    assert not CalendarConnection.objects.exists()


def test_a_stored_address_is_checked_again_before_each_call(world, own_calendar, settings):
    connection = connect_calendar_for(world, own_calendar)
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    assert not calendars.read_calendar(connection_id=connection.pk, timeout=2.0)
    assert "https://" in CalendarConnection.objects.get().read_error


def test_disconnect_removes_our_events_and_the_credentials(
    client, world, own_calendar, django_capture_on_commit_callbacks
):
    connect_calendar_for(world, own_calendar)
    own_calendar.add_event(on_day_at(5, 9), on_day_at(5, 10), uid="mine")
    with django_capture_on_commit_callbacks(execute=True):
        _book_api(client, world, on_day_at(3, 10))
    assert len(own_calendar.events()) == 2

    client.force_login(world["therapist"].user)
    assert client.get(reverse("integrations:calendar_disconnect")).status_code == 200
    response = client.post(reverse("integrations:calendar_disconnect"))
    assert response.status_code == 302
    assert not CalendarConnection.objects.exists()
    assert [str(e["uid"]) for e in own_calendar.events()] == ["mine"]


def test_the_connect_page_connects(client, world, own_calendar):
    client.force_login(world["therapist"].user)
    response = client.post(
        reverse("integrations:calendar"),
        {
            "server_url": own_calendar.server.url,
            "username": own_calendar.username,
            "password": own_calendar.password,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("integrations:calendar")).content.decode()
    assert "Last read successfully at" in page
    name = CalendarConnection.objects.get().calendar_name
    assert f"Calendar “{name}” (account {own_calendar.username})." in page
    assert "No busy times in the coming weeks." in page


def test_the_page_says_how_many_busy_times_were_read_and_their_span(client, world, own_calendar):
    for day in (2, 9, 30):
        own_calendar.add_event(
            on_day_at(day, 11), on_day_at(day, 12), uid=f"own-{day}", summary="Dentist"
        )
    connect_calendar_for(world, own_calendar)
    client.force_login(world["therapist"].user)

    page = client.get(reverse("integrations:calendar")).content.decode()

    span = (display.day(on_day_at(2, 11), "day_month"), display.day(on_day_at(30, 12), "day_month"))
    assert "3 busy times between {} and {}.".format(*span) in page
    assert "Dentist" not in page  # times only, never titles


def test_the_disconnect_page_says_what_stops_being_blocked(client, world, own_calendar):
    connect_calendar_for(world, own_calendar)
    client.force_login(world["therapist"].user)
    page = client.get(reverse("integrations:calendar_disconnect")).content.decode()
    assert "no longer block the times offered to clients" in page


def test_the_slot_list_reads_busy_times_once_whatever_the_slots(
    client, world, own_calendar, django_assert_max_num_queries
):
    connect_calendar_for(world, own_calendar)
    for day in range(2, 9):
        own_calendar.add_event(on_day_at(day, 12), on_day_at(day, 13), uid=f"lunch-{day}")
    calendars.read_calendar(connection_id=CalendarConnection.objects.get().pk, timeout=5.0)
    # Therapist, session type, the busy times (fresh: not read again), calendar rows, locations.
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")
    assert len(response.json()) > 20


def test_another_calendar_of_the_account_can_be_chosen(
    client, world, own_calendar, django_capture_on_commit_callbacks
):
    work = connect_calendar_for(world, own_calendar).calendar_url
    home = own_calendar.another("Home")
    own_calendar.add_event(
        on_day_at(3, 11), on_day_at(3, 12), uid="dentist"
    )  # in the first calendar
    with django_capture_on_commit_callbacks(execute=True):
        assert _book_api(client, world, on_day_at(4, 10)).status_code == 201
    assert len(own_calendar.events(work)) == 2

    client.force_login(world["therapist"].user)
    listed = client.get(reverse("integrations:calendar_choose")).content.decode()
    assert "Home" in listed
    assert "Work" in listed
    chosen = client.post(reverse("integrations:calendar_choose"), {"calendar_url": home})
    assert chosen.status_code == 302

    assert CalendarConnection.objects.get().calendar_url == home
    assert [str(e["uid"]) for e in own_calendar.events(work)] == ["dentist"]
    (moved,) = own_calendar.events(home)
    assert str(moved["summary"]) == "Sciaticare session"
    refused = client.post(
        reverse("integrations:calendar_choose"), {"calendar_url": "http://example.org/x/"}
    )
    assert refused.status_code == 302
    assert CalendarConnection.objects.get().calendar_url == home
    assert on_day_at(3, 11).isoformat() in slot_starts(
        client, world, 3
    )  # the first calendar's no more


def test_a_server_that_never_answers_costs_a_slot_list_at_most_the_read_timeout(
    client, world, own_calendar, settings
):
    connection = connect_calendar_for(world, own_calendar)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        CalendarConnection.objects.filter(pk=connection.pk).update(
            server_url=url, calendar_url=url + "x/", read_attempted_at=None
        )
        settings.CALENDAR_READ_TIMEOUT = 0.5
        began = time_module.monotonic()
        offered = slot_starts(client, world, 3)
        took = time_module.monotonic() - began

    assert took < 2.0
    assert on_day_at(3, 10).isoformat() in offered  # the last good read still holds
    assert "did not answer in time" in CalendarConnection.objects.get().read_error


def test_the_api_document_names_the_busy_times_unknown_header(client):
    document = client.get("/api/v1/openapi.json").json()
    slots = document["paths"]["/api/v1/therapists/{therapist_id}/slots"]["get"]
    assert "Sciaticare-Busy-Times-Unknown-Since" in slots["responses"]["200"]["headers"]
    assert "Sciaticare-Busy-Times-Unknown-Since" in slots["description"]
