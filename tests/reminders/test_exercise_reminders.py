"""The morning reminder of the day's home exercises (exercises/tasks.py), through the channels
the patient chose: mail over SMTP to a local server, texts through the real Twilio library to a
local Messages API, notifications through pywebpush to a local push service. The clock is
frozen: 14 July 2026 is a Tuesday; 09:00 UTC is 10:00 in London and 11:00 in Madrid."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from sciaticare.exercises import tasks
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import (
    Exercise,
    ExerciseLog,
    ExercisePlan,
    Origin,
    PausedExercise,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.services.library import ensure_built_in
from sciaticare.reminders.models import Channel, Delivery, Kind
from sciaticare.reminders.services.devices import add_device
from sciaticare.reminders.services.preferences import save_preferences
from tests.factories import TherapistFactory
from tests.reminders.conftest import patient_in

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TUESDAY = date(2026, 7, 14)
MONDAY_WEDNESDAY_FRIDAY = 0b0010101
#: 08:30 in London (before its morning window), 09:30 in Madrid (in it).
EARLY = datetime(2026, 7, 14, 7, 30, tzinfo=UTC)


def exercise(slug: str) -> Exercise:
    """A built-in exercise's row."""
    return ensure_built_in()[slug]


def programme(patient, *items, start=TUESDAY - timedelta(days=14), plan=None, number=1):
    """A programme (or a new version of `plan`) from the patient's therapist; each item is
    (slug, days mask, dose fields)."""
    if plan is None:
        plan = ExercisePlan.objects.create(
            patient=patient, origin=Origin.THERAPIST, therapist=TherapistFactory(mfa=False)
        )
    version = PlanVersion.objects.create(plan=plan, number=number, start_date=start)
    for position, (slug, days, dose) in enumerate(items):
        PlanItem.objects.create(
            version=version, exercise=exercise(slug), position=position, days=days, **dose
        )
    return plan


def log(plan, slug: str, day: date = TUESDAY, *, done: bool = True) -> None:
    ExerciseLog.objects.create(plan=plan, exercise=exercise(slug), date=day, done=done)


def body_of(message) -> str:
    """A mail's text as received over SMTP, with its line ends as written."""
    return message.get_content().replace("\r\n", "\n")


def choose(person, *channels: Channel, quiet=(time(22), time(8))) -> None:
    save_preferences(
        user=person,
        choices={Kind.EXERCISE: set(channels)},
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )


WALK = ("walking", EVERY_DAY, {"minutes": 20})
SLIDER = ("sciatic-nerve-slider", MONDAY_WEDNESDAY_FRIDAY, {"repetitions": 10, "sets": 2})
KNEES = ("knee-to-chest", EVERY_DAY, {"repetitions": 10, "times_per_day": 2})
TILT = ("pelvic-tilt", EVERY_DAY, {"repetitions": 12})


def test_the_day_s_exercises_not_done_nor_paused_go_by_each_chosen_channel_once(
    clock, smtp, twilio, push_service
):
    patient = patient_in("Europe/London", first_name="Maya")
    choose(patient, Channel.EMAIL, Channel.SMS, Channel.PUSH)
    browser = push_service.browser()
    add_device(
        user=patient,
        endpoint=browser.endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
        expires_at=None,
    )
    daily_slider = ("sciatic-nerve-slider", EVERY_DAY, {"repetitions": 10, "sets": 2})
    plan = programme(patient, WALK, daily_slider, KNEES, TILT)
    log(plan, "pelvic-tilt")  # done today
    log(plan, "walking", TUESDAY - timedelta(days=1))  # done yesterday: still to do today
    log(plan, "knee-to-chest", done=False)  # marked not done: still to do
    PausedExercise.objects.create(plan=plan, exercise=exercise("sciatic-nerve-slider"))  # paused

    for _ in range(3):  # hourly, retried: once a day all the same
        call_command("send_exercise_reminders")

    (message,) = smtp.to(patient.email)
    assert message["Subject"] == "Your home exercises for today"
    body = body_of(message)
    assert body.startswith("Hello Maya,\n\nPlanned for today in your home programme")
    assert (
        "- Walking: 20 minutes, once a day\n- Knee-to-chest stretch: 10 repetitions, twice a day\n"
    ) in body
    assert "Pelvic tilt" not in body
    assert "slider" not in body
    assert "Tick each one when it is done: http://127.0.0.1:8000/" in body
    assert "tell your therapist if leg pain spreads further down the leg" in body
    assert "http://127.0.0.1:8000/reminders/" in body
    # A lock screen shows the text and the notification: a count and a link, no exercise.
    (text,) = twilio.to(patient.phone)
    assert text == f"Sciaticare: Today's home exercises: 2 still to do. {tasks.programme_url()}"
    (pushed,) = push_service.to(browser.endpoint)
    assert pushed["body"] == "Today's home exercises: 2 still to do."
    assert pushed["url"] == tasks.programme_url()
    assert dict(Delivery.objects.filter(kind=Kind.EXERCISE).values_list("channel", "occasion")) == {
        "email": "2026-07-14",
        "sms": "2026-07-14",
        "push": "2026-07-14",
    }


def test_nothing_is_sent_when_nothing_is_left_for_the_day(clock, smtp):
    all_done = patient_in()
    plan = programme(all_done, WALK, TILT)
    log(plan, "walking")
    log(plan, "pelvic-tilt")
    not_today = patient_in()
    programme(not_today, SLIDER)  # Mondays, Wednesdays and Fridays
    all_paused = patient_in()
    paused = programme(all_paused, WALK)
    PausedExercise.objects.create(plan=paused, exercise=exercise("walking"))
    ended = patient_in()
    plan = programme(ended, WALK)
    ExercisePlan.objects.filter(pk=plan.pk).update(ended_at=clock.at - timedelta(days=1))
    not_begun = patient_in()
    programme(not_begun, WALK, start=TUESDAY + timedelta(days=1))
    left_alone = patient_in()
    programme(left_alone, WALK)
    choose(left_alone)  # no channel ticked: nothing

    assert tasks.send_exercise_reminders.call() == 0
    assert smtp.messages == []
    assert not Delivery.objects.exists()


def test_the_version_in_force_today_decides_and_a_new_one_next_week_does_not_yet(clock, smtp):
    patient = patient_in()
    plan = programme(patient, WALK)
    programme(patient, ("walking", EVERY_DAY, {"minutes": 30}), plan=plan, number=2, start=TUESDAY)
    programme(
        patient,
        ("walking", EVERY_DAY, {"minutes": 45}),
        plan=plan,
        number=3,
        start=TUESDAY + timedelta(days=7),
    )

    assert tasks.send_exercise_reminders.call() == 1
    (message,) = smtp.to(patient.email)
    assert "- Walking: 30 minutes, once a day\n" in body_of(message)


def test_each_patient_is_reminded_in_their_own_morning(clock, smtp):
    clock.at = EARLY
    london = patient_in("Europe/London")
    madrid = patient_in("Europe/Madrid")
    for person in (london, madrid):
        programme(person, WALK)

    assert tasks.send_exercise_reminders.call() == 1
    assert [recipients for recipients, _ in smtp.messages] == [[madrid.email]]

    clock.at = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)  # 09:00 in London
    assert tasks.send_exercise_reminders.call() == 1
    clock.at = datetime(2026, 7, 14, 11, 0, tzinfo=UTC)  # noon in London: the window is over
    log(ExercisePlan.objects.get(patient=london), "walking", TUESDAY + timedelta(days=1))
    assert tasks.send_exercise_reminders.call() == 0
    assert sorted(r[0] for r, _ in smtp.messages) == sorted([madrid.email, london.email])


def test_in_quiet_hours_it_waits_for_their_end_and_then_sends_what_is_still_left(clock, settings):
    settings.TASKS = DATABASE
    patient = patient_in("Europe/London")
    choose(patient, Channel.EMAIL, quiet=(time(22), time(10, 30)))
    plan = programme(patient, WALK, TILT)
    clock.at = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)  # 09:00 there: still quiet

    assert tasks.send_exercise_reminders.call() == 0
    assert mail.outbox == []
    (again,) = DBTaskResult.objects.filter(task_path__endswith="send_exercise_reminder")
    assert again.run_after == datetime(2026, 7, 14, 9, 30, tzinfo=UTC)  # 10:30 there
    assert again.args_kwargs["args"] == [patient.pk, "2026-07-14"]

    log(plan, "walking")  # done before the quiet hours ended
    clock.at = again.run_after
    assert tasks.send_exercise_reminder.call(patient.pk, "2026-07-14") == 1
    (message,) = mail.outbox
    assert "- Pelvic tilt: 12 repetitions, once a day\n" in message.body
    assert "Walking" not in message.body
    # The hourly run at 11:00 finds it sent.
    clock.at = datetime(2026, 7, 14, 10, 0, tzinfo=UTC)
    assert tasks.send_exercise_reminders.call() == 0
    assert len(mail.outbox) == 1


def test_quiet_hours_that_last_into_the_evening_drop_the_day_s_reminder(clock, settings):
    settings.TASKS = DATABASE
    patient = patient_in("Europe/London")
    choose(patient, Channel.EMAIL, quiet=(time(8), time(21)))
    programme(patient, WALK)

    assert tasks.send_exercise_reminders.call() == 0
    assert mail.outbox == []
    assert not DBTaskResult.objects.filter(task_path__endswith="send_exercise_reminder").exists()


def test_a_queued_reminder_sends_nothing_once_its_day_or_its_use_has_passed(clock):
    patient = patient_in("Europe/London")
    programme(patient, WALK)

    clock.at = datetime(2026, 7, 14, 19, 30, tzinfo=UTC)  # 20:30 there: too late to be of use
    assert tasks.send_exercise_reminder.call(patient.pk, "2026-07-14") == 0
    clock.at = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)  # the next day
    assert tasks.send_exercise_reminder.call(patient.pk, "2026-07-14") == 0
    assert mail.outbox == []


def test_the_reminder_is_in_the_person_s_language(clock, smtp, twilio):
    lucia = patient_in("Europe/Madrid", language="es", first_name="Lucía", phone="+34612345678")
    choose(lucia, Channel.EMAIL, Channel.SMS)
    programme(lucia, WALK, KNEES)

    assert tasks.send_exercise_reminders.call() == 1

    (message,) = smtp.to(lucia.email)
    assert message["Subject"] == "Sus ejercicios en casa de hoy"
    body = body_of(message)
    assert body.startswith("Hola, Lucía:\n\nPrevistos para hoy en su programa en casa")
    # The library's exercises by their Spanish names, not the rows' English ones.
    assert "- Caminar: 20 minutos, una vez al día\n" in body
    assert "Walking" not in body
    assert ": 10 repeticiones, dos veces al día\n" in body
    (text,) = twilio.to("+34612345678")
    assert text.startswith("Sciaticare: Ejercicios en casa de hoy: quedan 2 por hacer. http")
