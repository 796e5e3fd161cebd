"""The evening nudge to log pain, for patients who asked for it (never clinical detail in mail)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from sciaticare.outcomes.models import DiaryPreference, PainEntry


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
