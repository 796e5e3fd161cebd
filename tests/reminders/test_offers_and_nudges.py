"""A waitlist offer cannot wait all night (its slot is held for hours), and the evening diary
nudge is about today: what each does in the person's quiet hours, and once only."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from sciaticare.outcomes import services as outcome_services
from sciaticare.outcomes.models import DiaryPreference
from sciaticare.reminders.models import Channel, Delivery, Kind
from sciaticare.reminders.services.preferences import save_preferences
from sciaticare.scheduling import notifications
from sciaticare.scheduling.models import SlotOffer
from tests.reminders.conftest import offer_to, patient_in

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# 07:00 UTC on 14 July: 03:00 in New York, in the default quiet hours (22:00–08:00).
NIGHT_IN_NEW_YORK = datetime(2026, 7, 14, 7, 0, tzinfo=UTC)


def choose(person, kind, *channels, quiet=(time(22), time(8))):
    save_preferences(
        user=person, choices={kind: set(channels)}, quiet_start=quiet[0], quiet_end=quiet[1]
    )


def test_an_offer_at_night_goes_by_mail_at_once_and_its_text_is_dropped_if_it_ends_first(
    clock, twilio
):
    clock.at = NIGHT_IN_NEW_YORK
    patient = patient_in("America/New_York", phone="+12015550123")
    choose(patient, Kind.WAITLIST_OFFER, Channel.EMAIL, Channel.SMS)
    offer = offer_to(patient, held_for=timedelta(hours=2), now=clock.at)  # ends 05:00 there

    assert notifications.send_waitlist_offer.call(offer.pk) == 1

    (message,) = mail.outbox
    assert message.subject.startswith("A time has opened with Ada Byrne")
    assert twilio.requests == 0
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_an_offer_held_past_the_morning_texts_when_the_night_ends(clock, twilio, settings):
    settings.TASKS = DATABASE
    clock.at = NIGHT_IN_NEW_YORK
    patient = patient_in("America/New_York", phone="+12015550123")
    choose(patient, Kind.WAITLIST_OFFER, Channel.EMAIL, Channel.SMS)
    offer = offer_to(patient, held_for=timedelta(hours=8), now=clock.at)  # ends 11:00 there

    assert notifications.send_waitlist_offer.call(offer.pk) == 1
    (again,) = DBTaskResult.objects.filter(task_path__endswith="send_waitlist_offer")
    assert again.run_after == datetime(2026, 7, 14, 12, 0, tzinfo=UTC)  # 08:00 in New York

    clock.at = again.run_after
    assert notifications.send_waitlist_offer.call(offer.pk) == 1
    assert len(mail.outbox) == 1
    (text,) = twilio.to("+12015550123")
    # On the session's clock (a London clinic): 15:00 UTC is 16:00 there.
    assert "It is held for you until Tuesday 14 July, 16:00." in text
    assert text.endswith(f"/offers/{offer.pk}/")


def test_an_offer_taken_in_the_night_sends_nothing_in_the_morning(clock, twilio):
    clock.at = NIGHT_IN_NEW_YORK
    patient = patient_in("America/New_York", phone="+12015550123")
    choose(patient, Kind.WAITLIST_OFFER, Channel.SMS)
    offer = offer_to(patient, held_for=timedelta(hours=8), now=clock.at)
    notifications.send_waitlist_offer.call(offer.pk)
    SlotOffer.objects.filter(pk=offer.pk).update(accepted_at=clock.at + timedelta(minutes=5))

    clock.at = datetime(2026, 7, 14, 12, 0, tzinfo=UTC)
    assert notifications.send_waitlist_offer.call(offer.pk) == 0
    assert twilio.requests == 0


# --- The evening diary nudge -------------------------------------------------------------------

# 20:30 in London (BST): inside the nudge's evening window (19:00–22:00).
EVENING_IN_LONDON = datetime(2026, 7, 14, 19, 30, tzinfo=UTC)


def nudged_patient(**fields):
    patient = patient_in("Europe/London", **fields)
    outcome_services.set_daily_nudge(patient=patient, on=True)
    return patient


def test_the_nudge_goes_by_the_text_the_patient_chose_once_however_often_the_job_runs(
    clock, twilio
):
    clock.at = EVENING_IN_LONDON
    patient = nudged_patient()
    choose(patient, Kind.DIARY_NUDGE, Channel.SMS)

    for _ in range(3):
        call_command("send_diary_nudges")

    (text,) = twilio.to(patient.phone)
    assert text.startswith("Sciaticare: Time for today's diary entry: two taps log it. ")
    assert text.endswith("/diary/")
    assert mail.outbox == []
    assert DiaryPreference.objects.get(patient=patient).last_nudged_on == clock.at.date()


def test_a_nudge_in_quiet_hours_is_not_sent_and_a_later_run_that_evening_may_send_it(clock):
    clock.at = EVENING_IN_LONDON  # 20:30 there
    patient = nudged_patient()
    choose(patient, Kind.DIARY_NUDGE, Channel.EMAIL, quiet=(time(20), time(21)))

    call_command("send_diary_nudges")
    assert mail.outbox == []
    assert DiaryPreference.objects.get(patient=patient).last_nudged_on is None

    clock.at += timedelta(hours=1)  # 21:30: quiet hours over, still the evening
    call_command("send_diary_nudges")
    assert [m.to for m in mail.outbox] == [[patient.email]]
