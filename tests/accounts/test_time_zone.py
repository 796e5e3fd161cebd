"""Every person has a time zone: the browser's at sign-up (the site's without JavaScript), changed
on the account page or through the API, where a zone we do not know is refused naming the
field; existing accounts got the zone of their sessions' place."""

import importlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts.forms import time_zone_choices
from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import local_now, today_for
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.accounts.test_signup_and_login import SIGNUP
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"time_zone": "America/New_York"}, "America/New_York"),
        ({"time_zone": "Pacific/Kiritimati"}, "Pacific/Kiritimati"),
        ({}, "UTC"),  # no JavaScript: the site's zone
        ({"time_zone": ""}, "UTC"),
        ({"time_zone": "Mars/Olympus_Mons"}, "UTC"),  # nobody sees the field: no error to show
    ],
)
def test_sign_up_keeps_the_browsers_zone(client, sent, stored):
    response = client.post(reverse("account_signup"), {**SIGNUP, **sent})

    assert response.status_code == 302
    assert User.objects.get(email=SIGNUP["email"]).time_zone == stored


def test_sign_up_without_javascript_takes_the_sites_zone(client, settings):
    settings.TIME_ZONE = "Europe/London"
    client.post(reverse("account_signup"), SIGNUP)
    assert User.objects.get(email=SIGNUP["email"]).time_zone == "Europe/London"


def test_the_sign_up_page_carries_the_hidden_field_and_its_script(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'type="hidden" name="time_zone"' in page
    assert "data-browser-time-zone" in page
    assert "accounts/time_zone.js" in page


def test_the_account_page_changes_the_zone(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 7, 14, 23, 30, tzinfo=UTC))
    person = PatientFactory()
    client.force_login(person)

    page = client.get(reverse("accounts:account")).content.decode()
    saved = client.post(reverse("accounts:time_zone"), {"time_zone": "Europe/London"})

    assert '<optgroup label="Europe">' in page
    assert '<option value="UTC" selected>' in page
    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.time_zone == "Europe/London"
    after = client.get(reverse("accounts:account")).content.decode()
    assert '<option value="Europe/London" selected>London</option>' in after
    assert "Wednesday 15 July 2026, 00:30 (Europe/London)" in after


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "", "../../etc/passwd", "x" * 500])
def test_the_account_page_refuses_a_bad_zone_naming_the_field(client, bad):
    person = PatientFactory(time_zone="Asia/Tokyo")
    client.force_login(person)

    response = client.post(reverse("accounts:time_zone"), {"time_zone": bad})

    assert response.status_code == 400
    form = response.context["zone_form"]
    assert list(form.errors) == ["time_zone"]
    assert "time zone" in form.errors["time_zone"][0].lower()
    person.refresh_from_db()
    assert person.time_zone == "Asia/Tokyo"


def test_an_alias_set_through_the_api_shows_as_chosen(client):
    person = PatientFactory(time_zone="US/Eastern")
    client.force_login(person)
    page = client.get(reverse("accounts:account")).content.decode()
    assert '<option value="US/Eastern" selected>US/Eastern</option>' in page


def test_the_zone_list_is_grouped_by_region_with_places_named():
    groups = dict(time_zone_choices())
    assert list(groups)[:2] == ["UTC", "Africa"]
    assert ("America/New_York", "New York") in groups["America"]
    assert ("America/Argentina/Buenos_Aires", "Argentina – Buenos Aires") in groups["America"]
    assert ("Pacific/Kiritimati", "Kiritimati") in groups["Pacific"]
    listed = [name for zones in groups.values() for name, _ in zones]
    assert "US/Eastern" not in listed  # aliases: the API only
    assert "Etc/GMT+5" not in listed
    assert len(listed) == len(set(listed)) > 300


def _api(client, body):
    return client.generic("PATCH", "/api/v1/me", json.dumps(body), content_type="application/json")


def test_the_api_reads_and_changes_the_zone(client):
    person = PatientFactory()
    client.force_login(person)

    changed = _api(client, {"time_zone": "Pacific/Pago_Pago"})

    assert changed.status_code == 200
    assert changed.json()["time_zone"] == "Pacific/Pago_Pago"
    assert client.get("/api/v1/me").json()["time_zone"] == "Pacific/Pago_Pago"


@pytest.mark.parametrize(
    "body",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"time_zone": ""},
        {"time_zone": 5},
        {"time_zone": "x" * 65},
        {},
        {"time_zone": "UTC", "email": "someone@else.example"},
    ],
)
def test_the_api_refuses_a_bad_zone_with_a_422_naming_the_field(client, body):
    person = PatientFactory(time_zone="Europe/London")
    client.force_login(person)

    response = _api(client, body)

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields & {"time_zone", "email"}
    person.refresh_from_db()
    assert person.time_zone == "Europe/London"


def test_a_stored_zone_that_is_not_one_falls_back_to_the_sites():
    person = PatientFactory()
    User.objects.filter(pk=person.pk).update(time_zone="Nowhere/Special")
    person.refresh_from_db()
    moment = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    assert today_for(person, moment) == moment.date()
    assert local_now(person, moment).utcoffset() == timedelta(0)


def test_existing_accounts_take_the_zone_of_their_latest_sessions_place():
    migration = importlib.import_module("sciaticare.accounts.migrations.0007_user_time_zone")
    london = TherapistProfileFactory()  # the factories' locations are in Europe/London
    boston = TherapistProfileFactory()
    boston.locations.update(time_zone="America/New_York")
    moved, stayed, never = PatientFactory(), PatientFactory(), PatientFactory()

    def session(patient, therapist, start):
        Appointment.objects.create(
            patient=patient,
            therapist=therapist,
            location=therapist.locations.first(),
            session_type=therapist.session_types.get(is_standard=True),
            start=start,
            end=start + timedelta(hours=1),
            busy_until=start + timedelta(minutes=75),
            status=AppointmentStatus.COMPLETED,
        )

    session(moved, london, datetime(2026, 1, 5, 10, tzinfo=UTC))
    session(moved, boston, datetime(2026, 2, 5, 15, tzinfo=UTC))
    session(stayed, london, datetime(2026, 3, 5, 10, tzinfo=UTC))

    migration.zones_from_sessions(apps, None)

    zones = dict(User.objects.values_list("email", "time_zone"))
    assert zones[moved.email] == "America/New_York"
    assert zones[stayed.email] == "Europe/London"
    assert zones[never.email] == "UTC"
    assert zones[boston.user.email] == "America/New_York"
    assert zones[london.user.email] == "Europe/London"
