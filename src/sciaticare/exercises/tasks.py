"""Background work of the exercises app: the morning reminder of the day's home exercises, by
the channels each patient chose for exercise reminders (the reminders app: quiet hours, once
per channel, the person's language; docs/architecture.md, "Reminders").

The job runs hourly (cron, docs/deploy.md: ``manage.py send_exercise_reminders --enqueue``).
A patient's reminder goes at the first run from ``REMIND_FROM`` on their own clock, and a job
that was down catches up until ``REMIND_UNTIL``; it lists the exercises their programmes plan
that day which are neither done yet nor paused (nothing left: nothing sent). Never twice a
day: the delivery's occasion is the patient's date. In their quiet hours it waits for them to
end (a task queued for then checks afresh what is left), and is dropped when they end after
``USEFUL_UNTIL``: a reminder of today's exercises is no use at night."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts.models import User, site_time_zone
from sciaticare.core.time import is_time_zone, local_time
from sciaticare.exercises import wording
from sciaticare.exercises.library import BY_SLUG
from sciaticare.exercises.selectors import reminding
from sciaticare.reminders.models import Kind
from sciaticare.reminders.services.delivery import DeliveryKey, Outcome, deliver

#: The reminder goes in the patient's morning: from 09:00 on their clock, and a job that was
#: down catches up until noon. Hourly runs meet every zone's morning (the :30 and :45 ones too).
REMIND_FROM = time(9)
REMIND_UNTIL = time(12)
#: Held by quiet hours past this (their clock), the day's reminder is dropped.
USEFUL_UNTIL = time(20)
#: The patient's programme page, where each exercise is ticked.
PROGRAMME_PAGE = "exercises:my_programme"
#: Patients read per batch of the hourly job.
BATCH = 500


def in_reminder_hours(local: datetime) -> bool:
    """Whether a patient's wall clock is in the morning window the reminder goes out in."""
    return REMIND_FROM <= local.time() < REMIND_UNTIL


def _zone(name: str) -> str:
    return name if is_time_zone(name) else site_time_zone()


def due_days(now: datetime) -> dict[int, date]:
    """Patient id → their day, for the patients with a programme whose morning it is."""
    due = {}
    for patient_id, zone in reminding.patients_with_programmes():
        local = local_time(now, _zone(zone))
        if in_reminder_hours(local):
            due[patient_id] = local.date()
    return due


def programme_url() -> str:
    return settings.SITE_URL + reverse(PROGRAMME_PAGE)


def _doses(items: list[reminding.ToDo]) -> list[wording.Dose]:
    return [
        wording.Dose(
            name=BY_SLUG[item.slug].name if item.built_in and item.slug in BY_SLUG else item.name,
            built_in=item.built_in and item.slug in BY_SLUG,
            repetitions=item.repetitions,
            sets=item.sets,
            minutes=item.minutes,
            times_per_day=item.times_per_day,
        )
        for item in items
    ]


def remind(
    patient: User, day: date, items: list[reminding.ToDo], *, now: datetime | None = None
) -> Outcome:
    """Send `patient` the reminder of `day`'s exercises `items` (the caller checked they are
    still to do); in their quiet hours, queue ``send_exercise_reminder`` for when they end."""
    now = now or timezone.now()
    outcome = deliver(
        user=patient,
        kind=Kind.EXERCISE,
        key=DeliveryKey(f"exercise:{patient.pk}", day.isoformat()),
        compose=partial(
            wording.exercise_reminder,
            first_name=patient.first_name,
            doses=_doses(items),
            url=programme_url(),
            settings_url=settings.SITE_URL + reverse("reminders:settings"),
            check_url=settings.SITE_URL + reverse("check"),
        ),
        expires_at=datetime.combine(day, USEFUL_UNTIL, tzinfo=ZoneInfo(_zone(patient.time_zone))),
        now=now,
    )
    if outcome.held_until is not None and send_exercise_reminder.get_backend().supports_defer:
        send_exercise_reminder.using(run_after=outcome.held_until).enqueue(
            patient.pk, day.isoformat()
        )
    return outcome


@task()
def send_exercise_reminders() -> int:
    """Send the morning reminders due now; returns how many patients were reminded (by at least
    one channel). Run hourly: each patient gets theirs in their own morning, once on their day,
    however often it runs."""
    now = timezone.now()
    due = list(due_days(now).items())
    sent = 0
    for start in range(0, len(due), BATCH):
        days = dict(due[start : start + BATCH])
        left = reminding.to_do(days)
        people = User.objects.in_bulk(list(left))
        for patient_id, items in left.items():
            outcome = remind(people[patient_id], days[patient_id], items, now=now)
            sent += 1 if outcome.count else 0
    return sent


@task()
def send_exercise_reminder(patient_id: int, day: str) -> int:
    """One patient's reminder of `day` (ISO 8601), queued for the end of their quiet hours:
    sent only if it is still that day for them, before ``USEFUL_UNTIL``, and something is still
    to do; returns how many channels it went by."""
    patient = User.objects.filter(pk=patient_id, is_active=True).first()
    if patient is None:
        return 0
    now = timezone.now()
    local = local_time(now, _zone(patient.time_zone))
    if local.date().isoformat() != day or local.time() >= USEFUL_UNTIL:
        return 0
    items = reminding.to_do({patient.pk: local.date()}).get(patient.pk)
    if not items:
        return 0
    return remind(patient, local.date(), items, now=now).count
