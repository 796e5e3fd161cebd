"""The reminders page: each person's own channels, quiet hours, mobile number and devices;
the page script's subscription; and a device removed. Anyone signed in has the page, for
themselves; nobody reaches another person's devices."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse
from django.utils import translation

from sciaticare.reminders.models import ChannelChoice, Kind, PushSubscription, ReminderSettings
from sciaticare.reminders.selectors import choices_of, quiet_hours_of
from tests.factories import ClinicAdminFactory, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db
PAGE = "/reminders/"


def boxes(**on: bool) -> dict[str, str]:
    """A full form: quiet hours and the boxes ticked (kind_channel=True)."""
    data = {"quiet_start": "21:30", "quiet_end": "07:15"}
    data.update({name: "on" for name, ticked in on.items() if ticked})
    return data


@pytest.mark.parametrize("factory", [PatientFactory, TherapistFactory, ClinicAdminFactory])
def test_everyone_signed_in_has_the_page_with_mail_as_the_default(client, factory):
    person = factory()
    client.force_login(person)

    response = client.get(PAGE)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["appointment_email"].value() is True
    assert form["appointment_sms"].value() is False
    assert str(form["quiet_start"].value()) == "00:00:00"  # tests run without default quiet hours
    assert f"Email goes to {person.email}." in response.content.decode()


def test_the_page_shows_the_sites_default_quiet_hours(client, settings):
    settings.REMINDER_QUIET_HOURS = "22:00-08:00"
    client.force_login(PatientFactory())

    form = client.get(PAGE).context["form"]

    assert (form["quiet_start"].value(), form["quiet_end"].value()) == (time(22), time(8))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_saving_keeps_each_kind_and_the_quiet_hours(client):
    person = PatientFactory()
    client.force_login(person)

    response = client.post(
        PAGE, boxes(appointment_sms=True, appointment_email=True, diary_nudge_push=True)
    )

    assert response.status_code == 302
    assert {kind: sorted(channels) for kind, channels in choices_of(person).items()} == {
        Kind.APPOINTMENT: ["email", "sms"],
        Kind.WAITLIST_OFFER: [],
        Kind.DIARY_NUDGE: ["push"],
        Kind.EXERCISE: [],
    }
    assert quiet_hours_of(person) == (time(21, 30), time(7, 15))
    assert "Your reminder settings are saved." in client.get(PAGE).content.decode()


def test_a_time_that_is_not_one_is_a_400_naming_it_and_nothing_is_saved(client):
    person = PatientFactory()
    client.force_login(person)

    response = client.post(PAGE, {**boxes(appointment_sms=True), "quiet_end": "25:99"})

    assert response.status_code == 400
    assert "Enter a time such as 08:00." in response.content.decode()
    assert not ChannelChoice.objects.exists()
    assert not ReminderSettings.objects.exists()


def test_the_page_in_spanish(client):
    """Under Spanish (which language a request is rendered in is the site's middleware's
    business), every word of the page is in the catalogue."""
    client.force_login(PatientFactory(language="es"))

    with translation.override("es"):
        body = client.get(PAGE).content.decode()

    assert "Cómo le llega cada recordatorio" in body
    assert "Horas de silencio" in body
    assert "Recordatorios de citas" in body
    assert "Activar las notificaciones en este dispositivo" not in body  # no VAPID keys here


def test_the_mobile_number_is_kept_from_this_page_too(client):
    person = PatientFactory(time_zone="Europe/London")
    client.force_login(person)

    saved = client.post(reverse("reminders:phone"), {"phone": "07400 123456"})
    refused = client.post(reverse("reminders:phone"), {"phone": "020 7946 0018"})

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert "That is a landline: text reminders need a mobile number." in refused.content.decode()
    person.refresh_from_db()
    assert person.phone == "+447400123456"


def test_a_stop_reply_is_said_on_the_page(client):
    from sciaticare.reminders.services.replies import opt_out

    person = PatientFactory(phone="+447400123456")
    opt_out(phone=person.phone)
    client.force_login(person)

    assert "You replied STOP to one of our texts" in client.get(PAGE).content.decode()


# --- Devices ----------------------------------------------------------------------------------


def subscription_of(browser) -> dict[str, str]:
    return {"endpoint": browser.endpoint, "p256dh": browser.p256dh, "auth": browser.auth}


def test_the_page_script_adds_this_browser_and_the_page_lists_it(client, push_service, clock):
    person = PatientFactory()
    client.force_login(person)
    browser = push_service.browser()

    response = client.post(
        reverse("reminders:add_device"),
        {
            **subscription_of(browser),
            "expiration_time": str(int(clock.at.timestamp() * 1000) + 86_400_000),
        },
    )

    assert response.status_code == 201
    device = PushSubscription.objects.get(pk=response.json()["device"])
    assert (device.user, device.endpoint) == (person, browser.endpoint)
    assert device.expires_at.isoformat() == "2026-07-15T09:00:00+00:00"
    page = client.get(PAGE).content.decode()
    assert "Turn on notifications on this device" in page
    assert "127.0.0.1, added 14 Jul 2026" in page


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"endpoint": "https://169.254.169.254/latest/"}, 422, "push_service_refused"),
        ({"p256dh": "short"}, 422, "push_keys_invalid"),
        ({"expiration_time": "1000"}, 422, "push_expired"),
        ({"auth": ""}, 400, "invalid"),
        ({"expiration_time": "99999999999999999999"}, 400, "invalid"),
    ],
)
def test_a_subscription_that_cannot_be_used_is_refused_with_its_reason(
    client, push_service, clock, change, status, code
):
    client.force_login(PatientFactory())
    browser = push_service.browser()

    response = client.post(reverse("reminders:add_device"), {**subscription_of(browser), **change})

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not PushSubscription.objects.exists()


def test_a_person_removes_their_own_device_and_nobody_elses(client, push_service):
    owner, stranger = PatientFactory(), PatientFactory()
    browser = push_service.browser()
    device = PushSubscription.objects.create(user=owner, **subscription_of(browser))
    url = reverse("reminders:remove_device", args=[device.pk])

    client.force_login(stranger)
    assert client.post(url).status_code == 404
    assert PushSubscription.objects.filter(pk=device.pk).exists()

    client.force_login(owner)
    assert client.post(url).status_code == 302
    assert not PushSubscription.objects.exists()
    assert client.post(url).status_code == 404
