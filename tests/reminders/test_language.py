"""Every reminder is in the person's language: a Spanish-speaking patient gets the text
message, the notification, the evening nudge's mail and a session's reminder and waitlist
offer by mail in Spanish, and an English-speaking one at the same moment in English."""

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
        "Sciaticare: Recordatorio: su masaje con Ada Byrne es el miércoles 15 de julio, "
        "10:00 (hora de Europe/London). http://127.0.0.1:8000/appointments/"
    )
    (english,) = twilio.to("+447400123456")
    assert english.startswith(
        "Sciaticare: Reminder: your massage with Ada Byrne is on Wednesday 15 July, 10:00 "
        "(Europe/London time). http://127.0.0.1:8000/appointments/"
    )
    (pushed,) = push_service.to(browsers[lucia.pk].endpoint)
    assert pushed["body"] == (
        "Recordatorio: su masaje con Ada Byrne es el miércoles 15 de julio, 10:00 "
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
    assert message.subject == "¿Cómo está su dolor hoy?"
    assert message.body.startswith("Hola, Lucía:\n\nCon dos toques anota el dolor")
    assert "/diary/" in message.body


def test_an_offer_text_in_spanish_says_until_when_it_is_held(clock, twilio):
    lucia = patient_in("Europe/Madrid", language="es", phone="+34612345678")
    choose(lucia, {Kind.WAITLIST_OFFER: {Channel.SMS}})
    offer = offer_to(lucia, held_for=timedelta(hours=2), now=clock.at)

    assert notifications.send_waitlist_offer.call(offer.pk) == 1

    (text,) = twilio.to("+34612345678")
    assert "Se ha liberado una hora con Ada Byrne: jueves 16 de julio, 10:00" in text
    assert "Se la reservamos hasta el martes 14 de julio, 12:00." in text


def test_the_session_reminder_and_offer_mails_are_in_each_persons_language(clock):
    """Subject and body of both mails: the reminder a day before, and a freed time held from the
    waitlist (at a London clinic, said in each person's language)."""
    lucia = patient_in("Europe/Madrid", language="es", first_name="Lucía")
    ana = patient_in("Europe/London", language="en", first_name="Ana")
    mails = {}
    for person in (lucia, ana):
        choose(person, {Kind.APPOINTMENT: {Channel.EMAIL}, Kind.WAITLIST_OFFER: {Channel.EMAIL}})
        appointment = session_for(person, clock.at + timedelta(hours=24))
        assert notifications.send_reminder.call(appointment.pk, appointment.start.isoformat()) == 1
        offer = offer_to(person, held_for=timedelta(hours=2), now=clock.at)
        assert notifications.send_waitlist_offer.call(offer.pk) == 1
        mails[person.pk] = mail.outbox[-2:]

    reminder, offer = mails[lucia.pk]
    assert reminder.subject == "Recordatorio: masaje con Ada Byrne el miércoles, 15 jul, 10:00"
    assert reminder.body.startswith(
        "Hola, Lucía:\n\nLe recordamos su masaje con Ada Byrne.\n\n"
        "Cuándo: miércoles, 15 de julio de 2026, 10:00–11:00 (hora de Europe/London, BST)\n"
        "Dónde:  Back Care Clinic"
    )
    assert "Lleve ropa cómoda y llegue unos minutos antes." in reminder.body
    assert "¿No puede venir? Cancele la cita o cámbiela de hora en http://" in reminder.body
    assert "con menos de 24 horas de antelación se registran como cancelaciones tardías" in (
        reminder.body
    )
    assert offer.subject == "Ha quedado libre una hora con Ada Byrne: jueves, 16 jul, 10:00"
    assert offer.body.startswith(
        "Hola, Lucía:\n\nBuenas noticias: ha quedado libre una hora con Ada Byrne y está "
        "reservada para usted.\n\nCuándo: jueves, 16 de julio de 2026, 10:00–11:00"
    )
    assert (
        "Está reservada hasta el martes, 14 de julio de 2026 a las 12:00 "
        "(hora de Europe/London, BST).\nResérvela o déjela pasar: http://"
    ) in offer.body
    assert "pasará a la siguiente persona de la lista de espera" in offer.body
    assert "Por su privacidad" in offer.body
    for message in (reminder, offer):
        for english in ("Hello", "When:", "Where:", "held", "Cannot", "waitlist", "privacy"):
            assert english not in message.subject + message.body

    reminder, offer = mails[ana.pk]
    assert reminder.subject == "Reminder: massage with Ada Byrne on Wed 15 Jul, 10:00"
    assert reminder.body.startswith(
        "Hello Ana,\n\nA reminder of your massage with Ada Byrne.\n\n"
        "When:  Wednesday 15 July 2026, 10:00–11:00 (Europe/London time, BST)\n"
    )
    assert "Cancellations less than 24 hours before the start are recorded as late." in (
        reminder.body
    )
    assert offer.subject == "A time has opened with Ada Byrne: Thu 16 Jul, 10:00"
    assert offer.body.startswith(
        "Hello Ana,\n\nGood news: a time has opened up with Ada Byrne, and it is held for you."
    )
    assert "It is held until Tuesday 14 July 2026 at 12:00 (Europe/London time, BST)." in (
        offer.body
    )
