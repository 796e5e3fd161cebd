"""Background work of the outcomes app: the evening nudge to log pain, for patients who asked
for it (never clinical detail in mail), building a requested PDF progress report, and the daily
refresh of the therapists' and clinics' outcome figures."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from sciaticare.core import generated
from sciaticare.outcomes import practice_services, report
from sciaticare.outcomes.identity import PatientIdentity
from sciaticare.outcomes.models import DiaryPreference, PainEntry, ProgressReport


def due_nudges() -> list[tuple[str, str]]:
    """(email, first name) of patients who want a nudge and have not logged today."""
    today = timezone.localdate()
    logged = PainEntry.objects.filter(day=today).values("patient_id")
    return list(
        DiaryPreference.objects.filter(daily_nudge=True, patient__is_active=True)
        .exclude(patient_id__in=logged)
        .values_list("patient__email", "patient__first_name")
    )


@task()
def send_diary_nudges() -> int:
    """Send today's nudges; returns how many were sent. Run once each evening (cron, docs)."""
    link = settings.SITE_URL + reverse("outcomes:diary")
    sent = 0
    for email, first_name in due_nudges():
        send_mail(
            "How is your pain today?",
            f"Hello {first_name or 'there'},\n\nTwo taps log today's back and leg pain: {link}\n\n"
            "You asked for this daily reminder; switch it off on the same page.\n",
            None,
            [email],
        )
        sent += 1
    return sent


@task()
def build_report(report_id: int) -> str:
    """Render a requested progress report and store its PDF; returns the final status ("gone"
    when erased with its account first). A failure marks the report failed (the patient sees it
    and can ask again) and is logged."""
    return generated.make_file(
        ProgressReport.objects.select_related("patient", "requested_by"),
        report_id,
        lambda progress: report.render_report(
            patient=progress.patient,
            viewer=progress.requested_by,
            identity=PatientIdentity(progress.date_of_birth, progress.patient_identifier),
        ),
    )


@task()
def refresh_outcomes() -> int:
    """Recompute the stored therapist and clinic outcome figures; returns the rows written.

    Run once a day: the Tasks API repeats nothing by itself, so the machine's scheduler runs
    ``manage.py refresh_outcomes --enqueue`` (docs/deploy.md, "Scheduled jobs").
    """
    return practice_services.refresh_outcomes()
