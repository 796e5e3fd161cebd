"""Every reminder is in the person's language: a Spanish-speaking patient gets the text
message, the notification and the evening nudge's mail in Spanish, and an English-speaking one
at the same moment in English."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from sciaticare.outcomes import services as outcome_services
from sciaticare.reminders.models import Channel, Kind
from sciaticare.reminders.services.devices import add_device
from sciaticare.reminders.services.preferences import save_preferences
from sciaticare.scheduling import notifications
from tests.reminders.conftest import offer_to, patient_in, session_for

pytestmark = pytest.mark.django_db


def choose(person, choices):
    save_preferences(user=person, choices=choices, quiet_start=time(22), quiet_end=time(8))


def test_a_spanish_speaker_gets_the_text_and_the_notification_in_spanish(
    clock, twilio, push_service
):
    lucia = patient_in("Europe/Madrid", language="es", phone="+34612345678")
    ana = patient_in("Europe/London", language="en", phone="+447400123456")
    browsers = {}
    for person in (lucia, ana):
        choose(person, {Kind.APPOINTMENT: {Channel.SMS, Channel.PUSH}})
        browser = push_service.browser()
        add_device(
            user=person,
            endpoint=browser.endpoint,
            p256dh=browser.p256dh,
            auth=browser.auth,
            expires_at=None,
        )
        browsers[person.pk] = browser
        appointment = session_for(person, clock.at + timedelta(hours=24))
        assert notifications.send_reminder.call(appointment.pk, appointment.start.isoformat()) == 2

    # The session is at a London clinic: 10:00 there, said in each person's language.
    (spanish,) = twilio.to("+34612345678")
    assert spanish.startswith(
        "Sciaticare: Recordatorio: tu masaje con Ada Byrne es el miércoles 15 de julio, "
        "10:00 (hora de Europe/London). http://127.0.0.1:8000/appointments/"
    )
    (english,) = twilio.to("+447400123456")
    assert english.startswith(
        "Sciaticare: Reminder: your massage with Ada Byrne is on Wednesday 15 July, 10:00 "
        "(Europe/London time). http://127.0.0.1:8000/appointments/"
    )
    (pushed,) = push_service.to(browsers[lucia.pk].endpoint)
    assert pushed["body"] == (
        "Recordatorio: tu masaje con Ada Byrne es el miércoles 15 de julio, 10:00 "
        "(hora de Europe/London)."
    )
    (pushed,) = push_service.to(browsers[ana.pk].endpoint)
    assert pushed["body"].startswith("Reminder: your massage with Ada Byrne")


def test_the_evening_nudge_mail_is_in_spanish_for_a_spanish_speaker(clock):
    clock.at = datetime(2026, 7, 14, 18, 30, tzinfo=UTC)  # 20:30 in Madrid
    lucia = patient_in("Europe/Madrid", language="es", first_name="Lucía")
    outcome_services.set_daily_nudge(patient=lucia, on=True)

    call_command("send_diary_nudges")

    (message,) = mail.outbox
    assert message.subject == "¿Qué tal tu dolor hoy?"
    assert message.body.startswith("Hola, Lucía:\n\nCon dos toques anotas el dolor")
    assert "/diary/" in message.body


def test_an_offer_text_in_spanish_says_until_when_it_is_held(clock, twilio):
    lucia = patient_in("Europe/Madrid", language="es", phone="+34612345678")
    choose(lucia, {Kind.WAITLIST_OFFER: {Channel.SMS}})
    offer = offer_to(lucia, held_for=timedelta(hours=2), now=clock.at)

    assert notifications.send_waitlist_offer.call(offer.pk) == 1

    (text,) = twilio.to("+34612345678")
    assert "Se ha liberado una hora con Ada Byrne: jueves 16 de julio, 10:00" in text
    assert "Te la reservamos hasta el martes 14 de julio, 12:00." in text
