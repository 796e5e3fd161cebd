"""Background work of the outcomes app: the evening nudge to log pain, for patients who asked
for it (never clinical detail in mail), building a requested PDF progress report, and the daily
refresh of the therapists' and clinics' outcome figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from sciaticare.accounts.models import site_time_zone
from sciaticare.core import generated
from sciaticare.core.time import is_time_zone, local_time
from sciaticare.outcomes import practice_services, report, services
from sciaticare.outcomes.identity import PatientIdentity
from sciaticare.outcomes.models import DiaryPreference, PainEntry, ProgressReport

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
            evening.setdefault(local.date(), []).append(Nudge(pk, email, first_name, local.date()))
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
    """Send the nudges due now; returns how many were sent. Run hourly (cron, docs/deploy.md):
    each patient gets theirs in their own evening, once on their day, however often it runs."""
    link = settings.SITE_URL + reverse("outcomes:diary")
    sent = 0
    for nudge in due_nudges():
        if not services.claim_nudge(preference_id=nudge.preference_id, day=nudge.day):
            continue  # another run sent it
        send_mail(
            "How is your pain today?",
            f"Hello {nudge.first_name or 'there'},\n\nTwo taps log today's back and leg pain: "
            f"{link}\n\nYou asked for this daily reminder; switch it off on the same page.\n",
            None,
            [nudge.email],
        )
        sent += 1
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
