"""Secret calendar feeds: RFC 5545 parsed back with icalendar, only the owner's sessions with as
little personal data as a calendar needs, the right DST offsets, and links that die when
regenerated."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sciaticare.audit.models import AuditEvent
from sciaticare.scheduling.models import AppointmentStatus, CalendarFeed
from sciaticare.scheduling.selectors.calendar_feeds import feed_calendar
from sciaticare.scheduling.services import calendar_feeds
from tests.factories import ClinicAdminFactory, PatientFactory
from tests.scheduling.helpers import LONDON, at, place_appointment, working_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    therapist, session, location = working_therapist(first_name="Ada", last_name="Byrne")
    patient = PatientFactory(first_name="Rowena", last_name="Quill")
    other_patient = PatientFactory(first_name="Otto", last_name="Vance")
    other_therapist, other_session, other_location = working_therapist(
        first_name="Bea", last_name="Holm"
    )
    mine = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(3, 10)
    )
    theirs = place_appointment(
        patient=other_patient,
        therapist=therapist,
        session=session,
        location=location,
        start=at(4, 10),
    )
    elsewhere = place_appointment(
        patient=other_patient,
        therapist=other_therapist,
        session=other_session,
        location=other_location,
        start=at(5, 10),
    )
    return {
        "therapist": therapist,
        "session": session,
        "location": location,
        "patient": patient,
        "other_patient": other_patient,
        "mine": mine,
        "theirs": theirs,
        "elsewhere": elsewhere,
    }


def _fetch(client, owner):
    feed = calendar_feeds.feed_for(owner=owner)
    response = client.get(reverse("calendar_feed", kwargs={"secret": feed.secret}))
    assert response.status_code == 200
    return response, Calendar.from_ical(response.content)


def _uid(appointment) -> str:
    return f"appointment-{appointment.pk}@127.0.0.1"


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.events}


def test_the_feed_is_a_calendar_document_at_the_root_url(client, world):
    feed = calendar_feeds.feed_for(owner=world["patient"])

    response = client.get(f"/calendar/{feed.secret}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert Calendar.from_ical(response.content).name == "VCALENDAR"


def test_a_patients_feed_has_only_their_sessions_named_by_therapist(client, world):
    _, calendar = _fetch(client, world["patient"])

    events = _events(calendar)
    assert list(events) == [_uid(world["mine"])]
    event = events[_uid(world["mine"])]
    assert str(event["SUMMARY"]) == "Massage with Ada Byrne"
    assert world["location"].address in str(event["LOCATION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.start == world["mine"].start
    assert str(event.start.tzinfo) == "Europe/London"
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/London"]


def test_a_therapists_feed_has_their_sessions_with_first_names_only(client, world):
    response, calendar = _fetch(client, world["therapist"].user)

    events = _events(calendar)
    assert set(events) == {_uid(world["mine"]), _uid(world["theirs"])}
    assert str(events[_uid(world["mine"])]["SUMMARY"]) == "Session with Rowena"
    assert str(events[_uid(world["theirs"])]["SUMMARY"]) == "Session with Otto"
    body = response.content.decode()
    for private in ("Quill", "Vance", world["patient"].email, world["other_patient"].email):
        assert private not in body


def test_a_therapists_feed_read_is_audited(client, world):
    _fetch(client, world["therapist"].user)

    event = AuditEvent.objects.get(action="calendar_feed.read")
    assert event.actor == world["therapist"].user


def test_an_unknown_secret_is_404(client, world):
    calendar_feeds.feed_for(owner=world["patient"])

    assert client.get("/calendar/not-a-real-secret.ics").status_code == 404


def test_a_new_link_kills_the_old_one(client, world):
    old = calendar_feeds.feed_for(owner=world["patient"]).secret

    new = calendar_feeds.regenerate_feed(owner=world["patient"]).secret

    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert CalendarFeed.objects.filter(owner=world["patient"]).count() == 1


def test_a_deactivated_account_has_no_feed(client, world):
    secret = calendar_feeds.feed_for(owner=world["patient"]).secret
    world["patient"].is_active = False
    world["patient"].save()

    assert client.get(f"/calendar/{secret}.ics").status_code == 404


def test_cancelled_sessions_stay_marked_cancelled_for_30_days(client, world):
    recent = place_appointment(
        patient=world["patient"],
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=at(6, 10),
        status=AppointmentStatus.CANCELLED,
        changed_at=timezone.now() - timedelta(days=2),
    )
    old = place_appointment(
        patient=world["patient"],
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=at(7, 10),
        status=AppointmentStatus.CANCELLED,
        changed_at=timezone.now() - timedelta(days=31),
    )

    _, calendar = _fetch(client, world["patient"])

    events = _events(calendar)
    assert str(events[_uid(recent)]["STATUS"]) == "CANCELLED"
    assert int(events[_uid(recent)]["SEQUENCE"]) == 1
    assert _uid(old) not in events


def test_held_and_expired_offers_and_far_sessions_stay_out(client, world):
    for status, days in (
        (AppointmentStatus.HELD, 8),
        (AppointmentStatus.EXPIRED, 9),
        (AppointmentStatus.BOOKED, 200),
    ):
        place_appointment(
            patient=world["patient"],
            therapist=world["therapist"],
            session=world["session"],
            location=world["location"],
            start=at(days, 10),
            status=status,
        )
    past = place_appointment(
        patient=world["patient"],
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=at(-10, 10),
        status=AppointmentStatus.COMPLETED,
    )

    _, calendar = _fetch(client, world["patient"])

    assert set(_events(calendar)) == {_uid(world["mine"]), _uid(past)}


def test_summer_and_winter_sessions_in_london_carry_their_own_offsets(world):
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    summer = place_appointment(
        patient=world["patient"],
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON),
    )
    winter = place_appointment(
        patient=world["patient"],
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=datetime(2026, 2, 10, 10, 0, tzinfo=LONDON),
    )
    feed = calendar_feeds.feed_for(owner=world["patient"])

    calendar = Calendar.from_ical(feed_calendar(feed=feed, now=now))

    events = _events(calendar)
    assert events[_uid(summer)].start.utcoffset() == timedelta(hours=1)
    assert events[_uid(summer)].start.astimezone(UTC) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert events[_uid(winter)].start.utcoffset() == timedelta(0)
    assert events[_uid(winter)].start.astimezone(UTC) == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


def test_a_therapist_without_two_factor_gets_no_client_names_in_the_feed(client, world, settings):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world["therapist"].user).delete()

    response, calendar = _fetch(client, world["therapist"].user)

    assert list(calendar.events) == []
    assert "Rowena" not in response.content.decode()


# --- Pages ---------------------------------------------------------------------------------------


def test_the_calendar_page_shows_the_feed_link_under_site_url(client, world, settings):
    settings.SITE_URL = "https://care.example.org"
    client.force_login(world["patient"])

    body = client.get(reverse("scheduling:calendar")).content.decode()

    secret = CalendarFeed.objects.get(owner=world["patient"]).secret
    assert f"https://care.example.org/calendar/{secret}.ics" in body
    assert f"webcal://care.example.org/calendar/{secret}.ics" in body


def test_making_a_new_link_on_the_page_asks_first_then_replaces_it(client, world):
    client.force_login(world["patient"])
    old = calendar_feeds.feed_for(owner=world["patient"]).secret

    assert "stops working" in client.get(reverse("scheduling:calendar_new_link")).content.decode()
    assert CalendarFeed.objects.get(owner=world["patient"]).secret == old

    response = client.post(reverse("scheduling:calendar_new_link"))

    assert response.status_code == 302
    assert CalendarFeed.objects.get(owner=world["patient"]).secret != old
    assert AuditEvent.objects.filter(
        action="calendar_feed.regenerated", actor=world["patient"]
    ).exists()


@pytest.mark.parametrize("name", ["scheduling:calendar", "scheduling:calendar_new_link"])
def test_calendar_pages_need_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_post_cannot_make_a_new_link(client, world):
    secret = calendar_feeds.feed_for(owner=world["patient"]).secret

    assert client.post(reverse("scheduling:calendar_new_link")).status_code == 302
    assert CalendarFeed.objects.get(owner=world["patient"]).secret == secret


def test_each_person_sees_only_their_own_link(client, world):
    mine = calendar_feeds.feed_for(owner=world["patient"]).secret
    client.force_login(ClinicAdminFactory())

    body = client.get(reverse("scheduling:calendar")).content.decode()

    assert mine not in body


def test_the_feed_asks_for_a_refresh_every_hour_as_a_duration(client, world):
    response, calendar = _fetch(client, world["patient"])

    # RFC 7986 §5.7: the property must carry VALUE=DURATION.
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_the_calendar_uid_stays_the_same_between_fetches_and_new_links(client, world):
    _, first = _fetch(client, world["patient"])
    _, second = _fetch(client, world["patient"])
    secret = calendar_feeds.regenerate_feed(owner=world["patient"]).secret
    _, after_new_link = _fetch(client, world["patient"])
    _, someone_else = _fetch(client, world["therapist"].user)

    uid = str(first["UID"])
    assert str(second["UID"]) == uid == str(after_new_link["UID"])
    assert secret not in uid
    assert str(someone_else["UID"]) != uid


def test_a_cancelled_sessions_description_no_longer_offers_to_cancel_or_move_it(client, world):
    cancelled = place_appointment(
        patient=world["patient"],
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=at(6, 10),
        status=AppointmentStatus.CANCELLED,
        changed_at=timezone.now() - timedelta(days=2),
    )

    _, calendar = _fetch(client, world["patient"])

    events = _events(calendar)
    assert "To cancel or move it" in str(events[_uid(world["mine"])]["DESCRIPTION"])
    description = str(events[_uid(cancelled)]["DESCRIPTION"])
    assert "To cancel or move it" not in description
    assert description.startswith("Cancelled.")
