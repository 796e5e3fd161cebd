"""Past session summaries a clinic brings from another system (integrations' import): kept as
written there, beside the completed appointment they describe, and never made a signed note."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.core.names import has_control_characters
from sciaticare.records.models import IMPORTED_SUMMARY_MAX_LENGTH, ImportedSummary
from sciaticare.scheduling.models import Appointment


def check_summary(text: str) -> str:
    """The text as kept; Invalid when too long or holding control characters."""
    text = text.strip().replace("\r\n", "\n")
    if not text or len(text) > IMPORTED_SUMMARY_MAX_LENGTH:
        raise Invalid.saying(
            "summary_length",
            gettext_noop("A summary needs 1 to %(n)s characters."),
            {"n": IMPORTED_SUMMARY_MAX_LENGTH},
        )
    if has_control_characters(text.replace("\n", " ").replace("\t", " ")):
        raise Invalid.saying(
            "summary_characters", gettext_noop("The summary holds control characters.")
        )
    return text


def import_summary(
    *, appointment: Appointment, text: str, source_system: str, source_id: str, by: User
) -> ImportedSummary:
    """Keep the summary of this (past) appointment; Conflict when it already has one."""
    text = check_summary(text)
    with transaction.atomic():
        if ImportedSummary.objects.filter(appointment=appointment).exists():
            raise Conflict.saying(
                "summary_exists",
                gettext_noop("Appointment %(id)s has an imported summary already."),
                {"id": appointment.pk},
            )
        summary = ImportedSummary.objects.create(
            appointment=appointment,
            therapist=appointment.therapist,
            patient=appointment.patient,
            text=text,
            source_system=source_system,
            source_id=source_id,
        )
        record_event(
            actor=by, action="imported_summary.create", patient=summary.patient, obj=summary
        )
    return summary
