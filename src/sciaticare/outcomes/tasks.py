"""Background work of the outcomes app: the evening nudge to log pain, for patients who asked
for it, by the channels they chose (never clinical detail: reminders/wording.py), building a requested PDF progress report, and the daily
refresh of the therapists' and clinics' outcome figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from sciaticare.accounts.models import User, site_time_zone
from sciaticare.core import generated
from sciaticare.core.time import is_time_zone, local_time
from sciaticare.outcomes import practice_services, report, services
from sciaticare.outcomes.identity import PatientIdentity
from sciaticare.outcomes.models import DiaryPreference, PainEntry, ProgressReport
from sciaticare.reminders import wording
from sciaticare.reminders.models import Kind
from sciaticare.reminders.services.delivery import DeliveryKey, deliver

# The nudge goes in the patient's own evening: from 19:00 on their clock, and not after 22:00
# (a job that was down catches up within the evening, never at night). The job runs hourly, so
# each zone's evening is met whatever its offset (also the :30 and :45 ones).
NUDGE_FROM = time(19)
NUDGE_UNTIL = time(22)


@dataclass(frozen=True)
class Nudge:
    preference_id: int
    email: str
    first_name: str
    day: date  # the patient's own day it is for
    patient_id: int


def in_nudge_hours(local: datetime) -> bool:
    """Whether a patient's wall clock is in the evening window the nudge goes out in."""
    return NUDGE_FROM <= local.time() < NUDGE_UNTIL


def due_nudges(now: datetime | None = None) -> list[Nudge]:
    """Patients who want a nudge, whose own clock is in the evening window at `now`, and who
    have neither logged nor been nudged on their own day."""
    now = now or timezone.now()
    wanted = DiaryPreference.objects.filter(daily_nudge=True, patient__is_active=True).values_list(
        "pk",
        "patient_id",
        "patient__email",
        "patient__first_name",
        "patient__time_zone",
        "last_nudged_on",
    )
    evening: dict[date, list[Nudge]] = {}
    patients: dict[int, int] = {}
    for pk, patient_id, email, first_name, zone, last_nudged_on in wanted:
        local = local_time(now, zone if is_time_zone(zone) else site_time_zone())
        if in_nudge_hours(local) and last_nudged_on != local.date():
            evening.setdefault(local.date(), []).append(
                Nudge(pk, email, first_name, local.date(), patient_id)
            )
            patients[pk] = patient_id
    due = []
    for day, nudges in evening.items():  # one query per date (zones are at most a day apart)
        logged = set(
            PainEntry.objects.filter(
                day=day, patient_id__in=[patients[n.preference_id] for n in nudges]
            ).values_list("patient_id", flat=True)
        )
        due += [n for n in nudges if patients[n.preference_id] not in logged]
    return due


@task()
def send_diary_nudges() -> int:
    """Send the nudges due now, by the channels each patient chose; returns how many patients
    were nudged. Run hourly (cron, docs/deploy.md): each patient gets theirs in their own
    evening, once on their day, however often it runs. One that falls in the patient's quiet
    hours is not sent, and the next hourly run tries again while the evening lasts."""
    link = settings.SITE_URL + reverse("outcomes:diary")
    due = due_nudges()
    people = User.objects.in_bulk([nudge.patient_id for nudge in due])
    sent = 0
    for nudge in due:
        patient = people[nudge.patient_id]
        outcome = deliver(
            user=patient,
            kind=Kind.DIARY_NUDGE,
            key=DeliveryKey(f"diary:{patient.pk}", nudge.day.isoformat()),
            compose=partial(wording.diary_nudge, first_name=patient.first_name, url=link),
        )
        if outcome.quiet:
            continue  # within the evening window, a later run may still send it
        # Marked after sending: its delivery rows already keep a second run from sending.
        services.claim_nudge(preference_id=nudge.preference_id, day=nudge.day)
        sent += 1 if outcome.count else 0
    return sent


@task()
def build_report(report_id: int) -> str:
    """Render a requested progress report and store its PDF; returns the final status ("gone"
    when erased with its account first). A failure marks the report failed (the patient sees it
    and can ask again) and is logged.

    Written in the language of the person who asked for it: a task has no request, and a
    signed-in person's pages are in the language kept on their account (docs/i18n.md)."""
    return generated.make_file(
        ProgressReport.objects.select_related("patient", "requested_by"),
        report_id,
        _render_in_askers_language,
    )


def _render_in_askers_language(progress: ProgressReport) -> bytes:
    with translation.override(progress.requested_by.language):
        return report.render_report(
            patient=progress.patient,
            viewer=progress.requested_by,
            identity=PatientIdentity(progress.date_of_birth, progress.patient_identifier),
        )


@task()
def refresh_outcomes() -> int:
    """Recompute the stored therapist and clinic outcome figures; returns the rows written.

    Run once a day: the Tasks API repeats nothing by itself, so the machine's scheduler runs
    ``manage.py refresh_outcomes --enqueue`` (docs/deploy.md, "Scheduled jobs").
    """
    return practice_services.refresh_outcomes()
