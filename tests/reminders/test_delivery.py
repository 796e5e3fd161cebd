"""Reminders reach each person by the channels they chose, never twice, and not in their quiet
hours: texts through the real Twilio library to a local Messages API, notifications through
pywebpush to a local push service, mail through Django. The clock is frozen throughout."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from sciaticare.reminders.models import Channel, Delivery, Kind, SmsOptOut
from sciaticare.reminders.services.delivery import DeliveryKey, deliver
from sciaticare.reminders.services.preferences import save_preferences
from sciaticare.reminders.wording import Message
from sciaticare.scheduling import notifications
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.reminders.conftest import OUR_NUMBER, patient_in, session_for

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def choose(person, kind: Kind, *channels: Channel, quiet: tuple[str, str] = ("22:00", "08:00")):
    save_preferences(
        user=person,
        choices={kind: set(channels)},
        quiet_start=time.fromisoformat(quiet[0]),
        quiet_end=time.fromisoformat(quiet[1]),
    )


def remind(appointment: Appointment) -> int:
    return notifications.send_reminder.call(appointment.pk, appointment.start.isoformat())


def rows(appointment: Appointment) -> dict[str, str]:
    return dict(
        Delivery.objects.filter(about=f"appointment:{appointment.pk}").values_list(
            "channel", "status"
        )
    )


# --- Never twice ------------------------------------------------------------------------------


def test_a_reminder_enqueued_twice_sends_one_text_and_one_mail(clock, twilio, settings):
    settings.TASKS = IMMEDIATE
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.EMAIL, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    first = notifications.send_reminder.enqueue(appointment.pk, appointment.start.isoformat())
    again = notifications.send_reminder.enqueue(appointment.pk, appointment.start.isoformat())

    assert (first.return_value, again.return_value) == (2, 0)
    assert twilio.requests == 1
    assert [m["To"] for m in twilio.messages] == ["+447400123456"]
    assert twilio.messages[0]["From"] == OUR_NUMBER
    assert len(mail.outbox) == 1
    assert rows(appointment) == {"email": "sent", "sms": "sent"}
    assert Delivery.objects.get(channel="sms").provider_ref.startswith("SM")


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_running_the_same_reminder_twice_sends_one_text(
    clock, twilio, settings
):
    settings.TASKS = DATABASE
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))
    for _ in range(2):  # a retry queued while the first was still waiting
        notifications.send_reminder.enqueue(appointment.pk, appointment.start.isoformat())

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 2
    assert twilio.requests == 1
    assert mail.outbox == []


def test_a_text_the_provider_refused_is_sent_by_the_next_run_and_the_mail_is_not_repeated(
    clock, twilio
):
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.EMAIL, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))
    twilio.refuse(patient.phone, status=503, code=20503)

    assert remind(appointment) == 1
    assert rows(appointment) == {"email": "sent", "sms": "failed"}
    assert Delivery.objects.get(channel="sms").error == "twilio_20503"

    assert remind(appointment) == 1
    assert remind(appointment) == 0
    assert len(twilio.messages) == 1
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(channel="sms").attempts == 2


def test_a_text_whose_answer_was_lost_is_never_sent_again(clock, twilio):
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))
    twilio.hang_ups.add(patient.phone)

    assert remind(appointment) == 0
    assert remind(appointment) == 0

    assert len(twilio.messages) == 1  # it did go out; the answer never came
    assert rows(appointment) == {"sms": "sending"}
    assert Delivery.objects.get().error == "no_answer"


def test_an_unreachable_provider_counts_as_not_sent(clock, twilio, settings):
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    assert remind(appointment) == 0
    assert rows(appointment) == {"sms": "failed"}

    settings.TWILIO_API_BASE = twilio.url
    assert remind(appointment) == 1
    assert len(twilio.messages) == 1


def test_a_stop_at_the_provider_is_kept_and_later_reminders_come_by_mail(clock, twilio):
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.SMS)
    first = session_for(patient, clock.at + timedelta(hours=24))
    twilio.refuse(patient.phone, status=400, code=21610)

    assert remind(first) == 0
    assert SmsOptOut.objects.filter(phone=patient.phone).exists()

    second = session_for(patient, clock.at + timedelta(hours=25), first_name="Bea")
    assert remind(second) == 1
    assert twilio.requests == 1
    assert [m.to for m in mail.outbox] == [[patient.email]]


# --- The channels chosen ---------------------------------------------------------------------


def test_without_a_choice_a_reminder_comes_by_mail_only(clock, twilio):
    patient = patient_in()
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    assert remind(appointment) == 1

    assert twilio.requests == 0
    assert mail.outbox[0].subject.startswith("Reminder: massage with Ada Byrne on ")


def test_texts_chosen_without_a_mobile_number_fall_back_to_mail(clock, twilio):
    patient = patient_in(phone="")
    choose(patient, Kind.APPOINTMENT, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    assert remind(appointment) == 1
    assert twilio.requests == 0
    assert len(mail.outbox) == 1


def test_nothing_chosen_sends_nothing(clock, twilio):
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT)
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    assert remind(appointment) == 0
    assert (twilio.requests, mail.outbox) == (0, [])


def test_a_closed_account_gets_nothing(clock, twilio):
    patient = patient_in(is_active=False)
    choose(patient, Kind.APPOINTMENT, Channel.EMAIL, Channel.SMS)

    outcome = deliver(
        user=patient,
        kind=Kind.APPOINTMENT,
        key=DeliveryKey("appointment:1", "x"),
        compose=lambda: Message("s", "b", "t", "https://x.example/"),
    )

    assert outcome.sent == frozenset()
    assert (twilio.requests, mail.outbox) == (0, [])


def test_a_cancelled_session_gets_no_reminder_by_any_channel(clock, twilio):
    patient = patient_in()
    choose(patient, Kind.APPOINTMENT, Channel.EMAIL, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=24))
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)

    assert remind(appointment) == 0
    assert (twilio.requests, mail.outbox, Delivery.objects.count()) == (0, [], 0)


# --- Quiet hours, on each person's own clock ---------------------------------------------------

# 07:00 UTC on 14 July: 03:00 in New York (quiet), 09:00 in Madrid (not).
NIGHT_IN_NEW_YORK = datetime(2026, 7, 14, 7, 0, tzinfo=UTC)


def test_at_one_instant_madrid_gets_its_reminder_and_new_york_gets_it_when_its_night_ends(
    clock, twilio, settings
):
    settings.TASKS = DATABASE
    clock.at = NIGHT_IN_NEW_YORK
    new_york = patient_in("America/New_York", phone="+12015550123")
    madrid = patient_in("Europe/Madrid", phone="+34612345678")
    for person in (new_york, madrid):
        choose(person, Kind.APPOINTMENT, Channel.SMS)
    at_new_york = session_for(new_york, clock.at + timedelta(hours=24))
    at_madrid = session_for(madrid, clock.at + timedelta(hours=24), first_name="Bea")

    assert remind(at_madrid) == 1
    assert remind(at_new_york) == 0

    assert [m["To"] for m in twilio.messages] == ["+34612345678"]
    # The New York reminder runs again at 08:00 there: 12:00 UTC.
    (again,) = DBTaskResult.objects.filter(task_path__endswith="send_reminder")
    assert again.run_after == datetime(2026, 7, 14, 12, 0, tzinfo=UTC)
    assert again.args_kwargs["args"] == [at_new_york.pk, at_new_york.start.isoformat()]

    clock.at = again.run_after
    assert notifications.send_reminder.call(*again.args_kwargs["args"]) == 1
    assert [m["To"] for m in twilio.messages] == ["+34612345678", "+12015550123"]


def test_quiet_hours_are_the_persons_own_and_can_be_none(clock, twilio):
    clock.at = NIGHT_IN_NEW_YORK
    owl = patient_in("America/New_York", phone="+12015550123")
    choose(owl, Kind.APPOINTMENT, Channel.SMS, quiet=("00:00", "00:00"))
    appointment = session_for(owl, clock.at + timedelta(hours=24))

    assert remind(appointment) == 1


def test_a_reminder_that_would_wait_past_the_session_is_dropped(clock, twilio):
    clock.at = NIGHT_IN_NEW_YORK  # 03:00 in New York
    patient = patient_in("America/New_York", phone="+12015550123")
    choose(patient, Kind.APPOINTMENT, Channel.SMS)
    appointment = session_for(patient, clock.at + timedelta(hours=3))  # 06:00, before 08:00

    outcome = deliver(
        user=patient,
        kind=Kind.APPOINTMENT,
        key=DeliveryKey(f"appointment:{appointment.pk}", appointment.start.isoformat()),
        compose=lambda: Message("s", "b", "t", "https://x.example/"),
        expires_at=appointment.start,
    )

    assert (outcome.sent, outcome.held_until, outcome.quiet) == (frozenset(), None, True)
    assert twilio.requests == 0
